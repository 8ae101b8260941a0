using Symbolon.Cli.Infrastructure;

namespace Symbolon.Cli;

internal static class Program
{
    public static Task<int> Main(string[] args) => CliApp.RunAsync(args, CliEnvironment.FromProcess());
}
