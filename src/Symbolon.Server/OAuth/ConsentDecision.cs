using OpenIddict.Abstractions;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Relationships;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Symbolon.Server.OAuth;

/// <summary>
/// The person's choices on a request — which datatypes, how narrowed, for how long — turned into what is granted.
/// One place for the consent page, the card's approve-later page and the owner API, so they cannot drift apart.
/// </summary>
internal static class ConsentDecision
{
    /// <summary>The expiries the person can pick.</summary>
    public static readonly IReadOnlyList<(string Value, string Label, TimeSpan? Lifetime)> Expiries =
    [
        ("1d", "1 day", TimeSpan.FromDays(1)),
        ("30d", "30 days", TimeSpan.FromDays(30)),
        ("90d", "90 days", TimeSpan.FromDays(90)),
        ("365d", "1 year", TimeSpan.FromDays(365)),
        ("none", "Until I revoke it", null),
    ];

    public const string DefaultExpiry = "90d";

    /// <summary>Ticked datatypes, each with its narrowing, for the actions asked.</summary>
    public static List<GrantedDatatype> Decide(IReadOnlyList<AuthorizationDetail> details, IReadOnlySet<string> ticked, Func<string, string?> narrowingOf)
    {
        var granted = new List<GrantedDatatype>();
        foreach (var detail in details)
        {
            foreach (var datatype in detail.Datatypes)
            {
                if (!ticked.Contains(datatype))
                {
                    continue;
                }

                var info = DatatypeCatalog.Find(datatype)!;
                var narrowing = narrowingOf(datatype) ?? Narrowings.Full;
                if (!info.Narrowings.Contains(narrowing))
                {
                    narrowing = Narrowings.Full;
                }

                // A narrowed value is a summary; the vendor cannot write through it.
                var actions = narrowing == Narrowings.Full ? detail.Actions : [.. detail.Actions.Where(a => a == DataActions.Read)];

                // A datatype may appear in several entries (append for one purpose, read for another); each entry
                // is granted as asked, so none of its actions is silently dropped. Only exact repeats fold.
                if (actions.Count > 0 && !granted.Any(g => g.Datatype == datatype && g.Purpose == detail.Purpose && g.Actions.SequenceEqual(actions)))
                {
                    granted.Add(new GrantedDatatype(datatype, actions, narrowing, detail.Purpose));
                }
            }
        }

        return granted;
    }

    /// <summary>The choices as the consent form posts them (<c>field</c>, <c>narrow:&lt;datatype&gt;</c>).</summary>
    public static List<GrantedDatatype> FromForm(IFormCollection form, IReadOnlyList<AuthorizationDetail> details) =>
        Decide(details, form["field"].Where(f => f is not null).Select(f => f!).ToHashSet(StringComparer.Ordinal), datatype => form[$"narrow:{datatype}"].FirstOrDefault());

    /// <summary>Everything asked for, unnarrowed: what a standing rule grants.</summary>
    public static List<GrantedDatatype> All(IReadOnlyList<AuthorizationDetail> details) =>
        Decide(details, details.SelectMany(d => d.Datatypes).ToHashSet(StringComparer.Ordinal), _ => null);

    /// <summary>Resolves an expiry choice; false when it is not one of <see cref="Expiries"/>.</summary>
    public static bool TryExpiry(string? value, DateTimeOffset now, out DateTimeOffset? expiresAt)
    {
        var choice = Expiries.FirstOrDefault(e => e.Value == value);
        expiresAt = choice.Lifetime is { } span ? now + span : null;
        return choice.Value is not null;
    }

    /// <summary>
    /// Creates the permanent OpenIddict authorization a grant's tokens hang off and binds the grant to it, so that
    /// revoking the grant revokes every token. Returns the authorization's id.
    /// </summary>
    public static async Task<string> AuthorizeAsync(
        IOpenIddictApplicationManager applications,
        IOpenIddictAuthorizationManager authorizations,
        RelationshipService relationships,
        RelationshipEntity relationship,
        GrantEntity grant,
        System.Security.Claims.ClaimsIdentity identity,
        CancellationToken ct)
    {
        var application = await applications.FindByClientIdAsync(relationship.ClientId, ct)
            ?? throw new InvalidOperationException("The client's application entry is missing.");
        var authorization = await authorizations.CreateAsync(
            identity, relationship.Subject, (await applications.GetIdAsync(application, ct))!, AuthorizationTypes.Permanent, [], ct);
        var authorizationId = (await authorizations.GetIdAsync(authorization, ct))!;
        identity.SetAuthorizationId(authorizationId);
        await relationships.BindAuthorizationAsync(grant, authorizationId, ct);
        return authorizationId;
    }
}
