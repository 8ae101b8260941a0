namespace Symbolon.Core.Webhooks;

/// <summary>
/// Ids of webhook messages: UUIDv7 whose 12 bits after the version hold a counter within the millisecond (RFC 9562,
/// section 6.2, method 1), so that ids made in this process are strictly increasing and the outbox can deliver one
/// relationship's messages in id order.
/// </summary>
/// <remarks>
/// Records use <see cref="Records.UuidV7"/>, which moves to the next millisecond instead of counting. One fan-out
/// makes thousands of ids at once; counting keeps that from pushing every later record id seconds into the future.
/// </remarks>
internal static class WebhookMessageIds
{
    private const int MaxCounter = 0xFFF;
    private static readonly Lock Gate = new();
    private static long _lastMilliseconds;
    private static int _counter;

    public static Guid Create(DateTimeOffset now)
    {
        var milliseconds = now.ToUnixTimeMilliseconds();
        int counter;
        lock (Gate)
        {
            if (milliseconds > _lastMilliseconds)
            {
                _lastMilliseconds = milliseconds;
                _counter = 0;
            }
            else if (++_counter > MaxCounter)
            {
                _lastMilliseconds++;
                _counter = 0;
            }

            milliseconds = _lastMilliseconds;
            counter = _counter;
        }

        Span<byte> bytes = stackalloc byte[16];
        Guid.CreateVersion7(DateTimeOffset.FromUnixTimeMilliseconds(milliseconds)).TryWriteBytes(bytes, bigEndian: true, out _);
        bytes[6] = (byte)(0x70 | (counter >> 8));
        bytes[7] = (byte)counter;
        return new Guid(bytes, bigEndian: true);
    }
}
