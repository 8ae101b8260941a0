using System.Text.Json;
using Symbolon.Contracts.Vendor;

namespace Symbolon.Client;

/// <summary>Reads the typed data of a verified <see cref="WebhookEvent"/>.</summary>
public static class WebhookEventData
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.General);

    /// <summary>The data of a <c>profile.updated</c> event: which fields changed (never their values).</summary>
    /// <param name="webhookEvent">A verified event of type <see cref="WebhookEventTypes.ProfileUpdated"/>.</param>
    /// <exception cref="InvalidOperationException">The event is of another type.</exception>
    public static ProfileUpdatedData GetProfileUpdated(this WebhookEvent webhookEvent) =>
        Read<ProfileUpdatedData>(webhookEvent, WebhookEventTypes.ProfileUpdated);

    /// <summary>The data of a <c>grant.revoked</c> event: which grant ended, and whether the whole relationship did.</summary>
    /// <param name="webhookEvent">A verified event of type <see cref="WebhookEventTypes.GrantRevoked"/>.</param>
    /// <exception cref="InvalidOperationException">The event is of another type.</exception>
    public static GrantRevokedData GetGrantRevoked(this WebhookEvent webhookEvent) =>
        Read<GrantRevokedData>(webhookEvent, WebhookEventTypes.GrantRevoked);

    /// <summary>The data of a <c>request.created</c> event: the person sent this vendor a request; read it with <see cref="VendorSession.GetRequestAsync"/>.</summary>
    /// <param name="webhookEvent">A verified event of type <see cref="WebhookEventTypes.RequestCreated"/>.</param>
    /// <exception cref="InvalidOperationException">The event is of another type.</exception>
    public static RequestCreatedData GetRequestCreated(this WebhookEvent webhookEvent) =>
        Read<RequestCreatedData>(webhookEvent, WebhookEventTypes.RequestCreated);

    /// <summary>The data of a <c>request.updated</c> event: the person replied to or closed a request.</summary>
    /// <param name="webhookEvent">A verified event of type <see cref="WebhookEventTypes.RequestUpdated"/>.</param>
    /// <exception cref="InvalidOperationException">The event is of another type.</exception>
    public static RequestUpdatedData GetRequestUpdated(this WebhookEvent webhookEvent) =>
        Read<RequestUpdatedData>(webhookEvent, WebhookEventTypes.RequestUpdated);

    /// <summary>The data of a <c>message.created</c> event: the person wrote to the vendor. Read the text with <see cref="VendorSession.GetMessagesAsync"/>.</summary>
    /// <param name="webhookEvent">A verified event of type <see cref="WebhookEventTypes.MessageCreated"/>.</param>
    /// <exception cref="InvalidOperationException">The event is of another type.</exception>
    public static MessageCreatedData GetMessageCreated(this WebhookEvent webhookEvent) =>
        Read<MessageCreatedData>(webhookEvent, WebhookEventTypes.MessageCreated);

    /// <summary>
    /// The data of an <c>update.pushed</c> event: the person pushed a corrected value. Fetch the value once with
    /// <see cref="VendorSession.FetchPushedUpdateAsync"/> and <see cref="UpdatePushedData.UpdateId"/>.
    /// </summary>
    /// <param name="webhookEvent">A verified event of type <see cref="WebhookEventTypes.UpdatePushed"/>.</param>
    /// <exception cref="InvalidOperationException">The event is of another type.</exception>
    public static UpdatePushedData GetUpdatePushed(this WebhookEvent webhookEvent) =>
        Read<UpdatePushedData>(webhookEvent, WebhookEventTypes.UpdatePushed);

    /// <summary>The data of an <c>intent.created</c> event: the person addressed an intent to this vendor. Read it with <see cref="VendorSession.GetIntentAsync"/>.</summary>
    /// <param name="webhookEvent">A verified event of type <see cref="WebhookEventTypes.IntentCreated"/>.</param>
    /// <exception cref="InvalidOperationException">The event is of another type.</exception>
    public static IntentCreatedData GetIntentCreated(this WebhookEvent webhookEvent) =>
        Read<IntentCreatedData>(webhookEvent, WebhookEventTypes.IntentCreated);

    /// <summary>The data of an <c>intent.closed</c> event: the intent takes no more offers, and this vendor's (if any) was not accepted.</summary>
    /// <param name="webhookEvent">A verified event of type <see cref="WebhookEventTypes.IntentClosed"/>.</param>
    /// <exception cref="InvalidOperationException">The event is of another type.</exception>
    public static IntentClosedData GetIntentClosed(this WebhookEvent webhookEvent) =>
        Read<IntentClosedData>(webhookEvent, WebhookEventTypes.IntentClosed);

    /// <summary>The data of an <c>intent.accepted</c> event: the person accepted this vendor's offer, and which datatypes it may use for delivery.</summary>
    /// <param name="webhookEvent">A verified event of type <see cref="WebhookEventTypes.IntentAccepted"/>.</param>
    /// <exception cref="InvalidOperationException">The event is of another type.</exception>
    public static IntentAcceptedData GetIntentAccepted(this WebhookEvent webhookEvent) =>
        Read<IntentAcceptedData>(webhookEvent, WebhookEventTypes.IntentAccepted);

    /// <summary>
    /// The data of an <c>inbox.applied</c> or <c>inbox.refused</c> event: a write the vault queued while the person was
    /// away (its <see cref="InboxOutcomeData.InboxId"/> is the id the write's <c>Queued</c> answer carried) was stored,
    /// or no longer applied and was not stored, once the person opened their vault.
    /// </summary>
    /// <param name="webhookEvent">A verified event of type <see cref="WebhookEventTypes.InboxApplied"/> or <see cref="WebhookEventTypes.InboxRefused"/>.</param>
    /// <exception cref="InvalidOperationException">The event is of another type.</exception>
    public static InboxOutcomeData GetInboxOutcome(this WebhookEvent webhookEvent) =>
        Read<InboxOutcomeData>(webhookEvent, WebhookEventTypes.InboxApplied, WebhookEventTypes.InboxRefused);

    /// <summary>
    /// The data of a <c>payment.settled</c> event: a payment the person made to this vendor settled, and its signed
    /// record is ready. Read it with <see cref="VendorSession.GetPaymentRecordAsync"/> and
    /// <see cref="PaymentSettledData.RecordId"/>, and countersign it with <see cref="VendorSession.CountersignPaymentRecordAsync"/>.
    /// </summary>
    /// <param name="webhookEvent">A verified event of type <see cref="WebhookEventTypes.PaymentSettled"/>.</param>
    /// <exception cref="InvalidOperationException">The event is of another type.</exception>
    public static PaymentSettledData GetPaymentSettled(this WebhookEvent webhookEvent) =>
        Read<PaymentSettledData>(webhookEvent, WebhookEventTypes.PaymentSettled);

    private static T Read<T>(WebhookEvent webhookEvent, string type, string? otherType = null)
    {
        ArgumentNullException.ThrowIfNull(webhookEvent);
        if (!string.Equals(webhookEvent.Type, type, StringComparison.Ordinal) && !string.Equals(webhookEvent.Type, otherType, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(otherType is null
                ? $"The event is '{webhookEvent.Type}', not '{type}'."
                : $"The event is '{webhookEvent.Type}', not '{type}' or '{otherType}'.");
        }

        return webhookEvent.Data.Deserialize<T>(JsonOptions)
            ?? throw new InvalidOperationException($"The '{type}' event has no data.");
    }
}
