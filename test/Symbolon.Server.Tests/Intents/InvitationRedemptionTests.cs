using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Symbolon.Client;
using Symbolon.Contracts.Conversations;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Relationships;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Relationships;
using Symbolon.Core.Vaults;

namespace Symbolon.Server.Tests.Intents;

/// <summary>
/// A vendor whose offer the person accepted redeems the invitation from the acceptance: once, for at most what the
/// person chose, with the offer as the first entry of the new relationship's conversation.
/// </summary>
public sealed class InvitationRedemptionTests : IDisposable
{
    private static readonly Uri VaultUrl = new("http://localhost/");

    private readonly SymbolonApplicationFactory _app = new();
    private readonly HttpClient _http;

    public InvitationRedemptionTests()
    {
        _http = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
    }

    public void Dispose()
    {
        _http.Dispose();
        _app.Dispose();
    }

    private static AuthorizationDetail[] Ask(string[] datatypes, params string[] actions) =>
        [new AuthorizationDetail(Datatypes.AuthorizationDetailsType, datatypes, actions.Length == 0 ? [DataActions.Read] : actions, "Deliver the boots you ordered", "SD-BASE")];

    private async Task<CreatedInvitation> InviteAsync(Guid vaultId, DateTimeOffset? grantExpires = null)
    {
        var session = _app.Services.GetRequiredService<IVaultSessions>().Find(vaultId)!;
        await using var scope = _app.Services.CreateAsyncScope();
        var invitations = scope.ServiceProvider.GetRequiredService<RelationshipInvitations>();
        return await invitations.CreateAsync(
            session.Keys,
            new InvitationGrant(
                [Datatypes.Name, Datatypes.PostalAddress],
                new Dictionary<string, string>(),
                "Deliver the boots you ordered",
                "SD-BASE",
                grantExpires),
            new InvitationOrigin("int_AAAAAAAAAAAAAAAAAAAAAA", Guid.NewGuid(), "Boot shop", "https://boots.example", "key", "Offer accepted: waterproof boots, size 44, EUR 129, delivered by 11 Dec."));
    }

    private async Task<SymbolonVendorClient> RegisterAsync(string name)
    {
        var vault = await SymbolonVault.DiscoverAsync(_http, VaultUrl, _app.Time);
        var vendor = vault.CreateClient(await vault.RegisterAsync(new ClientRegistrationRequest(name, ["https://boots.example/callback"], Agreements: ["SD-BASE"])));
        await vendor.AcceptAgreementAsync("SD-BASE");
        return vendor;
    }

    private static async Task<string> RefusedAsync(Func<Task> redeem)
    {
        var e = await Assert.ThrowsAsync<SymbolonOAuthException>(redeem);
        return $"{e.Error}: {e.Description}";
    }

    [Fact]
    public async Task The_vendor_redeems_once_for_at_most_what_the_person_chose_and_the_offer_opens_the_conversation()
    {
        var (owner, created) = await _app.CreateVaultAsync();
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Name, "home", Name: new PersonName("Ada", "Lovelace")));
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.PostalAddress, "home", Address: new PostalAddress("Lindengracht 88", "Haarlem", null, "2011 AB", "NL")));
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Email, "home", "ada@example.org"));
        var invitation = await InviteAsync(created.VaultId, _app.Time.GetUtcNow().AddDays(30));
        var vendor = await RegisterAsync("Boot shop");

        // More than the person chose is refused and does not use the invitation up.
        Assert.StartsWith("invalid_grant: SYM2752", await RefusedAsync(() => vendor.RedeemInvitationAsync(invitation.Code, Ask([Datatypes.Name, Datatypes.Email]))), StringComparison.Ordinal);
        Assert.StartsWith("invalid_grant: SYM2752", await RefusedAsync(() => vendor.RedeemInvitationAsync(invitation.Code, Ask([Datatypes.PostalAddress], DataActions.Read, DataActions.Update))), StringComparison.Ordinal);
        Assert.StartsWith("invalid_grant: SYM2751", await RefusedAsync(() => vendor.RedeemInvitationAsync("inv_made-up", Ask([Datatypes.Name]))), StringComparison.Ordinal);

        var session = await vendor.RedeemInvitationAsync(invitation.Code, Ask([Datatypes.Name, Datatypes.PostalAddress]));
        Assert.Equal([Datatypes.Name, Datatypes.PostalAddress], session.Tokens.GrantedDatatypes.Order(StringComparer.Ordinal));
        Assert.False(string.IsNullOrEmpty(session.Tokens.Subject));
        Assert.True(session.Tokens.ExpiresAt <= _app.Time.GetUtcNow().AddMinutes(10));
        var profile = (await session.GetProfileAsync()).Profile;
        Assert.Equal([Datatypes.Name, Datatypes.PostalAddress], profile.Fields.Select(f => f.Datatype).Order(StringComparer.Ordinal));
        Assert.DoesNotContain("ada@example.org", System.Text.Json.JsonSerializer.Serialize(profile), StringComparison.Ordinal);

        // Once only, and not by anyone else either.
        Assert.StartsWith("invalid_grant: SYM2751", await RefusedAsync(() => vendor.RedeemInvitationAsync(invitation.Code, Ask([Datatypes.Name]))), StringComparison.Ordinal);
        var other = await RegisterAsync("Another shop");
        Assert.StartsWith("invalid_grant: SYM2751", await RefusedAsync(() => other.RedeemInvitationAsync(invitation.Code, Ask([Datatypes.Name]))), StringComparison.Ordinal);

        // The person sees the relationship with the offer as its conversation's first entry, and the grant's receipt.
        var relationships = (await owner.GetFromJsonAsync<List<RelationshipSummary>>("/owner/api/v1/relationships", SymbolonApplicationFactory.Json))!;
        var boots = Assert.Single(relationships, r => r.VendorName == "Boot shop");
        var thread = (await owner.GetFromJsonAsync<List<ThreadEntry>>($"/owner/api/v1/relationships/{boots.Id}/thread", SymbolonApplicationFactory.Json))!;
        Assert.Contains(thread, e => e.Text?.Contains("waterproof boots, size 44", StringComparison.Ordinal) == true);

        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var keys = _app.Services.GetRequiredService<IVaultSessions>().Find(created.VaultId)!.Keys;
            var state = (await scope.ServiceProvider.GetRequiredService<RelationshipInvitations>().FindAsync(keys, invitation.Id))!;
            Assert.Equal(InvitationStatuses.Connected, state.StatusAt(_app.Time.GetUtcNow()));
            Assert.Equal(boots.Id, state.RelationshipId);
        }

        // An invitation not redeemed within seven days is dead; so is any while the vault is locked.
        var late = await InviteAsync(created.VaultId);
        _app.Time.Advance(TimeSpan.FromDays(8));
        var third = await RegisterAsync("Late shop");
        Assert.StartsWith("invalid_grant: SYM2751", await RefusedAsync(() => third.RedeemInvitationAsync(late.Code, Ask([Datatypes.Name]))), StringComparison.Ordinal);
        var fresh = await InviteAsync(created.VaultId);
        Assert.True(await _app.Services.GetRequiredService<IVaultSessions>().LockAsync(created.VaultId));
        Assert.StartsWith("temporarily_unavailable", await RefusedAsync(() => third.RedeemInvitationAsync(fresh.Code, Ask([Datatypes.Name]))), StringComparison.Ordinal);
    }
}
