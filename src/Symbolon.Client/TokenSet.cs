using Symbolon.Contracts.Vendor;

namespace Symbolon.Client;

/// <summary>The tokens a vendor holds for one grant, and what the person actually granted.</summary>
/// <param name="AccessToken">The opaque access token for the data API (lives minutes).</param>
/// <param name="RefreshToken">The refresh token; single use: every refresh returns a new one and the old one stops working.</param>
/// <param name="ExpiresAt">When the access token expires (by the vendor's clock, from <c>expires_in</c>).</param>
/// <param name="AuthorizationDetails">What was granted (RFC 9396): datatypes, actions, narrowings and the grant's end.</param>
public sealed record TokenSet(string AccessToken, string? RefreshToken, DateTimeOffset ExpiresAt, IReadOnlyList<AuthorizationDetail> AuthorizationDetails)
{
    /// <summary>
    /// The vendor's pairwise identifier for the person (its relationship handle), when the vault said: the tokens
    /// from a card at the counter carry it. It is the same at every visit and differs at every other vendor.
    /// </summary>
    public string? Subject { get; init; }

    /// <summary>Every datatype granted, whatever the action.</summary>
    public IReadOnlyList<string> GrantedDatatypes => [.. AuthorizationDetails.SelectMany(d => d.Datatypes).Distinct(StringComparer.Ordinal)];

    /// <summary>True when the grant allows <paramref name="action"/> on <paramref name="datatype"/>.</summary>
    /// <param name="datatype">A datatype, for example <c>profile.email</c>.</param>
    /// <param name="action">An action: <c>read</c>, <c>append</c> or <c>update</c>.</param>
    public bool Allows(string datatype, string action) =>
        AuthorizationDetails.Any(d => d.Datatypes.Contains(datatype, StringComparer.Ordinal) && d.Actions.Contains(action, StringComparer.Ordinal));
}
