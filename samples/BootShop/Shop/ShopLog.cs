namespace BootShop.Shop;

/// <summary>The shop's log messages. They name exchanges, intents and offers by id, never keys, codes or a customer's data.</summary>
public static partial class ShopLog
{
    [LoggerMessage(1, LogLevel.Information, "Registered at the exchange {Exchange} as vendor {VendorId} (webhooks: {Webhooks})")]
    public static partial void RegisteredAtExchange(ILogger logger, string exchange, string vendorId, bool webhooks);

    [LoggerMessage(2, LogLevel.Warning, "The exchange {Exchange} does not post to the shop's address; reading its feeds only")]
    public static partial void WebhookRefusedByExchange(ILogger logger, string exchange);

    [LoggerMessage(3, LogLevel.Warning, "Refused a webhook from the exchange {Exchange}: {Reason}")]
    public static partial void WebhookRefused(ILogger logger, string exchange, string reason);

    [LoggerMessage(4, LogLevel.Warning, "Reading the exchange {Exchange} failed: {Reason}")]
    public static partial void PollFailed(ILogger logger, string exchange, string reason);

    [LoggerMessage(5, LogLevel.Error, "Handling {What} failed")]
    public static partial void HandlingFailed(ILogger logger, Exception exception, string what);

    [LoggerMessage(6, LogLevel.Information, "Intent {IntentId}: {Decision}")]
    public static partial void Decided(ILogger logger, string intentId, string decision);

    [LoggerMessage(7, LogLevel.Warning, "An acceptance for intent {IntentId} does not verify; ignored")]
    public static partial void ForgedAcceptance(ILogger logger, string intentId);

    [LoggerMessage(8, LogLevel.Information, "Order {OrderId}: connected to the customer's vault")]
    public static partial void Connected(ILogger logger, int orderId);

    [LoggerMessage(9, LogLevel.Warning, "Order {OrderId}: connecting to the customer's vault failed: {Reason}")]
    public static partial void ConnectFailed(ILogger logger, int orderId, string reason);

    [LoggerMessage(10, LogLevel.Warning, "Registering at the exchange failed: {Reason}")]
    public static partial void RegistrationFailed(ILogger logger, string reason);
}
