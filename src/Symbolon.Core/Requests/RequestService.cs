using System.Globalization;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Requests;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Problems;
using Symbolon.Core.Profile;
using Symbolon.Core.Records;
using Symbolon.Core.Relationships;
using Symbolon.Core.Storage;
using Symbolon.Core.Validation;
using Symbolon.Core.Vaults;
using Symbolon.Core.Webhooks;

namespace Symbolon.Core.Requests;

/// <summary>What a <c>request</c> record holds (sealed).</summary>
internal sealed record RequestValue(string Kind, string? Title, string? Text, string? Purpose, IReadOnlyList<RequestCorrection> Corrections);

/// <summary>What a <c>request.reply</c> record holds (sealed). <see cref="Author"/> is <c>vendor</c> or <c>person</c>.</summary>
internal sealed record RequestReplyValue(Guid RequestId, string Author, string? Text, string? Status, bool Question, IReadOnlyList<AttachmentRef> Attachments);

/// <summary>An attachment as a reply lists it.</summary>
internal sealed record AttachmentRef(Guid Id, string FileName, string ContentType, long Size, string Sha256);

/// <summary>What a <c>request.attachment</c> record holds (sealed): the file itself.</summary>
internal sealed record RequestAttachmentValue(Guid RequestId, string FileName, string ContentType, string Sha256, byte[] Content);

/// <summary>A request refused for a reason the caller can act on (SYM22xx); messages never quote a value.</summary>
internal sealed class RequestProblemException(string code, int status, string title, string detail, IReadOnlyDictionary<string, string[]>? errors = null)
    : SymbolonProblemException(code, status, title, detail, errors);

/// <summary>One request, decrypted, with its vendor and its thread (oldest first).</summary>
internal sealed record RequestView(RequestEntity Entity, RelationshipEntity Relationship, RequestValue Value, IReadOnlyList<(CurrentRecord Record, RequestReplyValue Value)> Replies);

/// <summary>
/// Typed, trackable requests the person sends a vendor (access, rectification, erasure, withdrawing consent,
/// restricting processing, service). Content lives in encrypted records attributed to whoever wrote it (the person's
/// request and replies, the vendor's replies and attachments); ids, status and times live in <c>requests</c>.
/// Creating a request enqueues <c>request.created</c> for the vendor in the same transaction.
/// </summary>
internal sealed class RequestService(SymbolonDbContext db, RecordStore records, ProfileService profiles, TimeProvider time, RequestOptions options)
{
    public const string RecordType = "request";
    public const string ReplyRecordType = "request.reply";
    public const string AttachmentRecordType = "request.attachment";
    public const int MaxTextLength = 4000;
    public const int MaxAttachmentBytes = 1024 * 1024;
    public const int MaxAttachments = 5;
    public const string AuthorVendor = "vendor";
    public const string AuthorPerson = "person";
    public const string DefaultPurpose = "Direct marketing";

    /// <summary>Media types a vendor may attach; everything is served to the person as a download, never rendered.</summary>
    public static readonly IReadOnlyList<string> AttachmentTypes = ["application/json", "text/csv", "text/plain", "application/pdf", "application/xml", "application/zip"];

    public async Task<RequestView> CreateAsync(VaultKeys keys, RequestInput input, CancellationToken ct = default)
    {
        var errors = new ValidationErrors();
        var relationship = await db.Relationships.AsNoTracking().SingleOrDefaultAsync(r => r.VaultId == keys.VaultId && r.Id == input.RelationshipId, ct);
        if (relationship is null)
        {
            errors.Add("relationshipId", "No relationship with this id; see your relationships.");
        }

        var kind = input.Kind;
        if (!RequestKinds.All.Contains(kind))
        {
            errors.Add("kind", "Use one of: " + string.Join(", ", RequestKinds.All) + ".");
        }

        var isService = kind == RequestKinds.Service;
        var title = isService ? Text(errors, "title", input.Title, 200, required: true) : null;
        var text = Text(errors, "text", input.Text, MaxTextLength, required: isService, multiLine: true);
        var purpose = kind == RequestKinds.WithdrawConsent ? Text(errors, "purpose", input.Purpose, 200, required: false) ?? DefaultPurpose : null;
        var now = time.GetUtcNow();
        if (input.DueAt is { } due && due <= now)
        {
            errors.Add("dueAt", "The due date must be in the future.");
        }

        var corrections = new List<RequestCorrection>();
        if (kind == RequestKinds.Rectification)
        {
            if (input.CorrectFields is not { Count: > 0 })
            {
                errors.Add("correctFields", "Choose at least one profile field whose current value the vendor should use.");
            }
            else
            {
                var profile = await profiles.GetAsync(keys, ct);
                for (var i = 0; i < input.CorrectFields.Count; i++)
                {
                    var field = profile.Fields.FirstOrDefault(f => f.Id == input.CorrectFields[i]);
                    if (field is null)
                    {
                        errors.Add($"correctFields[{i}]", "No profile field with this id.");
                        continue;
                    }

                    corrections.Add(new RequestCorrection(VendorDisclosure.ProfileDatatype(field.Kind), field.Label, VendorDisclosure.Value(field, Narrowings.Full, now)));
                }
            }
        }

        errors.ThrowIfAny(ProblemCodes.InvalidRequest, "The request cannot be sent like this.");
        if (relationship!.EndedAt is not null)
        {
            throw new RequestProblemException(ProblemCodes.RelationshipEndedForRequests, 409, "That relationship has ended.",
                "A request goes to a vendor you still relate to; this relationship ended, so the vendor can no longer read anything from your vault.");
        }

        var (dueAt, setByPerson) = input.DueAt is { } chosen ? (chosen, true) : (DefaultDue(kind, now), false);
        var value = new RequestValue(kind, title, text, purpose, corrections);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var record = await records.CreateAsync(keys, RecordType, VaultJson.Serialize(value), Actor.Owner, ct);
        var entity = new RequestEntity
        {
            VaultId = keys.VaultId,
            Id = record.Id,
            RelationshipId = relationship.Id,
            Status = RequestStatuses.Sent,
            SentAt = now,
            DueAt = dueAt,
            DueSetByPerson = setByPerson,
            UpdatedAt = now,
        };
        db.Requests.Add(entity);
        WebhookOutbox.Enqueue(db, relationship, WebhookEventTypes.RequestCreated, new RequestCreatedData(relationship.Subject, VendorId(relationship, entity.Id), dueAt), now);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new RequestView(entity, relationship, value, []);
    }

    /// <summary>The due date the rule gives: one month after sending for data-protection kinds (GDPR Art. 12(3)), the configured default (if any) for service requests.</summary>
    public DateTimeOffset? DefaultDue(string kind, DateTimeOffset sentAt) =>
        RequestKinds.IsDataProtection(kind) ? sentAt.AddMonths(1)
        : options.ServiceRequestDueDays is { } days ? sentAt.AddDays(days) : null;

    /// <summary>The rule behind a request's due date, in words the person reads next to the date.</summary>
    public string DueRule(RequestEntity entity, string kind) =>
        entity.DueSetByPerson ? (entity.DueAt is null ? "No due date (you removed it)" : "Set by you")
        : RequestKinds.IsDataProtection(kind) ? "One month from receipt (GDPR Art. 12(3)); you can change it"
        : options.ServiceRequestDueDays is { } days ? $"{days} days from sending (the vault's setting); you can change it"
        : "No due date for service requests unless you set one";

    public async Task<IReadOnlyList<RequestView>> ListAsync(VaultKeys keys, Guid? relationshipId = null, CancellationToken ct = default)
    {
        var query = db.Requests.AsNoTracking().Where(r => r.VaultId == keys.VaultId);
        if (relationshipId is { } only)
        {
            query = query.Where(r => r.RelationshipId == only);
        }

        var rows = await query.OrderBy(r => r.Id).ToListAsync(ct);
        return await ViewsAsync(keys, rows, withReplies: false, ct);
    }

    public async Task<RequestView> GetAsync(VaultKeys keys, Guid id, CancellationToken ct = default)
    {
        var row = await db.Requests.AsNoTracking().SingleOrDefaultAsync(r => r.VaultId == keys.VaultId && r.Id == id, ct) ?? throw NotFound();
        return (await ViewsAsync(keys, [row], withReplies: true, ct))[0];
    }

    /// <summary>The requests addressed to one vendor, oldest first, with their threads.</summary>
    public async Task<IReadOnlyList<RequestView>> ListForVendorAsync(VaultKeys keys, RelationshipEntity relationship, CancellationToken ct = default)
    {
        var rows = await db.Requests.AsNoTracking().Where(r => r.VaultId == keys.VaultId && r.RelationshipId == relationship.Id).OrderBy(r => r.Id).ToListAsync(ct);
        return await ViewsAsync(keys, rows, withReplies: true, ct);
    }

    /// <summary>One request of this vendor by the id the vendor knows; null when there is none (another vendor's id included).</summary>
    public async Task<RequestEntity?> FindForVendorAsync(RelationshipEntity relationship, string vendorId, CancellationToken ct = default)
    {
        var ids = await db.Requests.AsNoTracking().Where(r => r.VaultId == relationship.VaultId && r.RelationshipId == relationship.Id).Select(r => r.Id).ToListAsync(ct);
        var id = ids.FirstOrDefault(i => VendorId(relationship, i) == vendorId);
        return id == Guid.Empty ? null : await db.Requests.SingleAsync(r => r.VaultId == relationship.VaultId && r.Id == id, ct);
    }

    /// <summary>
    /// A vendor's reply: checked in full first (status, text, every attachment's name, type and size), then the
    /// attachments, the reply and the status are written in the caller's transaction, so a refusal stores nothing.
    /// </summary>
    public async Task<RequestView> ReplyAsVendorAsync(VaultKeys keys, RelationshipEntity relationship, RequestEntity request, RequestReplyInput input, CancellationToken ct = default)
    {
        var text = CheckVendorReply(request, input);
        var attachments = input.Attachments ?? [];

        var actor = Actor.Vendor(relationship.ClientId);
        var refs = new List<AttachmentRef>();
        foreach (var attachment in attachments)
        {
            var sha = Convert.ToHexStringLower(SHA256.HashData(attachment.Content));
            var stored = await records.CreateAsync(keys, AttachmentRecordType, VaultJson.Serialize(new RequestAttachmentValue(request.Id, attachment.FileName, attachment.ContentType, sha, attachment.Content)), actor, ct);
            refs.Add(new AttachmentRef(stored.Id, attachment.FileName, attachment.ContentType, attachment.Content.Length, sha));
        }

        var now = time.GetUtcNow();
        await records.CreateAsync(keys, ReplyRecordType, VaultJson.Serialize(new RequestReplyValue(request.Id, AuthorVendor, text, input.Status, input.Question, refs)), actor, ct);
        if (input.Status is not null && input.Status != request.Status)
        {
            request.Status = input.Status;
            request.AnsweredAt = input.Status == RequestStatuses.Answered ? now : request.AnsweredAt;
        }

        request.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        return await GetAsync(keys, request.Id, ct);
    }

    /// <summary>
    /// Every check of a vendor's reply that needs no key (status, text, each attachment's name, type and size, the
    /// request still open): made before it is stored, and before it waits in the sealed inbox while the person is away.
    /// Returns the reply's text as stored.
    /// </summary>
    public static string? CheckVendorReply(RequestEntity request, RequestReplyInput input)
    {
        var attachments = input.Attachments ?? [];
        for (var i = 0; i < attachments.Count; i++)
        {
            if (attachments[i].Content is { Length: > MaxAttachmentBytes })
            {
                throw new RequestProblemException(ProblemCodes.AttachmentTooLarge, 413, "An attachment is too large; nothing was stored.",
                    $"Each attachment is at most {MaxAttachmentBytes / 1024} KiB; split a larger export into several files or replies.",
                    new Dictionary<string, string[]> { [$"attachments[{i}].content"] = [$"At most {MaxAttachmentBytes / 1024} KiB."] });
            }
        }

        var errors = new ValidationErrors();
        var text = Text(errors, "text", input.Text, MaxTextLength, required: input.Question, multiLine: true);
        if (input.Status is not null && !RequestStatuses.SetByVendor.Contains(input.Status))
        {
            errors.Add("status", "Use one of: " + string.Join(", ", RequestStatuses.SetByVendor) + ".");
        }

        if (attachments.Count > MaxAttachments)
        {
            errors.Add("attachments", $"At most {MaxAttachments} attachments per reply.");
        }

        for (var i = 0; i < attachments.Count; i++)
        {
            var name = attachments[i].FileName;
            if (string.IsNullOrWhiteSpace(name) || name.Length > 200 || name.IndexOfAny(['/', '\\']) >= 0 || VendorText.HasUnsafeCharacter(name) || name is "." or "..")
            {
                errors.Add($"attachments[{i}].file_name", "A file name is 1 to 200 characters without slashes or control characters.");
            }

            if (!AttachmentTypes.Contains(attachments[i].ContentType))
            {
                errors.Add($"attachments[{i}].content_type", "Use one of: " + string.Join(", ", AttachmentTypes) + ".");
            }

            if (attachments[i].Content is not { Length: > 0 })
            {
                errors.Add($"attachments[{i}].content", "An attachment cannot be empty.");
            }
        }

        if (text is null && input.Status is null && attachments.Count == 0)
        {
            errors.Add("$", "Send text, a status or an attachment.");
        }

        errors.ThrowIfAny(ProblemCodes.InvalidRequestReply, "The reply cannot be stored like this.");
        ThrowIfClosed(request);
        return text;
    }

    /// <summary>The person's reply (an answer to the vendor's question) and/or closing the request; the vendor hears of it by <c>request.updated</c>.</summary>
    public async Task<RequestView> ReplyAsOwnerAsync(VaultKeys keys, Guid id, OwnerRequestReplyInput input, CancellationToken ct = default)
    {
        var errors = new ValidationErrors();
        var text = Text(errors, "text", input.Text, MaxTextLength, required: !input.Close, multiLine: true);
        errors.ThrowIfAny(ProblemCodes.InvalidRequestReply, "The reply cannot be stored like this.");
        var request = await db.Requests.SingleOrDefaultAsync(r => r.VaultId == keys.VaultId && r.Id == id, ct) ?? throw NotFound();
        ThrowIfClosed(request);
        var relationship = await db.Relationships.AsNoTracking().SingleAsync(r => r.VaultId == keys.VaultId && r.Id == request.RelationshipId, ct);
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await records.CreateAsync(keys, ReplyRecordType, VaultJson.Serialize(new RequestReplyValue(request.Id, AuthorPerson, text, input.Close ? RequestStatuses.Closed : null, false, [])), Actor.Owner, ct);
        if (input.Close)
        {
            request.Status = RequestStatuses.Closed;
            request.ClosedAt = now;
        }

        request.UpdatedAt = now;
        if (relationship.EndedAt is null)
        {
            WebhookOutbox.Enqueue(db, relationship, WebhookEventTypes.RequestUpdated, new RequestUpdatedData(relationship.Subject, VendorId(relationship, request.Id), request.Status), now);
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return await GetAsync(keys, id, ct);
    }

    /// <summary>The person changes (or removes) one request's due date.</summary>
    public async Task<RequestView> SetDueAsync(VaultKeys keys, Guid id, DateTimeOffset? dueAt, CancellationToken ct = default)
    {
        var request = await db.Requests.SingleOrDefaultAsync(r => r.VaultId == keys.VaultId && r.Id == id, ct) ?? throw NotFound();
        if (dueAt is { } due && due <= request.SentAt)
        {
            throw new RequestProblemException(ProblemCodes.InvalidRequest, 400, "The request cannot be sent like this.", "See errors for each field and why.",
                new Dictionary<string, string[]> { ["dueAt"] = ["The due date must be after the request was sent."] });
        }

        request.DueAt = dueAt;
        request.DueSetByPerson = true;
        request.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return await GetAsync(keys, id, ct);
    }

    public async Task<(RequestAttachmentValue Value, Actor SuppliedBy)> GetAttachmentAsync(VaultKeys keys, Guid requestId, Guid attachmentId, CancellationToken ct = default)
    {
        var record = await records.FindAsync(keys, attachmentId, ct);
        var value = record is { Type: AttachmentRecordType } ? VaultJson.Deserialize<RequestAttachmentValue>(record.Json) : null;
        if (value is null || value.RequestId != requestId)
        {
            throw new RequestProblemException(ProblemCodes.AttachmentNotFound, 404, "Not found.", "That request has no attachment with this id.");
        }

        return (value, record!.UpdatedBy);
    }

    /// <summary>The id a vendor knows a request, reply or attachment by (pairwise, like field ids).</summary>
    public static string VendorId(RelationshipEntity relationship, Guid id) => PairwiseIds.FieldId(relationship.PairwiseKey, id);

    public static string KindInWords(string kind) => kind switch
    {
        RequestKinds.Access => "Copy of my data",
        RequestKinds.Rectification => "Correct my data",
        RequestKinds.Erasure => "Delete my data",
        RequestKinds.WithdrawConsent => "Stop marketing / withdraw consent",
        RequestKinds.RestrictProcessing => "Restrict processing",
        RequestKinds.Service => "Service request",
        _ => kind,
    };

    public RequestSummary ToSummary(RequestView view, DateTimeOffset now) => new(
        view.Entity.Id,
        new RequestVendor(view.Relationship.Id, view.Relationship.VendorName, view.Relationship.EndedAt is not null),
        view.Value.Kind,
        view.Value.Title ?? KindInWords(view.Value.Kind),
        view.Entity.Status,
        view.Entity.IsOverdue(now),
        view.Entity.SentAt,
        view.Entity.DueAt,
        DueRule(view.Entity, view.Value.Kind),
        view.Entity.UpdatedAt);

    public RequestDetail ToDetail(RequestView view, DateTimeOffset now) => new(
        ToSummary(view, now),
        view.Value.Text,
        view.Value.Purpose,
        view.Value.Corrections,
        [.. view.Replies.Select(r => new RequestReply(
            r.Record.Id,
            r.Value.Author,
            r.Value.Text,
            r.Value.Status,
            r.Value.Question,
            [.. r.Value.Attachments.Select(a => new RequestAttachment(a.Id, a.FileName, a.ContentType, a.Size, a.Sha256, view.Relationship.VendorName))],
            r.Record.CreatedAt))]);

    public static VendorRequest ToVendor(RequestView view) => new(
        VendorId(view.Relationship, view.Entity.Id),
        view.Relationship.Subject,
        view.Value.Kind,
        view.Entity.Status,
        view.Value.Title,
        view.Value.Text,
        view.Value.Purpose,
        view.Value.Corrections,
        view.Entity.DueAt,
        view.Entity.SentAt,
        view.Entity.UpdatedAt,
        [.. view.Replies.Select(r => new VendorRequestReply(
            VendorId(view.Relationship, r.Record.Id),
            r.Value.Author,
            r.Value.Text,
            r.Value.Status,
            r.Value.Question,
            [.. r.Value.Attachments.Select(a => new VendorAttachment(VendorId(view.Relationship, a.Id), a.FileName, a.ContentType, a.Size, a.Sha256))],
            r.Record.CreatedAt))]);

    private async Task<IReadOnlyList<RequestView>> ViewsAsync(VaultKeys keys, List<RequestEntity> rows, bool withReplies, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return [];
        }

        var relationshipIds = rows.Select(r => r.RelationshipId).Distinct().ToList();
        var relationships = await db.Relationships.AsNoTracking().Where(r => r.VaultId == keys.VaultId && relationshipIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id, ct);
        var replies = new Dictionary<Guid, List<(CurrentRecord, RequestReplyValue)>>();
        if (withReplies)
        {
            // Replies are few per person; they are read together and grouped, rather than one query per request.
            var wanted = rows.Select(r => r.Id).ToHashSet();
            foreach (var record in await records.ListAsync(keys, ReplyRecordType, ct))
            {
                var value = VaultJson.Deserialize<RequestReplyValue>(record.Json);
                if (wanted.Contains(value.RequestId))
                {
                    (replies.TryGetValue(value.RequestId, out var list) ? list : replies[value.RequestId] = []).Add((record, value));
                }
            }
        }

        var views = new List<RequestView>(rows.Count);
        foreach (var row in rows)
        {
            var record = await records.FindAsync(keys, row.Id, ct) ?? throw NotFound();
            views.Add(new RequestView(row, relationships[row.RelationshipId], VaultJson.Deserialize<RequestValue>(record.Json), replies.TryGetValue(row.Id, out var thread) ? thread : []));
        }

        return views;
    }

    private static void ThrowIfClosed(RequestEntity request)
    {
        if (request.Status == RequestStatuses.Closed)
        {
            throw new RequestProblemException(ProblemCodes.RequestClosed, 409, "That request is closed.", "The person closed this request; nothing more can be added to it. A new request can be sent.");
        }
    }

    private static RequestProblemException NotFound() =>
        new(ProblemCodes.RequestNotFound, 404, "Not found.", "No request with this id; see the list of requests for the ids.");

    private static string? Text(ValidationErrors errors, string field, string? value, int max, bool required, bool multiLine = false)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            if (required)
            {
                errors.Add(field, "Required.");
            }

            return null;
        }

        if (trimmed.Length > max)
        {
            errors.Add(field, $"At most {max.ToString(CultureInfo.InvariantCulture)} characters.");
        }
        else if (VendorText.HasUnsafeCharacter(trimmed, multiLine))
        {
            errors.Add(field, multiLine ? VendorText.MultiLineReason : VendorText.SingleLineReason);
        }

        return trimmed;
    }
}

/// <summary>Adds a code to <see cref="ValidationErrors"/> for request problems.</summary>
internal static class RequestValidation
{
    public static void ThrowIfAny(this ValidationErrors errors, string code, string title)
    {
        if (errors.Any)
        {
            throw new RequestProblemException(code, 400, title, "See errors for each field and why.", errors.ToDictionary());
        }
    }
}
