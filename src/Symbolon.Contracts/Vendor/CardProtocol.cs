namespace Symbolon.Contracts.Vendor;

/// <summary>
/// The names of the card's approve-later protocol: an RFC 8628 device authorization request carrying the code a
/// point of sale scanned (or typed) from the person's card, then polling the token endpoint.
/// </summary>
public static class CardProtocol
{
    /// <summary>The URI scheme of the card payload: <c>symbolon:card?v=&lt;vault address&gt;&amp;c=&lt;code&gt;</c>.</summary>
    public const string Scheme = "symbolon";

    /// <summary>The path of the card payload URI (<c>symbolon:card</c>).</summary>
    public const string PayloadPath = "card";

    /// <summary>The query member of the payload holding the vault's address (percent-encoded).</summary>
    public const string VaultParameter = "v";

    /// <summary>The query member of the payload holding the pairing code.</summary>
    public const string CodeParameter = "c";

    /// <summary>The device authorization request parameter carrying the scanned pairing code.</summary>
    public const string CardCodeParameter = "card_code";

    /// <summary>The RFC 8628 grant type the point of sale polls the token endpoint with.</summary>
    public const string DeviceCodeGrantType = "urn:ietf:params:oauth:grant-type:device_code";

    /// <summary>The token response member holding the vendor's pairwise identifier for the person (its relationship handle).</summary>
    public const string SubjectParameter = "symbolon_subject";

    /// <summary>The OAuth error for a card code that is unknown, expired or used; the description starts with the SYM16xx code.</summary>
    public const string InvalidCardCodeError = "invalid_card_code";
}
