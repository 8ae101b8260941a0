using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Symbolon.Contracts.Intents;
using Symbolon.Core.Intents;
using Symbolon.Core.Vaults;
using Symbolon.Server.Hosting;
using Symbolon.Server.Vault;

namespace Symbolon.Server.Intents;

/// <summary>
/// Owner API for intents under <c>/owner/api/v1/intents</c>: preview, create, list and read intents, compare offers,
/// accept, decline, withdraw, block a vendor, and the exchanges intents may be posted to. Cookie or personal access
/// token like every owner endpoint; a cookie write from another site is refused by the owner-origin middleware.
/// </summary>
internal static class IntentEndpoints
{
    public const string Prefix = "/intents";
    private const string ExchangeClientName = "intent-exchanges";

    public static RouteGroupBuilder MapIntentEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(Prefix).WithTags("Intents").RequireAuthorization(OwnerAuthentication.Policy);
        group.MapGet("/", ListAsync).WithName("ListIntents").WithSummary("Every intent, newest first, with status and offer counts.");
        group.MapPost("/preview", PreviewAsync).WithName("PreviewIntent").WithSummary("Exactly what a vendor will see of this intent (example id and keys), and the signals the vault can attach; nothing is stored or sent.");
        group.MapPost("/", CreateAsync).WithName("CreateIntent").WithSummary("Makes the intent with fresh keys, signs it, addresses it to the chosen relationships (webhook intent.created) and queues it for the chosen exchanges.");
        group.MapGet("/blocked", ListBlockedAsync).WithName("ListBlockedIntentVendors").WithSummary("The exchange vendors the person blocked.");
        group.MapPost("/blocked", BlockAsync).WithName("BlockIntentVendor").WithSummary("Blocks the vendor behind an exchange offer: its offers are dropped, and future intents ask exchanges not to reach it.");
        group.MapDelete("/blocked/{signKey}", UnblockAsync).WithName("UnblockIntentVendor").WithSummary("Lifts a block.");
        group.MapGet("/exchanges", GetExchangesAsync).WithName("GetIntentExchanges").WithSummary("The exchanges intents may be posted to.");
        group.MapPut("/exchanges", SetExchangesAsync).WithName("SetIntentExchanges").WithSummary("Replaces the list of exchanges intents may be posted to.");
        group.MapGet("/{id}", GetAsync).WithName("GetIntent").WithSummary("One intent: the document as vendors see it, where it went, its state at each exchange.");
        group.MapGet("/{id}/offers", OffersAsync).WithName("ListIntentOffers").WithSummary("The intent's offers side by side, ranked by the person's own data, each criterion with a verdict and a sentence.");
        group.MapPost("/{id}/offers/{offerId}/accept", AcceptAsync).WithName("AcceptIntentOffer").WithSummary("Accepts an offer: the person is disclosed to that vendor alone, with what they chose for delivery; the intent closes.");
        group.MapPost("/{id}/offers/{offerId}/decline", DeclineAsync).WithName("DeclineIntentOffer").WithSummary("Declines an offer; nothing is sent to the vendor.");
        group.MapPost("/{id}/withdraw", WithdrawAsync).WithName("WithdrawIntent").WithSummary("Withdraws the intent: it closes here at once, is deleted at the exchanges, and the vendors it reached hear intent.closed.");
        return group;
    }

    /// <summary>The server's side of intents: the HTTP link to exchanges, and the job that posts, polls and closes (<c>Intents:PollInterval</c>).</summary>
    public static IServiceCollection AddIntentJobs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IntentJobOptions>().Bind(configuration.GetSection("Intents"));
        // No request logging: the paths name intent ids, which would tie this vault to its intents at the exchange
        // for anyone reading the server's log.
        services.AddHttpClient(ExchangeClientName).RemoveAllLoggers();
        services.AddScoped<IIntentExchangeLink>(sp => new HttpIntentExchangeLink(
            sp.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(ExchangeClientName), sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<IntentExchangeJob>();
        return services;
    }

    internal static async Task<Ok<IReadOnlyList<IntentSummary>>> ListAsync(VaultSession session, IntentService intents, CancellationToken ct)
    {
        var all = await intents.ListAsync(session.Keys, ct);
        var offers = await intents.ShownOffersAsync(session.Keys, null, ct);
        return TypedResults.Ok<IReadOnlyList<IntentSummary>>([.. all.Select(i => IntentWire.Summary(i, offers)).OrderByDescending(s => s.CreatedAt)]);
    }

    internal static async Task<Ok<IntentPreview>> PreviewAsync(IntentInput input, VaultSession session, IntentService intents, CancellationToken ct) =>
        TypedResults.Ok(await intents.PreviewAsync(session, input, ct));

    internal static async Task<Created<IntentDetail>> CreateAsync(IntentInput input, VaultSession session, IntentService intents, CancellationToken ct)
    {
        var intent = await intents.CreateAsync(session, input, ct);
        return TypedResults.Created($"/owner/api/v1/intents/{intent.Value.IntentId}", IntentWire.Detail(intent, []));
    }

    internal static async Task<Ok<IntentDetail>> GetAsync(string id, VaultSession session, IntentService intents, CancellationToken ct)
    {
        var intent = await intents.GetAsync(session.Keys, id, ct);
        return TypedResults.Ok(IntentWire.Detail(intent, await intents.ShownOffersAsync(session.Keys, id, ct)));
    }

    internal static async Task<Ok<IntentOfferList>> OffersAsync(string id, VaultSession session, IntentService intents, IntentComparison comparison, CancellationToken ct)
    {
        var intent = await intents.GetAsync(session.Keys, id, ct);
        return TypedResults.Ok(await comparison.CompareAsync(session, intent, await intents.ShownOffersAsync(session.Keys, id, ct), ct));
    }

    internal static async Task<Ok<IntentAcceptance>> AcceptAsync(string id, string offerId, AcceptOfferInput input, HttpContext context, VaultSession session, IntentAcceptances acceptances, CancellationToken ct) =>
        TypedResults.Ok(await acceptances.AcceptAsync(session, id, offerId, input, context.RequestServices.GetRequiredService<PublicOrigin>().Issuer, ct));

    internal static async Task<NoContent> DeclineAsync(string id, string offerId, VaultSession session, IntentService intents, CancellationToken ct)
    {
        await intents.DeclineAsync(session.Keys, id, offerId, ct);
        return TypedResults.NoContent();
    }

    internal static async Task<Ok<IntentDetail>> WithdrawAsync(string id, VaultSession session, IntentService intents, CancellationToken ct)
    {
        var intent = await intents.WithdrawAsync(session.Keys, id, ct);
        return TypedResults.Ok(IntentWire.Detail(intent, await intents.ShownOffersAsync(session.Keys, id, ct)));
    }

    internal static async Task<Ok<IReadOnlyList<BlockedIntentVendor>>> ListBlockedAsync(VaultSession session, IntentService intents, CancellationToken ct) =>
        TypedResults.Ok<IReadOnlyList<BlockedIntentVendor>>([.. (await intents.ListBlockedAsync(session.Keys, ct)).Select(b => new BlockedIntentVendor(b.SignKey, b.Name, b.BlockedAt))]);

    internal static async Task<Ok<BlockedIntentVendor>> BlockAsync(BlockIntentVendorInput input, VaultSession session, IntentService intents, CancellationToken ct)
    {
        var blocked = await intents.BlockAsync(session.Keys, input, ct);
        return TypedResults.Ok(new BlockedIntentVendor(blocked.SignKey, blocked.Name, blocked.BlockedAt));
    }

    internal static async Task<Results<NoContent, NotFound>> UnblockAsync(string signKey, VaultSession session, IntentService intents, CancellationToken ct) =>
        await intents.UnblockAsync(session.Keys, signKey, ct) ? TypedResults.NoContent() : TypedResults.NotFound();

    internal static async Task<Ok<IntentExchangeSettings>> GetExchangesAsync(VaultSession session, IntentService intents, CancellationToken ct) =>
        TypedResults.Ok(new IntentExchangeSettings(await intents.GetExchangesAsync(session.Keys, ct)));

    internal static async Task<Ok<IntentExchangeSettings>> SetExchangesAsync(IntentExchangeSettings input, VaultSession session, IntentService intents, CancellationToken ct) =>
        TypedResults.Ok(new IntentExchangeSettings(await intents.SetExchangesAsync(session.Keys, input, ct)));
}

/// <summary><c>Intents:*</c> settings of the server.</summary>
internal sealed class IntentJobOptions
{
    /// <summary>How often the server posts pending intents, polls offers and sends deletions and acceptances (default 30 s).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Every <c>Intents:PollInterval</c>, for each vault unlocked now (by the person, or unattended): one
/// <see cref="IntentExchangeSync"/> pass. A locked vault's intents wait (their keys are sealed); the exchange deletes
/// an expired intent by itself.
/// </summary>
internal sealed class IntentExchangeJob(
    IServiceScopeFactory scopes,
    Storage.StorageInitializer storage,
    TimeProvider time,
    IOptions<IntentJobOptions> options,
    IVaultSessions sessions,
    ILogger<IntentExchangeJob> logger) : PeriodicJob(scopes, storage, time, logger)
{
    protected override TimeSpan Interval => options.Value.PollInterval > TimeSpan.Zero ? options.Value.PollInterval : TimeSpan.FromSeconds(30);

    protected override string Work => "Syncing intents with their exchanges";

    protected override async Task RunAsync(IServiceProvider services, CancellationToken ct)
    {
        foreach (var session in sessions.Unlocked)
        {
            if (!session.IsUnlocked)
            {
                continue;
            }

            try
            {
                await services.GetRequiredService<IntentExchangeSync>().RunAsync(session, ct);
            }
            catch (VaultLockedException)
            {
                // Locked while the pass ran: the next pass after the next unlock picks it up.
            }
        }
    }
}
