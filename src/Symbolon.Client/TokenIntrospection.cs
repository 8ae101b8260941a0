using System.Text.Json;
using Symbolon.Contracts.Vendor;

namespace Symbolon.Client;

/// <summary>The vault's answer to token introspection (RFC 7662).</summary>
/// <param name="Active">False for an unknown, expired or revoked token; then every other member is empty.</param>
/// <param name="ClientId">The client the token was issued to.</param>
/// <param name="Subject">The person's pairwise identifier for this vendor.</param>
/// <param name="TokenType">The kind of token, for example <c>Bearer</c>.</param>
/// <param name="ExpiresAt">When the token expires.</param>
/// <param name="AuthorizationDetails">What the token's grant allows now (RFC 9396 §9.2).</param>
/// <param name="Raw">The whole response, for members this type does not name.</param>
public sealed record TokenIntrospection(
    bool Active,
    string? ClientId,
    string? Subject,
    string? TokenType,
    DateTimeOffset? ExpiresAt,
    IReadOnlyList<AuthorizationDetail> AuthorizationDetails,
    JsonElement Raw);
