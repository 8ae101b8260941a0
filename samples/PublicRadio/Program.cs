using PublicRadio;

await RadioHost.RunAsync(args);
