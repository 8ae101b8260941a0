using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Symbolon.Server.Hosting;

namespace Symbolon.Bench.Webhooks;

/// <summary>
/// The vendors' webhook endpoint for the bench: Kestrel on a loopback port in the bench process, one path per
/// relationship, that reads each body, verifies nothing, answers 204 and counts.
/// </summary>
internal sealed class CountingReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _count;
    private int _target;
    private TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private CountingReceiver()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost("/hooks/{relationship}", async (HttpRequest request) =>
        {
            await request.Body.CopyToAsync(Stream.Null);
            if (Interlocked.Increment(ref _count) == Volatile.Read(ref _target))
            {
                _done.TrySetResult();
            }

            return Results.NoContent();
        });
    }

    public Uri BaseAddress { get; private set; } = null!;

    public int Count => Volatile.Read(ref _count);

    public static async Task<CountingReceiver> StartAsync(CancellationToken ct)
    {
        var receiver = new CountingReceiver();
        receiver.BaseAddress = await receiver._app.StartAndGetAddressAsync(ct);
        return receiver;
    }

    public Uri UrlFor(int relationship) => new(BaseAddress, "/hooks/" + relationship);

    /// <summary>Starts counting afresh; the returned task completes when <paramref name="count"/> requests arrived.</summary>
    public Task Expect(int count)
    {
        _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _count, 0);
        Volatile.Write(ref _target, count);
        return _done.Task;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
