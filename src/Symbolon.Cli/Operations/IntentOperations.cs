using Symbolon.Cli.Infrastructure;
using Symbolon.Contracts.Intents;
using Symbolon.Core.Intents;

namespace Symbolon.Cli.Operations;

/// <summary>Intents, the same in both modes.</summary>
internal partial interface IOwnerOperations
{
    Task<IReadOnlyList<IntentSummary>> ListIntentsAsync(CancellationToken ct);

    Task<IntentDetail> GetIntentAsync(string id, CancellationToken ct);

    Task<IntentPreview> PreviewIntentAsync(IntentInput input, CancellationToken ct);

    Task<IntentDetail> CreateIntentAsync(IntentInput input, CancellationToken ct);

    Task<IntentOfferList> GetIntentOffersAsync(string id, CancellationToken ct);

    /// <summary>Accepts an offer; <paramref name="vaultUrl"/> is the vault's public address, needed in local mode for an exchange offer.</summary>
    Task<IntentAcceptance> AcceptIntentOfferAsync(string id, string offerId, AcceptOfferInput input, string? vaultUrl, CancellationToken ct);

    Task DeclineIntentOfferAsync(string id, string offerId, CancellationToken ct);

    Task<IntentDetail> WithdrawIntentAsync(string id, CancellationToken ct);

    Task<IntentExchangeSettings> GetIntentExchangesAsync(CancellationToken ct);

    Task<IntentExchangeSettings> SetIntentExchangesAsync(IntentExchangeSettings settings, CancellationToken ct);
}

/// <summary>
/// Intents in this process, over the same storage as the server. An intent made here waits for a server to post it
/// to its exchanges (the server's job does that), as a request's webhook waits in the outbox.
/// </summary>
internal sealed partial class LocalOwnerOperations
{
    public async Task<IReadOnlyList<IntentSummary>> ListIntentsAsync(CancellationToken ct)
    {
        var (intents, keys) = (await GetAsync<IntentService>(ct), await KeysAsync(ct));
        var offers = await intents.ShownOffersAsync(keys, null, ct);
        return [.. (await intents.ListAsync(keys, ct)).Select(i => IntentWire.Summary(i, offers)).OrderByDescending(s => s.CreatedAt)];
    }

    public async Task<IntentDetail> GetIntentAsync(string id, CancellationToken ct)
    {
        var (intents, keys) = (await GetAsync<IntentService>(ct), await KeysAsync(ct));
        return IntentWire.Detail(await intents.GetAsync(keys, id, ct), await intents.ShownOffersAsync(keys, id, ct));
    }

    public async Task<IntentPreview> PreviewIntentAsync(IntentInput input, CancellationToken ct) =>
        await (await GetAsync<IntentService>(ct)).PreviewAsync(await SessionAsync(ct), input, ct);

    public async Task<IntentDetail> CreateIntentAsync(IntentInput input, CancellationToken ct) =>
        IntentWire.Detail(await (await GetAsync<IntentService>(ct)).CreateAsync(await SessionAsync(ct), input, ct), []);

    public async Task<IntentOfferList> GetIntentOffersAsync(string id, CancellationToken ct)
    {
        var (intents, session) = (await GetAsync<IntentService>(ct), await SessionAsync(ct));
        var intent = await intents.GetAsync(session.Keys, id, ct);
        return await (await GetAsync<IntentComparison>(ct)).CompareAsync(session, intent, await intents.ShownOffersAsync(session.Keys, id, ct), ct);
    }

    public async Task<IntentAcceptance> AcceptIntentOfferAsync(string id, string offerId, AcceptOfferInput input, string? vaultUrl, CancellationToken ct)
    {
        var session = await SessionAsync(ct);
        var offers = await (await GetAsync<IntentService>(ct)).ShownOffersAsync(session.Keys, id, ct);
        if (vaultUrl is null && offers.FirstOrDefault(o => o.Value.OfferId == offerId)?.Value.Source == IntentOfferSources.Exchange)
        {
            throw CliException.Usage(
                "Accepting an exchange offer tells that vendor your vault's public address, which this command does not know here.",
                "Run it against your server (--server, or with the server running), or give --vault-url https://….");
        }

        return await (await GetAsync<IntentAcceptances>(ct)).AcceptAsync(session, id, offerId, input, vaultUrl ?? "", ct);
    }

    public async Task DeclineIntentOfferAsync(string id, string offerId, CancellationToken ct) =>
        await (await GetAsync<IntentService>(ct)).DeclineAsync(await KeysAsync(ct), id, offerId, ct);

    public async Task<IntentDetail> WithdrawIntentAsync(string id, CancellationToken ct)
    {
        var (intents, keys) = (await GetAsync<IntentService>(ct), await KeysAsync(ct));
        var intent = await intents.WithdrawAsync(keys, id, ct);
        return IntentWire.Detail(intent, await intents.ShownOffersAsync(keys, id, ct));
    }

    public async Task<IntentExchangeSettings> GetIntentExchangesAsync(CancellationToken ct) =>
        new(await (await GetAsync<IntentService>(ct)).GetExchangesAsync(await KeysAsync(ct), ct));

    public async Task<IntentExchangeSettings> SetIntentExchangesAsync(IntentExchangeSettings settings, CancellationToken ct) =>
        new(await (await GetAsync<IntentService>(ct)).SetExchangesAsync(await KeysAsync(ct), settings, ct));
}

/// <summary>Intents through the running server's owner API.</summary>
internal sealed partial class RemoteOwnerOperations
{
    public async Task<IReadOnlyList<IntentSummary>> ListIntentsAsync(CancellationToken ct) =>
        await SendAsync<List<IntentSummary>>(HttpMethod.Get, "intents", null, authenticated: true, ct);

    public Task<IntentDetail> GetIntentAsync(string id, CancellationToken ct) =>
        SendAsync<IntentDetail>(HttpMethod.Get, "intents/" + Uri.EscapeDataString(id), null, authenticated: true, ct);

    public Task<IntentPreview> PreviewIntentAsync(IntentInput input, CancellationToken ct) =>
        SendAsync<IntentPreview>(HttpMethod.Post, "intents/preview", input, authenticated: true, ct);

    public Task<IntentDetail> CreateIntentAsync(IntentInput input, CancellationToken ct) =>
        SendAsync<IntentDetail>(HttpMethod.Post, "intents", input, authenticated: true, ct);

    public Task<IntentOfferList> GetIntentOffersAsync(string id, CancellationToken ct) =>
        SendAsync<IntentOfferList>(HttpMethod.Get, $"intents/{Uri.EscapeDataString(id)}/offers", null, authenticated: true, ct);

    // The server knows its own public address; a --vault-url given here is not needed.
    public Task<IntentAcceptance> AcceptIntentOfferAsync(string id, string offerId, AcceptOfferInput input, string? vaultUrl, CancellationToken ct) =>
        SendAsync<IntentAcceptance>(HttpMethod.Post, $"intents/{Uri.EscapeDataString(id)}/offers/{Uri.EscapeDataString(offerId)}/accept", input, authenticated: true, ct);

    public async Task DeclineIntentOfferAsync(string id, string offerId, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Post, $"intents/{Uri.EscapeDataString(id)}/offers/{Uri.EscapeDataString(offerId)}/decline", null, authenticated: true, ct);
    }

    public Task<IntentDetail> WithdrawIntentAsync(string id, CancellationToken ct) =>
        SendAsync<IntentDetail>(HttpMethod.Post, $"intents/{Uri.EscapeDataString(id)}/withdraw", null, authenticated: true, ct);

    public Task<IntentExchangeSettings> GetIntentExchangesAsync(CancellationToken ct) =>
        SendAsync<IntentExchangeSettings>(HttpMethod.Get, "intents/exchanges", null, authenticated: true, ct);

    public Task<IntentExchangeSettings> SetIntentExchangesAsync(IntentExchangeSettings settings, CancellationToken ct) =>
        SendAsync<IntentExchangeSettings>(HttpMethod.Put, "intents/exchanges", settings, authenticated: true, ct);
}
