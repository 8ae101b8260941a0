namespace Symbolon.Exchange;

/// <summary>
/// Entry point: <c>dotnet run --project src/Symbolon.Exchange -- --urls http://0.0.0.0:5190</c>. A named class rather
/// than top-level statements, so that an assembly referencing both this and the vault server sees one <c>Program</c>.
/// </summary>
internal static class ExchangeProgram
{
    /// <summary>Runs the exchange; a bad setting is one line on standard error and exit code 2, not a stack trace.</summary>
    public static async Task<int> Main(string[] args)
    {
        try
        {
            await ExchangeHost.RunAsync(args);
            return 0;
        }
        catch (Exception e) when (Configuration(e) is { } bad)
        {
            await Console.Error.WriteLineAsync("symbolon-exchange: " + bad.Message);
            return 2;
        }
    }

    private static ExchangeConfigurationException? Configuration(Exception? e) =>
        e switch
        {
            null => null,
            ExchangeConfigurationException bad => bad,
            _ => Configuration(e.InnerException),
        };
}
