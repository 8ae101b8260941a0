namespace Symbolon.Exchange;

/// <summary>
/// Entry point: <c>dotnet run --project src/Symbolon.Exchange -- --urls http://0.0.0.0:5190</c>. A named class rather
/// than top-level statements, so that an assembly referencing both this and the vault server sees one <c>Program</c>.
/// </summary>
internal static class ExchangeProgram
{
    public static Task Main(string[] args) => ExchangeHost.RunAsync(args);
}
