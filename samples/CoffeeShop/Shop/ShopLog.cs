namespace CoffeeShop.Shop;

/// <summary>The shop's log messages. They name vaults and ids, never tokens, codes or customers' data.</summary>
public static partial class ShopLog
{
    [LoggerMessage(1, LogLevel.Information, "Registered with the vault at {Issuer} and accepted {Agreement} (record {RecordId})")]
    public static partial void Registered(ILogger logger, string issuer, string agreement, string recordId);

    [LoggerMessage(2, LogLevel.Warning, "Refused a webhook for the vault at {Issuer}: {Reason}")]
    public static partial void WebhookRefused(ILogger logger, string issuer, string reason);

    [LoggerMessage(3, LogLevel.Error, "Waiting for the customer of visit {VisitId} failed")]
    public static partial void WaitFailed(ILogger logger, Exception exception, int visitId);

    [LoggerMessage(4, LogLevel.Error, "Could not store the refreshed tokens of customer {CustomerId}")]
    public static partial void TokensNotStored(ILogger logger, Exception exception, int customerId);

    [LoggerMessage(5, LogLevel.Error, "Answering request {RequestId} failed")]
    public static partial void RequestFailed(ILogger logger, Exception exception, string requestId);

    [LoggerMessage(6, LogLevel.Warning, "Visit {VisitId} ended without the customer: {Reason}")]
    public static partial void VisitFailed(ILogger logger, Exception exception, int visitId, string reason);
}
