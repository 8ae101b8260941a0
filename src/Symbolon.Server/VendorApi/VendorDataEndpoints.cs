using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Profile;
using Symbolon.Core.Records;
using Symbolon.Core.Relationships;
using Symbolon.Core.Storage;
using Symbolon.Core.Validation;
using Symbolon.Server.Errors;
using Symbolon.Server.Inbox;

namespace Symbolon.Server.VendorApi;

/// <summary>
/// The vendor's writes (profile fields, notes) and the change feed under <c>/api/v1</c>. Every call, allowed or
/// refused, lands in the access log; every write accepts an <c>Idempotency-Key</c>. The writes declare their grant
/// (<see cref="VendorGrants"/>); the change feed logs what it found readable itself.
/// </summary>
internal static class VendorDataEndpoints
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public static RouteGroupBuilder MapVendorDataEndpoints(this RouteGroupBuilder data)
    {
        data.MapPost("/profile/fields", AppendFieldAsync)
            .RequireGrant(DataActions.Append, DecideAppend).Idempotent()
            .QueueWhileAway(ProfileKind, CheckAppend)
            .WithName("AppendVendorField").WithSummary("Adds a profile value (needs append on its datatype); versioned and attributed to the vendor.");
        data.MapPatch("/profile/fields/{fieldId}", UpdateFieldAsync)
            .RequireGrant(DataActions.Update, DecideUpdateAsync).Idempotent()
            .WithName("UpdateVendorField").WithSummary("Changes a profile value the vendor reads in full (needs update on its datatype); expected_version gives 409 on a lost update.");
        data.MapPost("/notes", AddNoteAsync)
            .RequireGrant(Datatypes.Notes, DataActions.Append, "This grant does not allow adding notes.").Idempotent()
            .QueueWhileAway(Datatypes.Notes, invocation =>
            {
                VendorNotes.CheckText(invocation.Argument<VendorNoteInput>().Text);
                return ValueTask.CompletedTask;
            })
            .WithName("AddVendorNote").WithSummary("Adds a note to the person's vault (needs append on notes).");
        data.MapGet("/notes", ListNotesAsync)
            .RequireGrant(Datatypes.Notes, DataActions.Read, "This grant does not allow reading notes.")
            .WithName("ListVendorNotes").WithSummary("The notes this vendor wrote (needs read on notes).");
        data.MapGet("/changes", GetChangesAsync)
            .WithName("GetVendorChanges").WithSummary("Changes to the fields the vendor may read, after a cursor, oldest first; ids and versions, no values.");
        return data;
    }

    /// <summary>What the sealed inbox names a queued profile value (its datatype varies).</summary>
    public const string ProfileKind = "profile";

    /// <summary>A value checked as it will be stored (its shape, its length, a date that is one), before it waits in the sealed inbox.</summary>
    private static ValueTask CheckAppend(EndpointFilterInvocationContext invocation)
    {
        var append = invocation.Argument<VendorFieldAppend>();
        var info = invocation.HttpContext.Target<DatatypeInfo>();
        try
        {
            var input = VendorValues.ToInput(ProfileService.KindOf(info.RecordType), append.Label, append.Value);
            ProfileValidator.Normalize(input.Kind, input.Label, input.Text, input.Name, input.Address, invocation.HttpContext.RequestServices.GetRequiredService<TimeProvider>());
        }
        catch (ValidationFailedException e)
        {
            throw VendorValues.ForVendor(e);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Appending needs append on the datatype the body names, which must be a profile datatype.</summary>
    private static ValueTask<VendorGrantDecision> DecideAppend(EndpointFilterInvocationContext invocation)
    {
        var append = invocation.Argument<VendorFieldAppend>();
        var info = DatatypeCatalog.Find(append.Datatype);
        if (info is null)
        {
            throw ValidationFailedException.For("datatype", "Unknown datatype; see datatypes in /.well-known/symbolon.");
        }

        if (!info.IsProfile)
        {
            throw ValidationFailedException.For("datatype", "Only profile datatypes are appended here; add notes with POST /api/v1/notes.");
        }

        var allowed = invocation.HttpContext.Caller().For(info.Id, DataActions.Append) is not null;
        return ValueTask.FromResult(new VendorGrantDecision([info.Id], allowed, "This grant does not allow adding " + info.Id + ".", info));
    }

    private static async Task<Created<VendorField>> AppendFieldAsync(VendorFieldAppend append, HttpContext context, ProfileService profiles, CancellationToken ct)
    {
        var caller = context.Caller();
        var info = context.Target<DatatypeInfo>();
        var input = VendorValues.ToInput(ProfileService.KindOf(info.RecordType), append.Label, append.Value);
        var field = await WithVendorNames(() => profiles.AddAsync(caller.Keys, input, Actor.Vendor(caller.Relationship.ClientId), ct));
        var shown = Present(caller, field, context);
        return TypedResults.Created($"{VendorApiEndpoints.Prefix}/profile/fields/{shown.Id}", shown);
    }

    /// <summary>
    /// Changing a field needs update on its datatype and a full (not narrowed) read grant on it. A field the vendor
    /// cannot read does not exist for it: 404 whether the id is another vendor's, a field of an ungranted datatype or
    /// made up, so the answer says nothing about what else is in the vault.
    /// </summary>
    private static async ValueTask<VendorGrantDecision> DecideUpdateAsync(EndpointFilterInvocationContext invocation)
    {
        var context = invocation.HttpContext;
        var caller = context.Caller();
        var fieldId = context.GetRouteValue("fieldId") as string;
        var profile = await context.RequestServices.GetRequiredService<ProfileService>().GetAsync(caller.Keys, context.RequestAborted);
        var field = profile.Fields.FirstOrDefault(f =>
            caller.For(VendorDisclosure.ProfileDatatype(f.Kind), DataActions.Read) is not null
            && PairwiseIds.FieldId(caller.Relationship.PairwiseKey, f.Id) == fieldId);
        var datatype = field is null ? null : VendorDisclosure.ProfileDatatype(field.Kind);
        if (field is null || datatype is null)
        {
            await Log(context, DataActions.Update, [], allowed: false, StatusCodes.Status404NotFound);
            throw new RecordNotFoundException(Guid.Empty);
        }

        var allowed = caller.For(datatype, DataActions.Update) is not null && caller.For(datatype, DataActions.Read)!.Narrowing == Narrowings.Full;
        return new VendorGrantDecision([datatype], allowed, $"Changing {datatype} needs update on it and a full (not narrowed) read grant.", field);
    }

    private static async Task<Ok<VendorField>> UpdateFieldAsync(VendorFieldUpdate update, HttpContext context, ProfileService profiles, CancellationToken ct)
    {
        var caller = context.Caller();
        var field = context.Target<ProfileField>();
        var change = VendorValues.ToUpdate(field.Kind, update.Label ?? field.Label, update.Value, update.ExpectedVersion);
        var updated = await WithVendorNames(() => profiles.UpdateAsync(caller.Keys, field.Id, change, Actor.Vendor(caller.Relationship.ClientId), ct));
        return TypedResults.Ok(Present(caller, updated, context));
    }

    private static async Task<Created<VendorNote>> AddNoteAsync(VendorNoteInput note, HttpContext context, VendorNotes notes, CancellationToken ct)
    {
        var caller = context.Caller();
        var record = await notes.AddAsync(caller.Keys, caller.Relationship.ClientId, note.Text, ct);
        return TypedResults.Created($"{VendorApiEndpoints.Prefix}/notes",
            new VendorNote(PairwiseIds.FieldId(caller.Relationship.PairwiseKey, record.Id), VaultJson.Deserialize<NoteValue>(record.Json).Text, record.CreatedAt));
    }

    private static async Task<Ok<IReadOnlyList<VendorNote>>> ListNotesAsync(HttpContext context, VendorNotes notes, CancellationToken ct)
    {
        var caller = context.Caller();
        var own = await notes.ListAsync(caller.Keys, caller.Relationship.ClientId, ct);
        return TypedResults.Ok<IReadOnlyList<VendorNote>>([.. own.Select(n => new VendorNote(PairwiseIds.FieldId(caller.Relationship.PairwiseKey, n.Record.Id), n.Value.Text, n.Record.CreatedAt))]);
    }

    private static async Task<IResult> GetChangesAsync(HttpContext context, ChangeFeed feed, string? after, int? limit, CancellationToken ct)
    {
        var caller = context.Caller();
        var readable = caller.Granted.Where(g => g.Allows(DataActions.Read) && DatatypeCatalog.Find(g.Datatype) is not null).Select(g => g.Datatype).Distinct().ToList();
        if (readable.Count == 0)
        {
            await Log(context, ChangesAction, [], allowed: false, StatusCodes.Status403Forbidden);
            return VendorApiEndpoints.NotGranted("This grant does not allow reading any datatype, so there are no changes to list.");
        }

        var position = 0L;
        if (!string.IsNullOrEmpty(after) && !ChangeCursor.TryDecode(after, out position))
        {
            await Log(context, ChangesAction, readable, allowed: false, StatusCodes.Status400BadRequest);
            return TypedResults.Problem(ProblemCatalog.Create(ProblemCodes.InvalidCursor, StatusCodes.Status400BadRequest, "That cursor is not valid.",
                "Pass a next_cursor or a change's cursor from an earlier page, or leave after out to start from the beginning."));
        }

        if (limit is < 1 or > ChangeFeed.MaxLimit)
        {
            await Log(context, ChangesAction, readable, allowed: false, StatusCodes.Status400BadRequest);
            throw ValidationFailedException.For("limit", $"limit is 1 to {ChangeFeed.MaxLimit}.");
        }

        var profileTypes = readable.Where(d => DatatypeCatalog.Find(d)!.IsProfile).Select(d => DatatypeCatalog.Find(d)!.RecordType).ToList();
        var ownTypes = readable.Where(DatatypeCatalog.OwnRecordDatatypes.Contains).Select(d => DatatypeCatalog.Find(d)!.RecordType).ToList();
        var (rows, more) = await feed.ReadAsync(caller.Relationship.VaultId, profileTypes, ownTypes, caller.Relationship.ClientId, position, limit ?? ChangeFeed.DefaultLimit, ct);
        var changes = rows.Select(c => new FieldChange(
            ChangeCursor.Encode(c.Sequence),
            DatatypeCatalog.ForRecordType(c.RecordType)!.Id,
            PairwiseIds.FieldId(caller.Relationship.PairwiseKey, c.RecordId),
            c.Operation,
            c.Version,
            c.ChangedAt)).ToList();
        var next = rows.Count > 0 ? changes[^1].Cursor : ChangeCursor.Encode(position);
        await Log(context, ChangesAction, readable, allowed: true, StatusCodes.Status200OK);
        return TypedResults.Ok(new ChangeFeedPage(changes, next, more));
    }

    private const string ChangesAction = "changes";

    /// <summary>A field as the vendor that wrote it sees it: narrowed by its read grant when it has one.</summary>
    private static VendorField Present(VendorCaller caller, ProfileField field, HttpContext context)
    {
        var datatype = VendorDisclosure.ProfileDatatype(field.Kind);
        var narrowing = caller.For(datatype, DataActions.Read)?.Narrowing ?? Narrowings.Full;
        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        return new VendorField(
            PairwiseIds.FieldId(caller.Relationship.PairwiseKey, field.Id),
            datatype,
            narrowing == Narrowings.Full ? field.Label : null,
            narrowing,
            VendorDisclosure.Value(field, narrowing, now),
            field.Version,
            field.UpdatedAt);
    }

    private static async Task<T> WithVendorNames<T>(Func<Task<T>> write)
    {
        try
        {
            return await write();
        }
        catch (ValidationFailedException e)
        {
            throw VendorValues.ForVendor(e);
        }
    }

    private static Task Log(HttpContext context, string action, IEnumerable<string> datatypes, bool allowed, int status)
    {
        var caller = context.Caller();
        return VendorAccessLog.AppendAsync(context, caller.Relationship, caller.Grant, action, datatypes, allowed, status);
    }
}

/// <summary>
/// Runs one vendor write in a transaction with its access-log line and, when the request carries an
/// Idempotency-Key, the stored response: a retry with the same key and request gets the same status and body
/// without writing again; the same key with another request is refused (422). Only successful responses are kept;
/// a refused write is decided afresh on retry, which gives the same answer unless the grant or data changed.
/// </summary>
internal static class VendorWrites
{
    public static async Task<IResult> RunAsync(HttpContext context, string action, IReadOnlyList<string> datatypes, object request, bool allowed, string notGranted, Func<Task<StoredResponse>> write)
    {
        var caller = context.Caller();
        var services = context.RequestServices;
        var db = services.GetRequiredService<SymbolonDbContext>();
        var relationships = services.GetRequiredService<RelationshipService>();
        var store = services.GetRequiredService<IdempotencyStore>();
        var ct = context.RequestAborted;

        var idempotency = IdempotencyKeyOf(context);
        if (idempotency is { Valid: false })
        {
            await VendorAccessLog.AppendAsync(context, caller.Relationship, caller.Grant, action, datatypes, allowed: false, StatusCodes.Status400BadRequest);
            throw BadIdempotencyKey();
        }

        var key = idempotency?.Value;
        var replay = context.Replay();

        if (!allowed)
        {
            await VendorAccessLog.AppendAsync(context, caller.Relationship, caller.Grant, action, datatypes, allowed: false, StatusCodes.Status403Forbidden);
            return VendorApiEndpoints.NotGranted(notGranted);
        }

        var hash = IdempotencyStore.Hash(context.Request.Method, context.Request.Path.Value ?? "", request);
        for (var attempt = 0; ; attempt++)
        {
            if (key is not null && await store.FindAsync(caller.Relationship.VaultId, caller.Relationship.Id, key, ct) is { } done)
            {
                return await ReplayAsync(context, relationships, action, datatypes, done, hash);
            }

            // Its own transaction; or, inside one already begun (the inbox applies a batch of writes in one), a savepoint.
            await using var transaction = await WriteTransaction.BeginAsync(db, ct);
            try
            {
                IdempotencyEntity? claim = null;
                if (key is not null && (claim = await store.ClaimAsync(caller.Relationship.VaultId, caller.Relationship.Id, key, hash, ct)) is null)
                {
                    // Committed between the look-up and the transaction: replay it.
                    await transaction.RollbackAsync();
                    db.ChangeTracker.Clear();
                    continue;
                }

                // The relationship's daily quota (VendorQuotas), charged here so that a replayed Idempotency-Key is not
                // charged twice, and given back when the write fails.
                using var charge = services.GetRequiredService<VendorQuotas>().Take(caller.Relationship.Id, action, datatypes, request);
                var response = await write();
                if (claim is not null)
                {
                    IdempotencyStore.Complete(caller.Keys, claim, response);
                }

                if (replay is not null)
                {
                    // Applied from the inbox: the item is marked, and the vendor told, in the write's own transaction.
                    await InboxApplier.SettleAsync(db, caller.Relationship, replay.Item, response.StatusCode, response.Body, services.GetRequiredService<TimeProvider>().GetUtcNow(), ct);
                }

                await relationships.LogAccessAsync(caller.Relationship, caller.Grant, action, datatypes, allowed: true, response.StatusCode, save: true, ct: ct);
                await transaction.CommitAsync(ct);
                charge.Keep();
                services.GetRequiredService<KeyUseTally>().Note(caller.LiveSession, caller.Relationship.Id, write: true, services.GetRequiredService<TimeProvider>().GetUtcNow());
                return new RawJson(response);
            }
            catch (DbUpdateException) when (key is not null && attempt < 3)
            {
                // Another request with the same key claimed it first (or SQLite refused to upgrade a stale read);
                // look again, and replay its answer once it has committed.
                await transaction.RollbackAsync();
                db.ChangeTracker.Clear();
            }
            catch (Exception e) when (ProblemCatalog.FromException(e) is { } problem)
            {
                await transaction.RollbackAsync();
                db.ChangeTracker.Clear();
                await VendorAccessLog.AppendAsync(context, caller.Relationship, caller.Grant, action, datatypes, allowed: false, problem.Status ?? 400);
                throw;
            }
        }
    }

    /// <summary>Answers a retried write with the stored answer of its Idempotency-Key (422 for another request).</summary>
    internal static async Task<IResult> ReplayAsync(HttpContext context, RelationshipService relationships, string action, IReadOnlyList<string> datatypes, IdempotencyEntity done, byte[] hash)
    {
        var caller = context.Caller();
        if (!System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(done.RequestHash, hash))
        {
            await VendorAccessLog.AppendAsync(context, caller.Relationship, caller.Grant, action, datatypes, allowed: false, StatusCodes.Status422UnprocessableEntity);
            return KeyReused();
        }

        var stored = IdempotencyStore.Open(caller.Keys, done);
        await VendorAccessLog.AppendAsync(context, caller.Relationship, caller.Grant, action, datatypes, allowed: true, stored.StatusCode);
        context.Response.Headers["Idempotent-Replayed"] = "true";
        return new RawJson(stored);
    }

    /// <summary>
    /// The transaction of one vendor write: its own, or a savepoint in the transaction already begun on the context (the
    /// inbox applies a batch of writes in one transaction, each write exactly as a live one, rolled back alone on failure).
    /// </summary>
    private sealed class WriteTransaction : IAsyncDisposable
    {
        private const string Savepoint = "vendor_write";
        private readonly Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction _transaction;
        private readonly bool _own;
        private bool _done;

        private WriteTransaction(Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction transaction, bool own) => (_transaction, _own) = (transaction, own);

        public static async Task<WriteTransaction> BeginAsync(SymbolonDbContext db, CancellationToken ct)
        {
            if (db.Database.CurrentTransaction is { } outer)
            {
                await outer.CreateSavepointAsync(Savepoint, ct);
                return new WriteTransaction(outer, own: false);
            }

            return new WriteTransaction(await db.Database.BeginTransactionAsync(ct), own: true);
        }

        public async Task CommitAsync(CancellationToken ct)
        {
            _done = true;
            await (_own ? _transaction.CommitAsync(ct) : _transaction.ReleaseSavepointAsync(Savepoint, ct));
        }

        public async Task RollbackAsync()
        {
            _done = true;
            await (_own ? _transaction.RollbackAsync(CancellationToken.None) : _transaction.RollbackToSavepointAsync(Savepoint, CancellationToken.None));
        }

        public async ValueTask DisposeAsync()
        {
            if (_own)
            {
                await _transaction.DisposeAsync();
            }
            else if (!_done)
            {
                await _transaction.RollbackToSavepointAsync(Savepoint, CancellationToken.None);
            }
        }
    }

    /// <summary>The request's Idempotency-Key: null without one, not <c>Valid</c> when malformed or sent twice.</summary>
    public static (bool Valid, string? Value)? IdempotencyKeyOf(HttpContext context)
    {
        if (!context.Request.Headers.TryGetValue(VendorDataEndpoints.IdempotencyKeyHeader, out var header))
        {
            return null;
        }

        var key = header.ToString();
        return header.Count == 1 && IdempotencyStore.IsWellFormed(key) ? (true, key) : (false, null);
    }

    public static ValidationFailedException BadIdempotencyKey() =>
        ValidationFailedException.For(VendorDataEndpoints.IdempotencyKeyHeader, $"An Idempotency-Key is 1 to {IdempotencyStore.MaxKeyLength} visible ASCII characters, sent once.");

    public static ProblemHttpResult KeyReused() =>
        TypedResults.Problem(ProblemCatalog.Create(ProblemCodes.IdempotencyKeyReused, StatusCodes.Status422UnprocessableEntity, "That Idempotency-Key was used for another request.",
            "Use a new Idempotency-Key for a new request; a key is only for retrying the same one (for 24 hours)."));

    /// <summary>Writes a stored response exactly: status, Location and the JSON bytes.</summary>
    private sealed class RawJson(StoredResponse response) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = response.StatusCode;
            if (response.Location is not null)
            {
                httpContext.Response.Headers.Location = response.Location;
            }

            httpContext.Response.ContentType = "application/json";
            await httpContext.Response.Body.WriteAsync(response.Body, httpContext.RequestAborted);
        }
    }
}
