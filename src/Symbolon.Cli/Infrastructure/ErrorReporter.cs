using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Mvc;
using Symbolon.Contracts.Problems;
using Symbolon.Server.Errors;

namespace Symbolon.Cli.Infrastructure;

/// <summary>Turns any failure into a <see cref="CliException"/> and writes it to standard error, without a stack trace.</summary>
internal static class ErrorReporter
{
    public static CliException ToCliException(Exception exception)
    {
        if (exception is not CliException && Core.Problems.StorageFull.In(exception))
        {
            var full = ProblemCatalog.Full();
            return new CliException(full.Title!, full.Detail, code: ProblemCodes.StorageFull);
        }

        switch (exception)
        {
            case CliException cli:
                return cli.Hint is null ? cli.WithHint(HintFor(cli.Code)) : cli;
            case OperationCanceledException:
                return new CliException("Cancelled.");
            case HttpRequestException http:
                return new CliException("The server could not be reached.", http.InnerException is SocketException socket ? socket.Message : http.Message);
            case CryptographicException:
                // Note: the message of a cryptographic failure says nothing a person can act on.
                return new CliException("Stored data could not be decrypted.", "A sealed value was altered, or does not belong to this vault.");
            case FileNotFoundException file:
                return new CliException("A file does not exist.", file.FileName ?? file.Message);
            case DirectoryNotFoundException or IOException or UnauthorizedAccessException:
                return new CliException("A file could not be read or written.", exception.Message);
        }

        // The Core's exceptions (wrong passphrase, invalid values, locked vault ...) get the same title, detail and
        // code the server gives them, from the server's one catalogue.
        if (ProblemCatalog.FromException(exception) is { } problem)
        {
            var errors = problem is ValidationProblemDetails validation ? validation.Errors.ToDictionary(e => e.Key, e => e.Value) : null;
            var code = problem.Extensions.TryGetValue("code", out var value) ? value?.ToString() : null;
            return new CliException(problem.Title ?? "The operation failed.", problem.Detail, errors, code, hint: HintFor(code));
        }

        return new CliException(
            $"Something went wrong ({exception.GetType().Name}).",
            exception.Message,
            hint: $"Set {EnvironmentVariables.Debug}=1 to see where it happened.");
    }

    /// <summary>Writes the failure and returns the exit code to end with.</summary>
    public static int Report(CliEnvironment env, Exception exception)
    {
        var failure = ToCliException(exception);
        var error = env.Error;
        error.WriteLine(Display.Safe($"Error: {failure.Title}"));
        if (!string.IsNullOrWhiteSpace(failure.Detail) && failure.Detail != failure.Title)
        {
            error.WriteLine(Display.Safe(failure.Detail, keepLineBreaks: true));
        }

        foreach (var (field, reasons) in failure.Errors)
        {
            foreach (var reason in reasons)
            {
                error.WriteLine(Display.Safe($"  {field}: {reason}"));
            }
        }

        if (failure.Hint is not null)
        {
            error.WriteLine(failure.Hint);
        }

        if (env.Debug && exception is not CliException)
        {
            error.WriteLine();
            error.WriteLine(exception.ToString());
        }

        return failure.ExitCode;
    }

    private static string? HintFor(string? code) => code switch
    {
        ProblemCodes.VaultLocked => "Run `symbolon unlock` first.",
        ProblemCodes.VaultNotFound => "Run `symbolon init` to create one.",
        ProblemCodes.Unauthenticated => $"Run `symbolon unlock` to sign in, or set {EnvironmentVariables.Token} to a personal access token.",
        _ => null,
    };
}
