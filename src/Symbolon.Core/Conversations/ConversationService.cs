using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NSec.Cryptography;
using Symbolon.Contracts.Conversations;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Problems;
using Symbolon.Core.Profile;
using Symbolon.Core.Records;
using Symbolon.Core.Relationships;
using Symbolon.Core.Storage;
using Symbolon.Core.Terms;
using Symbolon.Core.Validation;
using Symbolon.Core.Vaults;
using Symbolon.Core.Webhooks;

namespace Symbolon.Core.Conversations;

/// <summary>
/// A refusal in a conversation the caller can act on (SYM23xx). Its own type because the vendor endpoints log
/// exactly these refusals before they are answered. Messages never quote a message's text or a value.
/// </summary>
internal sealed class ConversationProblemException(string code, int status, string title, string detail)
    : SymbolonProblemException(code, status, title, detail);

/// <summary>
/// Messages between the person and a vendor, the person's message settings per relationship, and values the person
/// pushes to a vendor once. Texts and values are sealed with the vault's data key; what stays plaintext is metadata.
/// </summary>
internal sealed class ConversationService(SymbolonDbContext db, RelationshipService relationships, ProfileService profiles, TimeProvider time)
{
    public const int MaxTextLength = 4000;

    /// <summary>
    /// The agreement that keeps marketing out of a relationship. Both proffered agreements forbid using the data for
    /// advertising; Symbolon reads the stricter one (no third parties, processors included) as the person's choice of
    /// "nothing beyond the service", so under it a message labelled marketing is refused too.
    /// </summary>
    public static string? MarketingForbiddenBy(string? agreementId) =>
        agreementId == AgreementRoster.ServiceDeliveryNoThirdParties ? agreementId : null;

    public async Task<MessageSettings> GetSettingsAsync(RelationshipEntity relationship, CancellationToken ct = default)
    {
        var row = await db.MessageSettings.AsNoTracking().SingleOrDefaultAsync(s => s.VaultId == relationship.VaultId && s.RelationshipId == relationship.Id, ct);

        // The strictest agreement in force, not merely the latest one the vendor accepted: a grant given under
        // stricter terms keeps them binding while it lasts.
        var strictest = await relationships.StrictestAgreementInForceAsync(relationship, ct);
        return new MessageSettings(row?.Permission ?? MessagePermissions.Allowed, row?.NoMarketing ?? false, MarketingForbiddenBy(strictest));
    }

    public async Task<MessageSettings> SetSettingsAsync(Guid vaultId, Guid relationshipId, MessageSettings settings, CancellationToken ct = default)
    {
        if (!MessagePermissions.All.Contains(settings.Permission))
        {
            throw ValidationFailedException.For("permission", "One of allowed, muted or blocked.");
        }

        var relationship = await FindAsync(vaultId, relationshipId, ct);
        var row = await db.MessageSettings.SingleOrDefaultAsync(s => s.VaultId == vaultId && s.RelationshipId == relationshipId, ct);
        if (row is null)
        {
            row = new MessageSettingsEntity { VaultId = vaultId, RelationshipId = relationshipId, Permission = settings.Permission };
            db.MessageSettings.Add(row);
        }

        row.Permission = settings.Permission;
        row.NoMarketing = settings.NoMarketing;
        row.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return await GetSettingsAsync(relationship, ct);
    }

    /// <summary>
    /// Decides whether the vendor may send this message now; throws the refusal otherwise. Blocked comes first, so a
    /// blocked vendor learns nothing about the person's marketing choices. Returns whether the message arrives muted.
    /// </summary>
    public async Task<bool> CheckVendorMayMessageAsync(RelationshipEntity relationship, bool marketing, CancellationToken ct = default)
    {
        var settings = await GetSettingsAsync(relationship, ct);
        if (settings.Permission == MessagePermissions.Blocked)
        {
            throw new ConversationProblemException(ProblemCodes.MessagesBlocked, 403, "The person does not accept messages from you.",
                "The person has blocked messages from this relationship. Nothing was stored; the data API and requests still work as granted.");
        }

        if (marketing && settings.MarketingForbiddenByAgreement is { } agreement)
        {
            var title = AgreementRoster.Find(agreement)?.Title ?? agreement;
            throw new ConversationProblemException(ProblemCodes.MarketingRefused, 403, "Marketing messages are refused.",
                $"This relationship runs under the agreement {agreement} ({title}), which keeps it free of marketing. Send only messages about what the person asked for, with marketing false.");
        }

        if (marketing && settings.NoMarketing)
        {
            var runsUnder = (await relationships.FindAgreementAsync(relationship, ct))?.AgreementId ?? "none yet";
            throw new ConversationProblemException(ProblemCodes.MarketingRefused, 403, "Marketing messages are refused.",
                $"The person chose no marketing from you in this relationship, on top of the agreement it runs under ({runsUnder}). Send only messages about what the person asked for, with marketing false.");
        }

        return settings.Permission == MessagePermissions.Muted;
    }

    /// <summary>Stores a vendor's message (after <see cref="CheckVendorMayMessageAsync"/>). Saved with the caller's transaction.</summary>
    public async Task<(MessageEntity Message, string Text)> AddVendorMessageAsync(VaultKeys keys, RelationshipEntity relationship, VendorMessageInput input, bool muted, CancellationToken ct = default)
    {
        var text = CheckText(input.Text);
        var now = time.GetUtcNow();
        var message = NewMessage(keys, relationship, MessageAuthors.Vendor, text, input.Marketing, now);
        message.Muted = muted;
        db.Messages.Add(message);
        await db.SaveChangesAsync(ct);
        return (message, text);
    }

    /// <summary>The person writes to the vendor; the vendor gets a <c>message.created</c> webhook in the same commit.</summary>
    public async Task<MessageEntity> AddPersonMessageAsync(VaultKeys keys, Guid relationshipId, string text, CancellationToken ct = default)
    {
        text = CheckText(text);
        var relationship = await FindOpenAsync(keys.VaultId, relationshipId, ct);
        var now = time.GetUtcNow();
        var message = NewMessage(keys, relationship, MessageAuthors.Person, text, marketing: false, now);
        message.ReadAt = now;
        db.Messages.Add(message);
        WebhookOutbox.Enqueue(db, relationship, WebhookEventTypes.MessageCreated, new MessageCreatedData(relationship.Subject, PairwiseIds.FieldId(relationship.PairwiseKey, message.Id), now), now);
        await db.SaveChangesAsync(ct);
        return message;
    }

    /// <summary>Every message of the relationship, oldest first, opened.</summary>
    public async Task<IReadOnlyList<(MessageEntity Message, string Text)>> ListMessagesAsync(VaultKeys keys, Guid relationshipId, CancellationToken ct = default)
    {
        var rows = await db.Messages.AsNoTracking()
            .Where(m => m.VaultId == keys.VaultId && m.RelationshipId == relationshipId)
            .ToListAsync(ct);
        return [.. rows.OrderBy(m => m.SentAt).ThenBy(m => m.Id).Select(m => (m, Encoding.UTF8.GetString(keys.Open(m.TextSealed, MessageAad(m)))))];
    }

    /// <summary>Marks the vendor's messages read (the person opened the thread).</summary>
    public Task<int> MarkReadAsync(Guid vaultId, Guid relationshipId, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        return db.Messages
            .Where(m => m.VaultId == vaultId && m.RelationshipId == relationshipId && m.ReadAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(m => m.ReadAt, now), ct);
    }

    /// <summary>What the person has not read yet, per relationship; muted messages never count (that is what muting means).</summary>
    public async Task<IReadOnlyList<UnreadMessages>> UnreadAsync(Guid vaultId, CancellationToken ct = default)
    {
        var rows = await db.Messages.AsNoTracking()
            .Where(m => m.VaultId == vaultId && m.Author == MessageAuthors.Vendor && m.ReadAt == null && !m.Muted)
            .Select(m => new { m.RelationshipId, m.SentAt })
            .ToListAsync(ct);
        if (rows.Count == 0)
        {
            return [];
        }

        var names = await db.Relationships.AsNoTracking().Where(r => r.VaultId == vaultId).ToDictionaryAsync(r => r.Id, r => r.VendorName, ct);
        return [.. rows.GroupBy(r => r.RelationshipId)
            .Select(g => new UnreadMessages(g.Key, names.GetValueOrDefault(g.Key, "A vendor"), g.Count(), g.Max(r => r.SentAt)))
            .OrderByDescending(u => u.LatestAt)];
    }

    /// <summary>
    /// The person pushes one profile field to the vendor, once: the value is sealed until the vendor fetches it, the
    /// disclosure gets its own signed consent receipt and an access-log line, and the vendor an <c>update.pushed</c>
    /// webhook naming the reference (never the value) — all in one commit. No grant is created.
    /// </summary>
    public async Task<PushedUpdateEntity> PushAsync(VaultKeys keys, Guid relationshipId, Guid fieldId, string issuer, CancellationToken ct = default)
    {
        var relationship = await FindOpenAsync(keys.VaultId, relationshipId, ct);
        var agreement = await relationships.FindAgreementAsync(relationship, ct)
            ?? throw new ConversationProblemException(ProblemCodes.ConversationClosed, 409, "The vendor has not accepted your terms.",
                "A vendor must accept one of your agreements before you disclose anything to it.");
        ProfileField field;
        try
        {
            field = await profiles.GetFieldAsync(keys, fieldId, ct);
        }
        catch (Exception e) when (e is RecordNotFoundException or RecordDeletedException)
        {
            throw new ConversationProblemException(ProblemCodes.PushFieldNotFound, 404, "No such profile field.", "Pick one of the fields of your profile; that one does not exist or was deleted.");
        }

        var now = time.GetUtcNow();
        var datatype = VendorDisclosure.ProfileDatatype(field.Kind);
        var shown = new VendorField(PairwiseIds.FieldId(relationship.PairwiseKey, field.Id), datatype, field.Label, Narrowings.Full, VendorDisclosure.Value(field, Narrowings.Full, now), field.Version, field.UpdatedAt);
        var update = new PushedUpdateEntity
        {
            VaultId = keys.VaultId,
            Id = UuidV7.Create(now),
            RelationshipId = relationship.Id,
            Datatype = datatype,
            FieldRecordId = field.Id,
            PushedAt = now,
            Receipt = [],
            ReceiptSignature = [],
        };
        update.ValueSealed = keys.Seal(JsonSerializer.SerializeToUtf8Bytes(shown), PushAad(update));
        update.Receipt = ConsentReceipt.CreateForPush(update.Id, now, relationship, agreement, datatype, issuer);
        update.ReceiptSignature = SignatureAlgorithm.Ed25519.Sign(keys.SigningKey, update.Receipt);
        db.PushedUpdates.Add(update);

        var line = RelationshipService.NewAccessLogEntry(time, relationship, null, PushAction, [datatype], allowed: true, 200);
        line.Purpose = ConsentReceipt.PushPurpose;
        db.AccessLog.Add(line);
        WebhookOutbox.Enqueue(db, relationship, WebhookEventTypes.UpdatePushed,
            new UpdatePushedData(relationship.Subject, PairwiseIds.FieldId(relationship.PairwiseKey, update.Id), datatype, shown.Id, now), now);
        await db.SaveChangesAsync(ct);
        return update;
    }

    /// <summary>The access-log action of a value the person pushed.</summary>
    public const string PushAction = "push";

    public async Task<IReadOnlyList<PushedUpdateEntity>> ListPushesAsync(Guid vaultId, Guid relationshipId, CancellationToken ct = default) =>
        [.. (await db.PushedUpdates.AsNoTracking().Where(u => u.VaultId == vaultId && u.RelationshipId == relationshipId).ToListAsync(ct)).OrderBy(u => u.PushedAt)];

    public async Task<PushedUpdateEntity> FindPushAsync(Guid vaultId, Guid id, CancellationToken ct = default) =>
        await db.PushedUpdates.AsNoTracking().SingleOrDefaultAsync(u => u.VaultId == vaultId && u.Id == id, ct)
        ?? throw new ConversationProblemException(ProblemCodes.PushedUpdateNotFound, 404, "Not found.", "No pushed update with that id exists in this vault.");

    /// <summary>The vendor's pending pushed updates (references only), oldest first.</summary>
    public async Task<IReadOnlyList<PendingPushedUpdate>> PendingForVendorAsync(RelationshipEntity relationship, CancellationToken ct = default) =>
        [.. (await ListPushesAsync(relationship.VaultId, relationship.Id, ct))
            .Where(u => u.FetchedAt is null)
            .Select(u => new PendingPushedUpdate(PairwiseIds.FieldId(relationship.PairwiseKey, u.Id), u.Datatype, u.PushedAt))];

    /// <summary>
    /// Hands a pushed value to its vendor once. The claim is one conditional update (<c>FetchedAt IS NULL</c>), so of
    /// concurrent fetches exactly one gets the value; the sealed value is wiped in the same statement.
    /// </summary>
    public async Task<(VendorPushedUpdate Update, string Datatype)> FetchPushAsync(VaultKeys keys, RelationshipEntity relationship, string reference, CancellationToken ct = default)
    {
        var candidates = await ListPushesAsync(relationship.VaultId, relationship.Id, ct);
        var update = candidates.FirstOrDefault(u => PairwiseIds.FieldId(relationship.PairwiseKey, u.Id) == reference)
            ?? throw new ConversationProblemException(ProblemCodes.PushedUpdateNotFound, 404, "Not found.", "No pushed update with that reference exists for you; use the update_id of an update.pushed webhook or of GET /api/v1/updates.");
        if (update.FetchedAt is not null || update.ValueSealed is null)
        {
            throw AlreadyFetched();
        }

        var value = JsonSerializer.Deserialize<VendorField>(keys.Open(update.ValueSealed, PushAad(update)))!;
        var now = time.GetUtcNow();
        var claimed = await db.PushedUpdates
            .Where(u => u.VaultId == update.VaultId && u.Id == update.Id && u.FetchedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(u => u.FetchedAt, now).SetProperty(u => u.ValueSealed, (byte[]?)null), ct);
        if (claimed == 0)
        {
            throw AlreadyFetched();
        }

        return (new VendorPushedUpdate(reference, value, update.PushedAt), update.Datatype);
    }

    /// <summary>The vendor's own thread view: what it sent and what the person wrote to it, oldest first.</summary>
    public async Task<IReadOnlyList<VendorMessage>> ListForVendorAsync(VaultKeys keys, RelationshipEntity relationship, CancellationToken ct = default) =>
        [.. (await ListMessagesAsync(keys, relationship.Id, ct)).Select(m => ToVendor(relationship, m.Message, m.Text))];

    public static VendorMessage ToVendor(RelationshipEntity relationship, MessageEntity message, string text) =>
        new(PairwiseIds.FieldId(relationship.PairwiseKey, message.Id), message.Author, text, message.Marketing, message.SentAt);

    private static ConversationProblemException AlreadyFetched() =>
        new(ProblemCodes.PushedUpdateAlreadyFetched, 410, "Already fetched.", "A pushed value is handed out once and this one was; ask the person to push it again if it was lost.");

    private static MessageEntity NewMessage(VaultKeys keys, RelationshipEntity relationship, string author, string text, bool marketing, DateTimeOffset now)
    {
        var message = new MessageEntity
        {
            VaultId = keys.VaultId,
            Id = UuidV7.Create(now),
            RelationshipId = relationship.Id,
            Author = author,
            SentAt = now,
            Marketing = marketing,
            TextSealed = [],
        };
        message.TextSealed = keys.Seal(Encoding.UTF8.GetBytes(text), MessageAad(message));
        return message;
    }

    internal static string CheckText(string? text)
    {
        var trimmed = text?.Trim() ?? "";
        if (trimmed.Length is 0 or > MaxTextLength)
        {
            throw ValidationFailedException.For("text", $"A message is 1 to {MaxTextLength} characters.");
        }

        if (VendorText.HasUnsafeCharacter(trimmed, multiLine: true))
        {
            throw ValidationFailedException.For("text", VendorText.MultiLineReason);
        }

        return trimmed;
    }

    private async Task<RelationshipEntity> FindAsync(Guid vaultId, Guid relationshipId, CancellationToken ct) =>
        await relationships.FindAsync(vaultId, relationshipId, ct) ?? throw new RelationshipNotFoundException("relationship");

    private async Task<RelationshipEntity> FindOpenAsync(Guid vaultId, Guid relationshipId, CancellationToken ct)
    {
        var relationship = await FindAsync(vaultId, relationshipId, ct);
        if (relationship.EndedAt is not null)
        {
            throw new ConversationProblemException(ProblemCodes.ConversationClosed, 409, "This relationship has ended.",
                "You ended this relationship, so nothing more goes to this vendor. Its history stays in the thread.");
        }

        return relationship;
    }

    internal static byte[] MessageAad(MessageEntity m) => Encoding.UTF8.GetBytes($"symbolon.message.v1|{m.VaultId}|{m.RelationshipId}|{m.Id}|{m.Author}");

    internal static byte[] PushAad(PushedUpdateEntity u) => Encoding.UTF8.GetBytes($"symbolon.pushed.v1|{u.VaultId}|{u.RelationshipId}|{u.Id}|{u.Datatype}");
}
