using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Symbolon.Server.Hosting;

namespace Symbolon.Server.Tests;

/// <summary>One request a receiver got, and the status it answered with.</summary>
public sealed record ReceivedWebhook(string Vendor, string Body, IReadOnlyDictionary<string, string> Headers, int AnsweredWith)
{
    public string MessageId => Headers["webhook-id"];
}

/// <summary>
/// Vendors' webhook endpoints: a real Kestrel server on a loopback port, one path per vendor (<c>/hooks/{vendor}</c>),
/// recording every request in arrival order and answering with the status set for that vendor (204 unless told).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _answers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Channel<ReceivedWebhook>> _accepted = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ReceivedWebhook> _all = new();

    private WebhookReceiver(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        _app = builder.Build();
        _app.MapPost("/hooks/{vendor}", async (string vendor, HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync();
            var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            var status = _answers.GetValueOrDefault(vendor, StatusCodes.Status204NoContent);
            var received = new ReceivedWebhook(vendor, body, headers, status);
            _all.Enqueue(received);
            if (status is >= 200 and < 300)
            {
                Inbox(vendor).Writer.TryWrite(received);
            }

            return Results.StatusCode(status);
        });
    }

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<WebhookReceiver> StartAsync(int port = 0)
    {
        var receiver = new WebhookReceiver(port);
        receiver.BaseAddress = await receiver._app.StartAndGetAddressAsync();
        return receiver;
    }

    public Uri UrlFor(string vendor) => new(BaseAddress, "/hooks/" + vendor);

    /// <summary>Answers the vendor's next requests with <paramref name="status"/>.</summary>
    public void Answer(string vendor, int status) => _answers[vendor] = status;

    /// <summary>Every request for the vendor so far, accepted or not, in arrival order.</summary>
    public IReadOnlyList<ReceivedWebhook> Requests(string vendor) => [.. _all.Where(r => r.Vendor == vendor)];

    /// <summary>The vendor's next accepted webhook; waits up to 30 s (real time) for it.</summary>
    public async Task<ReceivedWebhook> NextAsync(string vendor)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            return await Inbox(vendor).Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No webhook for '{vendor}' within 30 s; requests so far: {Requests(vendor).Count}.");
        }
    }

    private Channel<ReceivedWebhook> Inbox(string vendor) => _accepted.GetOrAdd(vendor, _ => Channel.CreateUnbounded<ReceivedWebhook>());

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
