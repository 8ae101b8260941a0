namespace Symbolon.Intents;

/// <summary>
/// The <c>code</c> of every problem document (RFC 9457) an intent exchange answers with, in the block SYM2801–SYM2849.
/// A document's <c>type</c> is <c>https://symbolon.dev/problems/</c> and the code; its <c>errors</c>, when present,
/// are keyed by the JSON member path (<c>intent.payload</c>, <c>subscriptions[0].category</c>) and never repeat a value.
/// </summary>
public static class ExchangeProblemCodes
{
    /// <summary>400: the body is not JSON of the expected shape; <c>errors</c> names the member.</summary>
    public const string MalformedJson = "SYM2801";

    /// <summary>400: the intent's signature does not hold against the key it names, or its payload is not an intent.</summary>
    public const string ForgedIntent = "SYM2802";

    /// <summary>400: the intent breaks a content rule (<see cref="IntentRules.CheckIntent"/>); <c>errors</c> names the fields.</summary>
    public const string InvalidIntent = "SYM2803";

    /// <summary>409: an intent with this id exists with other signed bytes.</summary>
    public const string IntentConflict = "SYM2804";

    /// <summary>401: the <c>Authorization: Intent</c> signature is missing, wrong, or its time is more than 5 minutes off.</summary>
    public const string BadRequestSignature = "SYM2805";

    /// <summary>404: no such live intent (unknown, withdrawn, accepted or expired), or it is not open to this vendor.</summary>
    public const string IntentNotFound = "SYM2806";

    /// <summary>404: no such offer on this intent.</summary>
    public const string OfferNotFound = "SYM2807";

    /// <summary>413: the body, or the envelope in it, is larger than the exchange takes.</summary>
    public const string TooLarge = "SYM2808";

    /// <summary>429: too many offers (per vendor) or registrations (per client address); wait for <c>Retry-After</c> seconds.</summary>
    public const string RateLimited = "SYM2809";

    /// <summary>400: a vendor registration breaks a rule; <c>errors</c> names the fields.</summary>
    public const string InvalidRegistration = "SYM2810";

    /// <summary>409: another vendor registered this signing key.</summary>
    public const string VendorKeyTaken = "SYM2811";

    /// <summary>401: the vendor API key (<c>Authorization: Bearer xv_…</c>) is missing or unknown.</summary>
    public const string BadApiKey = "SYM2812";

    /// <summary>400: a subscription list breaks a rule; <c>errors</c> names the fields.</summary>
    public const string InvalidSubscriptions = "SYM2813";

    /// <summary>400: an offer or acceptance envelope is not a well-formed sealed envelope; <c>errors</c> names the fields.</summary>
    public const string InvalidEnvelope = "SYM2814";

    /// <summary>400: a cursor (<c>after</c>) or <c>limit</c> query value is not valid.</summary>
    public const string InvalidQuery = "SYM2815";

    /// <summary>404: there is no endpoint at this address.</summary>
    public const string NoSuchEndpoint = "SYM2816";

    /// <summary>405: the endpoint does not take this method.</summary>
    public const string MethodNotAllowed = "SYM2817";

    /// <summary>415: the endpoint takes <c>application/json</c>.</summary>
    public const string UnsupportedMediaType = "SYM2818";

    /// <summary>500: the exchange failed; nothing was changed, try again later.</summary>
    public const string ServerError = "SYM2819";

    /// <summary>
    /// 410: this intent was withdrawn or accepted; the same signed intent is not published again before its expiry
    /// (<c>errors</c> names <c>intent.id</c>). Publish a new intent with a fresh id.
    /// </summary>
    public const string IntentClosed = "SYM2820";
}
