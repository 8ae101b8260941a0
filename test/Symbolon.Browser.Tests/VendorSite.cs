using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Logging;
using Symbolon.Client;
using Symbolon.Server.Hosting;

namespace Symbolon.Browser.Tests;

/// <summary>A webhook delivery as the vendor's site received it: the raw body and the Standard Webhooks headers.</summary>
public sealed record ReceivedWebhook(string Body, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// A vendor's web site, built only on <c>Symbolon.Client</c>: Kestrel on a free loopback port with the OAuth
/// callback (which completes the authorization with the SDK, as a real vendor's would) and a webhook receiver.
/// </summary>
public sealed class VendorSite : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<ReceivedWebhook> _webhooks = Channel.CreateUnbounded<ReceivedWebhook>();
    private TaskCompletionSource<VendorSession> _session = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private (SymbolonVendorClient Client, AuthorizationRequest Pending)? _expected;

    private VendorSite(WebApplication app)
    {
        _app = app;
    }

    public Uri BaseUrl { get; private set; } = default!;

    public Uri CallbackUri => new(BaseUrl, "callback");

    public Uri WebhookUri => new(BaseUrl, "webhooks");

    /// <summary>The deliveries received so far, in order.</summary>
    public ChannelReader<ReceivedWebhook> Webhooks => _webhooks.Reader;

    public static async Task<VendorSite> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, "http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        var app = builder.Build();
        var site = new VendorSite(app);
        app.MapGet("/callback", (Delegate)site.CallbackAsync);
        app.MapPost("/webhooks", (Delegate)site.ReceiveWebhookAsync);
        site.BaseUrl = await app.StartAndGetAddressAsync();
        return site;
    }

    /// <summary>The vendor is waiting for the person to come back from this authorization request.</summary>
    public Task<VendorSession> Expect(SymbolonVendorClient client, AuthorizationRequest pending)
    {
        _expected = (client, pending);
        _session = new TaskCompletionSource<VendorSession>(TaskCreationOptions.RunContinuationsAsynchronously);
        return _session.Task;
    }

    private async Task<IResult> CallbackAsync(HttpContext context)
    {
        if (_expected is not { } expected)
        {
            return Results.BadRequest("No authorization request is pending.");
        }

        try
        {
            var session = await expected.Client.CompleteAuthorizationAsync(new Uri(context.Request.GetEncodedUrl()), expected.Pending, context.RequestAborted);
            _session.TrySetResult(session);
            return Results.Content("<!doctype html><title>Connected</title><h1>Connected to your vault</h1>", "text/html");
        }
        catch (SymbolonOAuthException e)
        {
            _session.TrySetException(e);
            return Results.BadRequest(e.Error);
        }
    }

    private async Task<IResult> ReceiveWebhookAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        await _webhooks.Writer.WriteAsync(new ReceivedWebhook(body, headers), context.RequestAborted);
        return Results.NoContent();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
