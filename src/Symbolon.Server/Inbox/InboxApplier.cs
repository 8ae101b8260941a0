using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Inbox;
using Symbolon.Core.Relationships;
using Symbolon.Core.Storage;
using Symbolon.Core.Vaults;
using Symbolon.Core.Webhooks;
using Symbolon.Server.Errors;

namespace Symbolon.Server.Inbox;

/// <summary>
/// Applies a vault's sealed inbox when it is unlocked: each item, in arrival order, is opened with the vault's private
/// key and run through its vendor route's own code (the endpoint's request delegate: binding, the grant filter, the
/// idempotent write, the access log) as the request it was, bound to the vendor's relationship and grant as they are
/// now. An applied write marks its item in its own transaction, so a crash never applies one twice; a write that no
/// longer applies is marked refused and the vendor told; an item that does not open is kept aside and reported.
/// </summary>
internal sealed partial class InboxApplier(
    IServiceScopeFactory scopes, InboxGate gate, EndpointDataSource endpoints, IHttpContextAccessor accessor, TimeProvider time, ILogger<InboxApplier> logger) : IVaultSessionModule
{
    private const int BatchSize = 256;

    // Items applied in one transaction, each in a savepoint of its own: one commit (one fsync) for many writes; a crash
    // loses the uncommitted ones whole, which the next run applies again.
    private const int CommitEvery = 64;

    /// <summary>The last run's figures, for tests and the bench: items applied, refused and unopenable, and how long it took.</summary>
    public (int Applied, int Refused, int Unopenable, TimeSpan Took) LastRun { get; private set; }

    public Task OnUnlockedAsync(VaultSession session, IServiceProvider services, CancellationToken ct)
    {
        // Off the modules' sequence: the inbox does not wait for the transactions to warm up.
        _ = Task.Run(() => RunAsync(session, ct), CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Applies every pending item of the session's vault; returns once the inbox is drained or the vault locks.</summary>
    public async Task RunAsync(VaultSession session, CancellationToken ct)
    {
        var vaultId = session.VaultId;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, session.Locked);
        var applying = gate.Applying(vaultId);
        try
        {
            await applying.WaitAsync(stop.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        try
        {
            var started = time.GetTimestamp();
            var (applied, refused, unopenable) = (0, 0, 0);
            for (var failures = 0; !stop.IsCancellationRequested;)
            {
                try
                {
                    long after = 0;
                    while (true)
                    {
                        var version = gate.Version(vaultId);
                        List<InboxItemEntity> batch;
                        await using (var scope = scopes.CreateAsyncScope())
                        {
                            batch = await scope.ServiceProvider.GetRequiredService<SealedInbox>().NextPendingAsync(vaultId, after, BatchSize, stop.Token);
                        }

                        if (batch.Count == 0)
                        {
                            // Items may commit out of sequence order: look once more from the start before calling it drained.
                            if (after != 0)
                            {
                                after = 0;
                                continue;
                            }

                            if (gate.TryFinish(vaultId, version))
                            {
                                break;
                            }

                            // A write is being queued right now: wait for it.
                            await Task.Delay(5, stop.Token);
                            continue;
                        }

                        foreach (var chunk in batch.Chunk(CommitEvery))
                        {
                            stop.Token.ThrowIfCancellationRequested();
                            foreach (var (item, state) in await ApplyChunkAsync(session, chunk, stop.Token))
                            {
                                gate.Settled(item);
                                _ = state switch
                                {
                                    InboxItemState.Applied => applied++,
                                    InboxItemState.Refused => refused++,
                                    _ => unopenable++,
                                };
                            }

                            after = chunk[^1].Sequence;
                        }
                    }

                    break;
                }
                catch (Exception e) when (e is OperationCanceledException or VaultLockedException or ObjectDisposedException)
                {
                    return;
                }
#pragma warning disable CA1031 // A failure leaves the rest pending; it is tried again, and the next unlock tries again too.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    LogRunFailed(e.GetType().Name);
                    try
                    {
                        await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, 1 << Math.Min(++failures, 5))), stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            }

            LastRun = (applied, refused, unopenable, time.GetElapsedTime(started));
            if (applied + refused + unopenable > 0)
            {
                LogApplied(vaultId, applied, refused, unopenable, (long)LastRun.Took.TotalMilliseconds);
            }
        }
        finally
        {
            applying.Release();
        }
    }

    private async Task<List<(InboxItemEntity Item, InboxItemState State)>> ApplyChunkAsync(VaultSession session, InboxItemEntity[] chunk, CancellationToken ct)
    {
        const string Savepoint = "inbox_item";
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<SymbolonDbContext>();
        var outcomes = new List<(InboxItemEntity, InboxItemState)>(chunk.Length);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        foreach (var item in chunk)
        {
            ct.ThrowIfCancellationRequested();
            await transaction.CreateSavepointAsync(Savepoint, ct);
            InboxItemState state;
            try
            {
                state = await ApplyAsync(services, db, session, item, ct);
                await transaction.ReleaseSavepointAsync(Savepoint, ct);
            }
            catch (Exception e) when (e is not (OperationCanceledException or VaultLockedException or ObjectDisposedException or System.Data.Common.DbException or Microsoft.EntityFrameworkCore.DbUpdateException))
            {
                // A fault of this item alone (the database and the lock stop the run instead): it is undone, refused,
                // reported to the person and the vendor, and the rest go on.
                await transaction.RollbackToSavepointAsync(Savepoint, ct);
                db.ChangeTracker.Clear();
                LogItemFailed(item.Id, e.GetType().Name);
                item.State = InboxItemState.Pending;
                state = await RefuseAsync(db, item, StatusCodes.Status500InternalServerError, Contracts.Problems.ProblemCodes.Unexpected, ct);
            }

            db.ChangeTracker.Clear();
            outcomes.Add((item, state));
        }

        await transaction.CommitAsync(ct);
        return outcomes;
    }

    private async Task<InboxItemState> ApplyAsync(IServiceProvider services, SymbolonDbContext db, VaultSession session, InboxItemEntity item, CancellationToken ct)
    {
        // Read as pending by this run, the vault's only applier (InboxGate.Applying): nobody else settles it meanwhile.
        var request = SealedInbox.Open(session.Keys, item);
        var endpoint = request is null ? null : Find(item.Route);
        if (request is null || endpoint is null)
        {
            await SealedInbox.SettleAsync(db, item, InboxItemState.Unopenable, null, null, time.GetUtcNow(), ct);
            LogUnopenable(item.VaultId, item.Id);
            return InboxItemState.Unopenable;
        }

        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = request.Method;
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("inbox.invalid");
        context.Request.Path = request.Path;
        foreach (var (name, value) in request.RouteValues)
        {
            context.Request.RouteValues[name] = value;
        }

        context.Request.ContentType = "application/json";
        context.Request.ContentLength = request.Body.Length;
        context.Request.Body = new MemoryStream(request.Body, writable: false);
        context.Features.Set<IHttpRequestBodyDetectionFeature>(HasBody.Instance);
        if (item.IdempotencyKey is not null)
        {
            context.Request.Headers[VendorApi.VendorDataEndpoints.IdempotencyKeyHeader] = item.IdempotencyKey;
        }

        using var response = new MemoryStream();
        context.Response.Body = response;
        context.Items[VendorInbox.ReplayKey] = new InboxReplay(item, session);
        context.RequestAborted = ct;
        context.SetEndpoint(endpoint);
        accessor.HttpContext = context;
        int status;
        string? problem = null;
        try
        {
            await endpoint.RequestDelegate!(context);
            status = context.Response.StatusCode;
            problem = status >= 400 ? StringProperty(response.ToArray(), "code") : null;
        }
        catch (Exception e) when (ProblemCatalog.FromException(e) is { } details)
        {
            status = details.Status ?? 400;
            problem = details.Extensions.TryGetValue("code", out var code) ? code as string : null;
        }
        finally
        {
            accessor.HttpContext = null;
        }

        if (status < 400)
        {
            // The write marked its item with its own changes; a replayed Idempotency-Key (applied live before) did not.
            if (item.State == InboxItemState.Pending)
            {
                await SealedInbox.SettleAsync(db, item, InboxItemState.Applied, status, null, time.GetUtcNow(), ct);
            }

            return InboxItemState.Applied;
        }

        // Undone by the write itself (its savepoint); the item may have been marked in memory before that.
        db.ChangeTracker.Clear();
        item.State = InboxItemState.Pending;
        return await RefuseAsync(db, item, status, problem, ct);
    }

    // Marks the item refused and tells the vendor, in the chunk's transaction.
    private async Task<InboxItemState> RefuseAsync(SymbolonDbContext db, InboxItemEntity item, int status, string? problem, CancellationToken ct)
    {
        var relationship = await db.Relationships.FindAsync([item.VaultId, item.RelationshipId], ct);
        if (await SealedInbox.SettleAsync(db, item, InboxItemState.Refused, status, problem, time.GetUtcNow(), ct) && relationship is not null)
        {
            WebhookOutbox.Enqueue(db, relationship, WebhookEventTypes.InboxRefused, new InboxOutcomeData(relationship.Subject, item.Id.ToString(), status, null, problem), time.GetUtcNow());
            await db.SaveChangesAsync(ct);
        }

        return InboxItemState.Refused;
    }

    /// <summary>Marks an applied item and tells the vendor (saved with the write's next save), in the transaction of the write that applied it.</summary>
    public static async Task SettleAsync(SymbolonDbContext db, RelationshipEntity relationship, InboxItemEntity item, int status, byte[] body, DateTimeOffset now, CancellationToken ct)
    {
        if (await SealedInbox.SettleAsync(db, item, InboxItemState.Applied, status, null, now, ct))
        {
            WebhookOutbox.Enqueue(db, relationship, WebhookEventTypes.InboxApplied, new InboxOutcomeData(relationship.Subject, item.Id.ToString(), status, StringProperty(body, "id"), null), now);
        }
    }

    /// <summary>A top-level string property of a JSON answer (a resource's <c>id</c>, a problem's <c>code</c>), or null.</summary>
    private static string? StringProperty(byte[] body, string name)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private RouteEndpoint? Find(string route) =>
        endpoints.Endpoints.OfType<RouteEndpoint>().FirstOrDefault(e => e.Metadata.GetMetadata<QueueWhileAwayMetadata>() is not null && e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName == route);

    /// <summary>Tells model binding the request has a body (a server sets this from the wire; a made-up request has none by default).</summary>
    private sealed class HasBody : IHttpRequestBodyDetectionFeature
    {
        public static readonly HasBody Instance = new();

        public bool CanHaveBody => true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Vault {VaultId}: the inbox gave {Applied} applied, {Refused} refused and {Unopenable} unopenable items in {Milliseconds} ms.")]
    private partial void LogApplied(Guid vaultId, int applied, int refused, int unopenable, long milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Vault {VaultId}: inbox item {ItemId} did not open; it is kept aside and not applied.")]
    private partial void LogUnopenable(Guid vaultId, Guid itemId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Inbox item {ItemId} failed to apply ({Error}); it is refused and reported.")]
    private partial void LogItemFailed(Guid itemId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Applying the inbox failed ({Error}); the rest stays pending and is tried again.")]
    private partial void LogRunFailed(string error);
}
