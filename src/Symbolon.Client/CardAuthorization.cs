using System.Text.Json;

namespace Symbolon.Client;

/// <summary>Where a card authorization stands after a poll.</summary>
public enum CardAuthorizationStatus
{
    /// <summary>The person has not decided yet (<c>authorization_pending</c>).</summary>
    Pending,

    /// <summary>The vault asked the till to poll less often (<c>slow_down</c>); the interval grew by 5 seconds.</summary>
    SlowDown,

    /// <summary>The person approved (or their standing rule, or a grant already in force, did); the session is ready.</summary>
    Approved,
}

/// <summary>The outcome of one poll.</summary>
/// <param name="Status">Where the authorization stands.</param>
/// <param name="Session">The session, once <see cref="CardAuthorizationStatus.Approved"/>; null before.</param>
public sealed record CardPollResult(CardAuthorizationStatus Status, VendorSession? Session);

/// <summary>Why a card authorization ended without tokens.</summary>
public enum CardAuthorizationFailure
{
    /// <summary>The person declined (<c>access_denied</c>).</summary>
    Declined,

    /// <summary>Nobody decided before the request expired (<c>expired_token</c>); scan the card again.</summary>
    Expired,
}

/// <summary>A card authorization ended without tokens: the person declined, or the request expired.</summary>
public sealed class CardAuthorizationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="failure">Why it ended.</param>
    /// <param name="description">The vault's description, if any.</param>
    public CardAuthorizationException(CardAuthorizationFailure failure, string? description = null)
        : base(description ?? (failure == CardAuthorizationFailure.Declined ? "The person declined." : "The request expired before the person decided; scan the card again."))
    {
        Failure = failure;
    }

    /// <summary>Why it ended.</summary>
    public CardAuthorizationFailure Failure { get; }
}

/// <summary>
/// A vendor's request made with a person's card (RFC 8628 device authorization), waiting for the person. Poll with
/// <see cref="PollAsync"/> at <see cref="Interval"/>, or let <see cref="WaitForApprovalAsync"/> do it; either ends
/// with a <see cref="VendorSession"/> whose <see cref="TokenSet.Subject"/> is the vendor's handle for the person.
/// Keep <see cref="DeviceCode"/> secret: whoever holds it (with the vendor's credentials) collects the tokens.
/// </summary>
public sealed class CardAuthorization
{
    private readonly SymbolonVendorClient _client;
    private readonly TimeProvider _time;
    private long _intervalTicks;

    internal CardAuthorization(SymbolonVendorClient client, string deviceCode, TimeSpan interval, DateTimeOffset expiresAt, TimeProvider time)
    {
        _client = client;
        DeviceCode = deviceCode;
        _intervalTicks = interval.Ticks;
        ExpiresAt = expiresAt;
        _time = time;
    }

    /// <summary>The RFC 8628 device code the vendor polls with.</summary>
    public string DeviceCode { get; }

    /// <summary>How long to wait between polls; grows by 5 seconds on every <c>slow_down</c>.</summary>
    public TimeSpan Interval => TimeSpan.FromTicks(Interlocked.Read(ref _intervalTicks));

    /// <summary>When the request lapses if the person does not decide.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>Asks the vault once whether the person decided.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>Pending, slow down (then wait <see cref="Interval"/>, which grew), or approved with the session.</returns>
    /// <exception cref="CardAuthorizationException">The person declined, or the request expired.</exception>
    /// <exception cref="SymbolonOAuthException">The vault refused the poll otherwise (for example <c>invalid_grant</c>).</exception>
    public async Task<CardPollResult> PollAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var session = await _client.ExchangeDeviceCodeAsync(DeviceCode, cancellationToken).ConfigureAwait(false);
            return new CardPollResult(CardAuthorizationStatus.Approved, session);
        }
        catch (SymbolonOAuthException e) when (e.Error == "authorization_pending")
        {
            return new CardPollResult(CardAuthorizationStatus.Pending, null);
        }
        catch (SymbolonOAuthException e) when (e.Error == "slow_down")
        {
            Interlocked.Add(ref _intervalTicks, TimeSpan.FromSeconds(5).Ticks);
            return new CardPollResult(CardAuthorizationStatus.SlowDown, null);
        }
        catch (SymbolonOAuthException e) when (e.Error == "access_denied")
        {
            throw new CardAuthorizationException(CardAuthorizationFailure.Declined, e.Description);
        }
        catch (SymbolonOAuthException e) when (e.Error == "expired_token")
        {
            throw new CardAuthorizationException(CardAuthorizationFailure.Expired, e.Description);
        }
    }

    /// <summary>
    /// Polls until the person decides: at once, then every <see cref="Interval"/> (on the client's
    /// <see cref="TimeProvider"/>), honouring <c>slow_down</c>.
    /// </summary>
    /// <param name="progress">Told the status after every poll, for example to show "waiting for the customer" at the till.</param>
    /// <param name="cancellationToken">Stops waiting (the request stays open until it expires).</param>
    /// <returns>The session once approved.</returns>
    /// <exception cref="CardAuthorizationException">The person declined, or the request expired.</exception>
    /// <exception cref="OperationCanceledException">Waiting was cancelled.</exception>
    public async Task<VendorSession> WaitForApprovalAsync(IProgress<CardAuthorizationStatus>? progress = null, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var result = await PollAsync(cancellationToken).ConfigureAwait(false);
            progress?.Report(result.Status);
            if (result.Session is not null)
            {
                return result.Session;
            }

            await Task.Delay(Interval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    internal static CardAuthorization FromResponse(SymbolonVendorClient client, JsonElement json, DateTimeOffset sent, TimeProvider time)
    {
        var deviceCode = json.TryGetProperty("device_code", out var code) && code.ValueKind == JsonValueKind.String ? code.GetString() : null;
        if (string.IsNullOrEmpty(deviceCode))
        {
            throw new SymbolonOAuthException("invalid_response", "The vault's device authorization response has no device_code.");
        }

        // RFC 8628 §3.2: interval defaults to 5 seconds when absent.
        var interval = json.TryGetProperty("interval", out var seconds) && seconds.TryGetInt32(out var value) && value > 0 ? value : 5;
        var expiresIn = json.TryGetProperty("expires_in", out var expires) && expires.TryGetInt64(out var lifetime) ? lifetime : 0;
        return new CardAuthorization(client, deviceCode, TimeSpan.FromSeconds(interval), sent.AddSeconds(expiresIn), time);
    }
}
