namespace Symbolon.Client;

/// <summary>
/// An authorization request the vault has accepted (pushed with PAR), waiting for the person. Send the person's
/// browser to <see cref="AuthorizationUri"/> and keep the rest (for example in the vendor's own session, bound to
/// that browser) until the callback arrives; <see cref="SymbolonVendorClient.CompleteAuthorizationAsync"/> needs it.
/// </summary>
/// <param name="AuthorizationUri">Where to send the person's browser.</param>
/// <param name="State">The random <c>state</c> the callback must carry back (CSRF protection).</param>
/// <param name="CodeVerifier">The PKCE verifier (RFC 7636); keep it secret, it proves the code is the vendor's.</param>
/// <param name="RedirectUri">The redirect URI the request named; the code exchange repeats it.</param>
/// <param name="ExpiresAt">When the pushed request expires; after that the vendor must begin again.</param>
public sealed record AuthorizationRequest(Uri AuthorizationUri, string State, string CodeVerifier, Uri RedirectUri, DateTimeOffset ExpiresAt);
