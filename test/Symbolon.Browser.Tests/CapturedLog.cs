using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Symbolon.Browser.Tests;

/// <summary>
/// Warnings and errors of the servers a test runs (Symbolon and the sample shops), kept in memory and printed only
/// when the test fails, so that a failure on a machine whose console is not kept still says what the servers saw.
/// </summary>
public sealed class CapturedLog : ILoggerProvider
{
    private const int MaxLines = 200;

    /// <summary>The logs of the servers that talk to one Symbolon server, keyed by its address.</summary>
    private static readonly ConcurrentDictionary<Uri, ConcurrentQueue<CapturedLog>> Neighbourhoods = new();

    private readonly string _name;
    private readonly ConcurrentQueue<string> _lines = new();

    public CapturedLog(string name) => _name = name;

    public IReadOnlyCollection<string> Lines => _lines;

    /// <summary>Routes a host's logs at warning and above here, and nowhere else.</summary>
    public void Attach(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(LogLevel.Warning);
        logging.AddProvider(this);
    }

    /// <summary>Files this log with those of the Symbolon server at <paramref name="symbolon"/>, for its failures to print.</summary>
    public void Join(Uri symbolon) => Neighbourhoods.GetOrAdd(symbolon, _ => new()).Enqueue(this);

    /// <summary>The logs of the Symbolon server at <paramref name="symbolon"/> and of the servers that joined it.</summary>
    public static IEnumerable<CapturedLog> Around(Uri symbolon) =>
        Neighbourhoods.TryGetValue(symbolon, out var logs) ? logs : [];

    /// <summary>Forgets the logs filed under a Symbolon server that stopped.</summary>
    public static void Forget(Uri symbolon) => Neighbourhoods.TryRemove(symbolon, out _);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(string line)
    {
        _lines.Enqueue(line);
        while (_lines.Count > MaxLines && _lines.TryDequeue(out _))
        {
        }
    }

    private sealed class Logger(CapturedLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var line = $"{DateTime.UtcNow:HH:mm:ss.fff} {log._name} {logLevel} {category}: {formatter(state, exception)}";
            log.Add(exception is null ? line : $"{line}{Environment.NewLine}    {exception.GetType().Name}: {exception.Message}");
        }
    }
}
