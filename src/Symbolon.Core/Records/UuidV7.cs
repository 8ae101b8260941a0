namespace Symbolon.Core.Records;

/// <summary>
/// UUIDv7 ids (RFC 9562) that are strictly increasing within this process: when two ids would share a
/// millisecond, the later one takes the next millisecond (the RFC's "monotonic" option), so ordering by id is
/// ordering by creation even under a frozen or coarse clock.
/// </summary>
internal static class UuidV7
{
    private static readonly Lock Gate = new();
    private static long _lastMilliseconds;

    public static Guid Create(DateTimeOffset now)
    {
        var milliseconds = now.ToUnixTimeMilliseconds();
        lock (Gate)
        {
            if (milliseconds <= _lastMilliseconds)
            {
                milliseconds = _lastMilliseconds + 1;
            }

            _lastMilliseconds = milliseconds;
        }

        return Guid.CreateVersion7(DateTimeOffset.FromUnixTimeMilliseconds(milliseconds));
    }
}
