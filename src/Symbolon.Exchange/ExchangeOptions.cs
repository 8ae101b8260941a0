namespace Symbolon.Exchange;

/// <summary>The operator's settings (section <c>Exchange</c>).</summary>
internal sealed class ExchangeOptions
{
    /// <summary>The exchange's name, shown in its discovery document.</summary>
    public string Name { get; set; } = "Symbolon intent exchange";

    /// <summary>Offers one vendor may make per minute; more are answered 429 with Retry-After.</summary>
    public int OffersPerMinute { get; set; } = 30;

    /// <summary>Vendor registrations one client address (an IPv6 client by its /64) may make per hour.</summary>
    public int RegistrationsPerHour { get; set; } = 20;

    /// <summary>
    /// The reverse proxies (IP addresses) whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed, so
    /// that the per-address registration limit sees the client behind them. Empty (the default): the headers are
    /// ignored, as anyone can send them. Bound as a list (<c>Exchange:KnownProxies:0</c>) or one comma-separated value.
    /// </summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>How often expired intents are deleted and old events pruned, in seconds.</summary>
    public double SweepSeconds { get; set; } = 30;

    /// <summary>How often the background worker looks for due webhooks when nothing woke it, in seconds (real time).</summary>
    public double PollSeconds { get; set; } = 5;

    /// <summary>Categories suggested in the discovery document; any slug is accepted.</summary>
    public List<string> Categories { get; set; } = [];

    /// <summary>The categories suggested when the operator names none: the vault's insight categories.</summary>
    public static IReadOnlyList<string> DefaultCategories { get; } =
        ["groceries", "clothing", "shoes", "electronics", "home", "garden", "sports", "bikes", "books", "toys", "health", "beauty", "travel", "services"];

    public void Validate()
    {
        if (OffersPerMinute is < 1 or > 100_000 || RegistrationsPerHour is < 1 or > 1_000_000)
        {
            throw new ExchangeConfigurationException("Exchange:OffersPerMinute and Exchange:RegistrationsPerHour must be positive.");
        }

        foreach (var proxy in KnownProxies)
        {
            if (!System.Net.IPAddress.TryParse(proxy, out _))
            {
                throw new ExchangeConfigurationException("Exchange:KnownProxies must list IP addresses (one entry is not an address).");
            }
        }

        if (SweepSeconds is <= 0 or > 86_400 || PollSeconds is <= 0 or > 3_600)
        {
            throw new ExchangeConfigurationException("Exchange:SweepSeconds (up to a day) and Exchange:PollSeconds (up to an hour) must be positive.");
        }
    }
}

/// <summary>Webhook delivery settings (section <c>Webhooks</c>).</summary>
internal sealed class ExchangeWebhookOptions
{
    /// <summary>
    /// When true, webhooks may go to loopback, link-local and private addresses (development, tests). Off by default:
    /// such an address would let anyone who registers make the exchange post to services only its host can reach.
    /// </summary>
    public bool AllowPrivateAddresses { get; set; }

    /// <summary>The first retry delay in seconds; it doubles per failure up to an hour.</summary>
    public double FirstRetrySeconds { get; set; } = 5;

    /// <summary>A message still failing this many hours after it was made is given up (the event stays in the vendor's event feed).</summary>
    public double GiveUpAfterHours { get; set; } = 72;
}

/// <summary>A setting the exchange cannot start with; the message names the setting, and the process exits with it.</summary>
internal sealed class ExchangeConfigurationException(string message) : InvalidOperationException(message);
