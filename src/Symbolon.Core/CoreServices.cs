using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenIddict.Core;
using Symbolon.Core.AccessTokens;
using Symbolon.Core.Backup;
using Symbolon.Core.Conversations;
using Symbolon.Core.Export;
using Symbolon.Core.Insights;
using Symbolon.Core.LoyaltyCards;
using Symbolon.Core.Profile;
using Symbolon.Core.Records;
using Symbolon.Core.Relationships;
using Symbolon.Core.Requests;
using Symbolon.Core.Statements;
using Symbolon.Core.Storage;
using Symbolon.Core.Terms;
using Symbolon.Core.Vaults;
using Symbolon.Core.Wallet;

namespace Symbolon.Core;

/// <summary>
/// Registers Core: the vault and its sessions, records, and every feature module (each <c>Add&lt;Feature&gt;</c> below
/// registers its own services and the work it starts when a vault unlocks). The server, the CLI's local mode and the
/// Core tests all build their services with <see cref="AddSymbolonCore"/> and nothing else; the database context is
/// the caller's (its provider and connection differ), registered before or after. A clock other than the system's,
/// and options such as <see cref="VaultSessionOptions"/>, are registered before: Core only adds what is missing.
/// </summary>
internal static class CoreServices
{
    public static IServiceCollection AddSymbolonCore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddLogging();
        services.AddVaults();
        services.AddScoped<RecordStore>();
        services.AddScoped<ProfileService>();
        services.AddScoped<VaultExporter>();
        services.AddScoped<ExportImporter>();
        services.AddScoped<BackupService>();
        services.AddScoped<AccessTokenService>();
        services.AddScoped<TermsService>();
        services.AddScoped<AutoLock>();
        services.TryAddSingleton(sp => new HostKeySource(sp.GetRequiredService<StorageOptions>().ResolvedDataDirectory, null));
        services.AddScoped<VaultModeService>();
        services.TryAddSingleton(new AutoLockOptions());
        services.AddRelationships();
        services.AddLoyaltyCards();
        services.AddWallet();
        services.AddInbox();
        services.AddStatements();
        services.AddInsights();
        services.AddRequests();
        services.AddConversations();
        services.AddIntents();
        services.AddPayments();
        return services;
    }

    /// <summary>EmanciPay: payees, pledges, the budget, payments and their signed records; settling from imported statements.</summary>
    public static IServiceCollection AddPayments(this IServiceCollection services)
    {
        services.AddScoped<Payments.PaymentService>();
        services.AddScoped<Payments.PaymentUsage>();
        services.AddScoped<Payments.PaymentSettlement>();
        services.AddScoped<IStatementImportFollowUp>(sp => sp.GetRequiredService<Payments.PaymentSettlement>());
        return services;
    }

    public static IServiceCollection AddVaults(this IServiceCollection services)
    {
        services.AddScoped<VaultService>();
        services.TryAddSingleton(new VaultSessionOptions());
        services.TryAddSingleton<VaultSessions>();
        services.TryAddSingleton<IVaultSessions>(sp => sp.GetRequiredService<VaultSessions>());
        return services;
    }

    /// <summary>
    /// Relationships, what the person sees of them, and revocation. Revoking also revokes OpenIddict's authorizations
    /// and tokens, so OpenIddict's stores over the Symbolon database are part of the module: the CLI's local mode
    /// revokes with the very same managers as the server, which adds only its protocol endpoints on top.
    /// </summary>
    public static IServiceCollection AddRelationships(this IServiceCollection services)
    {
        services.AddOpenIddict().AddCore(core => core.UseEntityFrameworkCore().UseDbContext<SymbolonDbContext>());
        services.AddOptions<OpenIddictCoreOptions>().Configure<TimeProvider>((options, time) => options.TimeProvider = time);
        services.AddScoped<RelationshipService>();
        services.AddScoped<RelationshipViews>();
        services.AddScoped<GrantRevocation>();
        services.AddScoped<IdempotencyStore>();
        services.AddScoped<VendorNotes>();
        services.AddScoped<ChangeFeed>();
        services.AddScoped<RelationshipInvitations>();
        return services;
    }

    /// <summary>The sealed inbox that takes vendor writes while the vault is locked.</summary>
    public static IServiceCollection AddInbox(this IServiceCollection services)
    {
        services.TryAddSingleton(new Inbox.InboxOptions());
        services.AddScoped<Inbox.SealedInbox>();
        return services;
    }

    public static IServiceCollection AddLoyaltyCards(this IServiceCollection services) => services.AddScoped<LoyaltyCardService>();

    public static IServiceCollection AddWallet(this IServiceCollection services)
    {
        services.AddScoped<Receipts>();
        services.AddScoped<LoyaltyLedger>();
        services.AddScoped<CheckIns>();
        services.AddScoped<WalletViews>();
        return services;
    }

    /// <summary>Statement imports, the transaction projection and the analytics database of each unlocked vault.</summary>
    public static IServiceCollection AddStatements(this IServiceCollection services)
    {
        services.TryAddSingleton(new ImportOptions());
        services.AddScoped<StatementImporter>();
        services.AddScoped<VaultQueries>();
        services.TryAddSingleton(AnalyticsLimits.Default);
        services.AddScoped<IVaultSessionModule, TransactionsWarmer>();
        return services;
    }

    public static IServiceCollection AddInsights(this IServiceCollection services)
    {
        services.AddScoped<CategoryService>();
        services.AddScoped<InsightService>();
        return services;
    }

    public static IServiceCollection AddRequests(this IServiceCollection services)
    {
        services.TryAddSingleton(new RequestOptions());
        services.AddScoped<RequestService>();
        return services;
    }

    /// <summary>
    /// Intents: making, storing and comparing them, accepting offers, and the pass over a vault's intents at the
    /// exchanges (which needs an <see cref="Intents.IIntentExchangeLink"/>: the server registers the HTTP one).
    /// </summary>
    public static IServiceCollection AddIntents(this IServiceCollection services)
    {
        services.AddScoped<Intents.IntentSignals>();
        services.AddScoped<Intents.IntentService>();
        services.AddScoped<Intents.IntentComparison>();
        services.AddScoped<Intents.IntentAcceptances>();
        services.AddScoped<Intents.IntentExchangeSync>();
        return services;
    }

    public static IServiceCollection AddConversations(this IServiceCollection services)
    {
        services.AddScoped<ConversationService>();
        services.AddScoped<ConversationThread>();

        // The thread's sources, in the order entries at the same instant are shown.
        services.AddScoped<IThreadSource, RelationshipEventsSource>();
        services.AddScoped<IThreadSource, RequestsSource>();
        services.AddScoped<IThreadSource, WalletSource>();
        services.AddScoped<IThreadSource, PushedUpdatesSource>();
        services.AddScoped<IThreadSource, MessagesSource>();
        services.AddScoped<IThreadSource, Payments.PaymentsSource>();
        return services;
    }
}
