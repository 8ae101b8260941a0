using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using PublicRadio.Data;
using Symbolon.Client;
using Symbolon.Contracts.Vendor;

namespace PublicRadio.Station;

/// <summary>
/// The vaults the station has met. The first time a listener connects from a vault, the station discovers it,
/// registers itself (RFC 7591, with its webhook address and its Ed25519 key in <c>jwks</c>), accepts SD-BASE and
/// countersigns it, and keeps the credentials in its database; after that it reuses them.
/// </summary>
public sealed class VaultDirectory(IDbContextFactory<RadioDb> dbs, HttpClient http, VaultAddressPolicy policy, StationKeyStore keys, TimeProvider time, ILogger<VaultDirectory> logger) : IDisposable
{
    /// <summary>The agreement the station works under: the person's own terms, the base roster entry.</summary>
    public const string Agreement = "SD-BASE";

    private readonly ConcurrentDictionary<int, SymbolonVendorClient> _clients = new();
    private readonly SemaphoreSlim _registering = new(1, 1);

    /// <summary>The station's client for the vault at <paramref name="vaultUrl"/>, registering with it first if needed.</summary>
    public async Task<(VaultRegistration Registration, SymbolonVendorClient Client)> ConnectAsync(Uri vaultUrl, CancellationToken cancellationToken)
    {
        // The address came from a form: only a vault the station's policy allows is contacted.
        var vault = await SymbolonVault.DiscoverAsync(http, vaultUrl, policy, time, cancellationToken);
        var issuer = vault.Issuer.AbsoluteUri;
        await _registering.WaitAsync(cancellationToken);
        try
        {
            await using var db = await dbs.CreateDbContextAsync(cancellationToken);
            var registration = await db.Vaults.SingleOrDefaultAsync(v => v.Issuer == issuer, cancellationToken)
                ?? await RegisterAsync(db, vault, cancellationToken);
            var client = _clients.GetOrAdd(registration.Id, _ => vault.CreateClient(Credentials(registration)));
            return (registration, client);
        }
        finally
        {
            _registering.Release();
        }
    }

    /// <summary>The station's client for a vault it registered with earlier.</summary>
    public async Task<SymbolonVendorClient> ClientAsync(int vaultId, CancellationToken cancellationToken)
    {
        if (_clients.TryGetValue(vaultId, out var cached))
        {
            return cached;
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var registration = await db.Vaults.SingleAsync(v => v.Id == vaultId, cancellationToken);
        var vault = await SymbolonVault.DiscoverAsync(http, new Uri(registration.Issuer), time, cancellationToken);
        return _clients.GetOrAdd(vaultId, _ => vault.CreateClient(Credentials(registration)));
    }

    private async Task<VaultRegistration> RegisterAsync(RadioDb db, SymbolonVault vault, CancellationToken cancellationToken)
    {
        var settings = await db.Settings.SingleAsync(cancellationToken);
        var publicUrl = new Uri(settings.PublicUrl);
        var webhookKey = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        var credentials = await vault.RegisterAsync(new ClientRegistrationRequest(
            settings.Name,
            [new Uri(publicUrl, "connect/callback").AbsoluteUri],
            ClientUri: publicUrl.AbsoluteUri,
            Jwks: keys.Jwks(),
            WebhookUri: new Uri(publicUrl, $"webhooks/{webhookKey}").AbsoluteUri,
            Agreements: [Agreement],
            SoftwareId: "symbolon-sample-publicradio"), cancellationToken);

        // The registered key countersigns the agreement here, and later every payment record.
        var client = vault.CreateClient(credentials);
        var record = await client.AcceptAgreementAsync(Agreement, keys.Sign, cancellationToken: cancellationToken);
        var registration = new VaultRegistration
        {
            Issuer = vault.Issuer.AbsoluteUri,
            ClientId = credentials.ClientId,
            ClientSecret = credentials.ClientSecret,
            WebhookSecret = credentials.WebhookSecret,
            WebhookKey = webhookKey,
            RegisteredAt = time.GetUtcNow(),
        };
        db.Vaults.Add(registration);
        await db.SaveChangesAsync(cancellationToken);
        RadioLog.Registered(logger, registration.Issuer, Agreement, record.Content.RecordId);
        return registration;
    }

    public void Dispose() => _registering.Dispose();

    private static VendorCredentials Credentials(VaultRegistration registration) =>
        new(registration.ClientId, registration.ClientSecret, registration.WebhookSecret);
}
