using System.Diagnostics;

namespace Symbolon.Bench.Reporting;

/// <summary>
/// Wall-clock time and the process's CPU time over the same span. On a machine shared with other work the wall
/// clock also counts time the bench waited for a core; the CPU time does not, so the two together show how much
/// the machine's load inflated a figure.
/// </summary>
internal readonly struct Measurement
{
    private readonly long _startTimestamp;
    private readonly TimeSpan _startCpu;

    private Measurement(long startTimestamp, TimeSpan startCpu)
    {
        _startTimestamp = startTimestamp;
        _startCpu = startCpu;
    }

    public static Measurement Start() => new(Stopwatch.GetTimestamp(), Environment.CpuUsage.TotalTime);

    public (TimeSpan Wall, TimeSpan Cpu) Stop()
    {
        var cpu = Environment.CpuUsage.TotalTime - _startCpu;
        return (Stopwatch.GetElapsedTime(_startTimestamp), cpu);
    }
}
