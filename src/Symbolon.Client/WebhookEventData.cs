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

    private static T Read<T>(WebhookEvent webhookEvent, string type)
    {
        ArgumentNullException.ThrowIfNull(webhookEvent);
        if (!string.Equals(webhookEvent.Type, type, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The event is '{webhookEvent.Type}', not '{type}'.");
        }

        return webhookEvent.Data.Deserialize<T>(JsonOptions)
            ?? throw new InvalidOperationException($"The '{type}' event has no data.");
    }
}
