using Symbolon.Server.Hosting;

await SymbolonHost.RunAsync(args);

/// <summary>Entry point; exposed so that tests can start the real host through WebApplicationFactory.</summary>
public partial class Program;
