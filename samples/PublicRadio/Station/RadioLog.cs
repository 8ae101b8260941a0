namespace PublicRadio.Station;

/// <summary>The station's log messages. They name vaults and ids, never tokens, IBANs, names or amounts.</summary>
public static partial class RadioLog
{
    [LoggerMessage(1, LogLevel.Information, "Registered with the vault at {Issuer} and accepted {Agreement} (record {RecordId})")]
    public static partial void Registered(ILogger logger, string issuer, string agreement, string recordId);

    [LoggerMessage(2, LogLevel.Warning, "Refused a webhook for the vault at {Issuer}: {Reason}")]
    public static partial void WebhookRefused(ILogger logger, string issuer, string reason);

    [LoggerMessage(3, LogLevel.Error, "Could not store the refreshed tokens of listener {ListenerId}")]
    public static partial void TokensNotStored(ILogger logger, Exception exception, int listenerId);

    [LoggerMessage(4, LogLevel.Warning, "Could not take payment record {RecordId} from the vault at {Issuer}: {Reason}")]
    public static partial void RecordNotTaken(ILogger logger, Guid recordId, string issuer, string reason);

    [LoggerMessage(5, LogLevel.Information, "Countersigned payment record {RecordId} from the vault at {Issuer}")]
    public static partial void Countersigned(ILogger logger, Guid recordId, string issuer);

    [LoggerMessage(6, LogLevel.Error, "Handling payment record {RecordId} failed")]
    public static partial void RecordFailed(ILogger logger, Exception exception, Guid recordId);
}
