using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Statements;
using Symbolon.Core.Problems;
using Symbolon.Core.Records;
using Symbolon.Core.Storage;
using Symbolon.Core.Vaults;

namespace Symbolon.Core.Statements;

/// <summary>What to import: the format hint, and for CSV a mapping or the name of a saved profile.</summary>
internal sealed record ImportRequest(string? Format = null, CsvMapping? Mapping = null, string? ProfileName = null, string? FileName = null);

/// <summary>
/// One unlocked vault's transactions, owned by its <see cref="VaultSession"/>: the projection (loaded once, in the
/// background right after unlock or by the first request that needs it), the analytics database over it, and the
/// gate that lets one import at a time change them. Dropped with the session when the vault locks.
/// </summary>
internal sealed class VaultTransactions(VaultSession session) : IDisposable
{
    private readonly Lock _lock = new();
    private Task<TransactionProjection>? _loading;
    private VaultAnalytics? _analytics;
    private bool _disposed;

    public SemaphoreSlim ImportGate { get; } = new(1, 1);

    /// <summary>How long the last load took (decrypting every chunk and building the columns), for the bench and logs.</summary>
    public TimeSpan? LoadTime { get; private set; }

    /// <summary>True once the projection has been loaded (for tests: a locked session holds none).</summary>
    public bool IsLoaded => _loading is { IsCompletedSuccessfully: true };

    /// <summary>True while the session holds an analytics database.</summary>
    public bool HasAnalytics => _analytics is not null;

    /// <summary>The analytics database if one was created (a load fills it as it goes), else null.</summary>
    public VaultAnalytics? CreatedAnalytics
    {
        get
        {
            lock (_lock)
            {
                return _analytics;
            }
        }
    }

    public Task<TransactionProjection> GetAsync(Func<Task<TransactionProjection>> load)
    {
        lock (_lock)
        {
            session.ThrowIfLocked();
            if (_loading is null || _loading.IsFaulted || _loading.IsCanceled)
            {
                _loading = Measure(load);
            }

            return _loading;
        }
    }

    /// <summary>The vault's analytics database, created on first use with <paramref name="limits"/>.</summary>
    public VaultAnalytics Analytics(AnalyticsLimits limits)
    {
        lock (_lock)
        {
            session.ThrowIfLocked();
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _analytics ??= new VaultAnalytics(limits);
        }
    }

    public void Dispose()
    {
        VaultAnalytics? analytics;
        lock (_lock)
        {
            _disposed = true;
            _loading = null;
            analytics = _analytics;
            _analytics = null;
        }

        analytics?.Dispose();
    }

    private async Task<TransactionProjection> Measure(Func<Task<TransactionProjection>> load)
    {
        var started = Stopwatch.GetTimestamp();
        var projection = await load();
        LoadTime = Stopwatch.GetElapsedTime(started);
        return projection;
    }
}

/// <summary>Work another module does after every committed import (payments look for the references they wait for).</summary>
internal interface IStatementImportFollowUp
{
    /// <summary>Runs after the import committed; must not throw for anything but cancellation.</summary>
    Task ImportedAsync(VaultSession session, ImportSummary summary, CancellationToken ct);
}

/// <summary>
/// The import pipeline, streaming: the file is read once from its start to its end, and each row is deduped against
/// the vault's projection, categorized and put into a chunk; full chunks are compressed and sealed on the other
/// cores while reading goes on (see <see cref="ImportBatchWriter"/>). Nothing is stored before the whole file has
/// been read: the first error refuses it, and the sealed chunks and the batch row are stored in one SaveChanges (one
/// database transaction). The new rows join the projection from the columns the import built, after the commit.
/// </summary>
internal sealed class StatementImporter(SymbolonDbContext db, TimeProvider time, RecordStore records, ImportOptions? options = null, IEnumerable<IStatementImportFollowUp>? followUps = null)
{
    private readonly ImportOptions _options = options ?? new ImportOptions();

    public const int ChunkSize = 8192;
    public const string ProfileRecordType = "import.profile";

    private static readonly JsonSerializerOptions Json = VaultJson.Options;

    /// <summary>Imports a file held in memory (the web app's upload, tests).</summary>
    public Task<ImportSummary> ImportAsync(VaultSession session, ReadOnlyMemory<byte> file, ImportRequest request, IProgress<ImportProgress>? progress = null, CancellationToken ct = default) =>
        ImportAsync(session, StatementSource.FromMemory(file), request, progress, ct);

    /// <summary>
    /// Imports the statement <paramref name="file"/> streams (a request body, a file), reading it once; a
    /// <see cref="StatementSource"/> opened by the caller (to preview its head) is read on from where it is.
    /// </summary>
    public async Task<ImportSummary> ImportAsync(VaultSession session, Stream file, ImportRequest request, IProgress<ImportProgress>? progress = null, CancellationToken ct = default)
    {
        // Note: every import has a deadline on the vault's clock as well as the caller's token (the request's abort):
        // a file crafted to be slow to read stops, and stores nothing, instead of holding a core and the vault's
        // import gate for as long as it runs.
        using var deadline = new CancellationTokenSource(_options.MaxTime, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        ImportSummary summary;
        try
        {
            summary = await ImportWithinAsync(session, file, request, progress, linked.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new ImportTookTooLongException(_options.MaxTime);
        }

        // What other modules do with new transactions (payments settle from them), once they are stored and the
        // import gate is free again; a follow-up's failure does not undo the import.
        foreach (var followUp in followUps ?? [])
        {
            await followUp.ImportedAsync(session, summary, ct);
        }

        return summary;
    }

    private async Task<ImportSummary> ImportWithinAsync(VaultSession session, Stream file, ImportRequest request, IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        var keys = session.Keys;
        var source = await StatementSource.OpenAsync(file, null, ct);
        if (source.Head.Length == 0)
        {
            throw new StatementException("line 1", "the file is empty.");
        }

        var format = request.Format?.Trim().ToLowerInvariant() ?? Detect(source.Head.Span);
        if (!StatementFormats.All.Contains(format))
        {
            throw new UnknownStatementFormatException("Choose csv, ofx or camt as the format.");
        }

        var mapping = format == StatementFormats.Csv ? await MappingAsync(keys, source, request, ct) : null;
        if (mapping is not null)
        {
            CsvStatementReader.Validate(mapping);
        }

        var projection = await ProjectionAsync(session, ct);
        var vault = session.Transactions;
        await vault.ImportGate.WaitAsync(ct);
        try
        {
            // Categorized by the vault's rules as they are when reading starts; should they change before the commit,
            // the commit is followed by a recategorization (below), as a rule change is.
            var ruleBook = new Insights.CategoryRuleBook(records);
            var (ruleRecord, rules) = await ruleBook.ReadRulesAsync(keys, ct);
            var now = time.GetUtcNow();
            var batchId = UuidV7.Create(now);
            var batch = new ImportBatchWriter(keys, batchId, projection, new CategoryRules(rules), source, progress);
            try
            {
                switch (format)
                {
                    case StatementFormats.Ofx:
                        await OfxStatementReader.ReadAsync(source, batch, ct);
                        break;
                    case StatementFormats.Camt:
                        await CamtStatementReader.ReadAsync(source, batch, ct);
                        break;
                    default:
                        await CsvStatementReader.ReadAsync(source, mapping!, batch, ct);
                        break;
                }

                var chunks = await batch.CompleteAsync();
                var summary = new ImportSummary(batchId, now, format, CleanFileName(request.FileName), batch.Read, batch.Added, batch.Read - batch.Added, batch.Accounts);
                db.ImportBatches.Add(new ImportBatchEntity
                {
                    VaultId = keys.VaultId,
                    Id = batchId,
                    ImportedAt = now,
                    TransactionCount = batch.Added,
                    DuplicateCount = summary.DuplicatesSkipped,
                    ChunkCount = chunks.Count,
                    SealedSummary = keys.Seal(JsonSerializer.SerializeToUtf8Bytes(summary, Json), VaultCrypto.ImportSummaryAad(keys.VaultId, batchId)),
                });
                db.TransactionChunks.AddRange(chunks);
                await db.SaveChangesAsync(ct);
                db.ChangeTracker.Clear();
                batch.Commit();
                if ((await ruleBook.ReadRulesAsync(keys, ct)).Record?.Version != ruleRecord?.Version)
                {
                    await ruleBook.ApplyAsync(keys, projection, ct);
                }

                return summary;
            }
            finally
            {
                await batch.AbandonAsync();
            }
        }
        finally
        {
            vault.ImportGate.Release();
        }
    }

    /// <summary>The vault's projection, loading it if this process has not yet.</summary>
    public Task<TransactionProjection> ProjectionAsync(VaultSession session, CancellationToken ct = default) =>
        session.Transactions.GetAsync(() => new TransactionProjectionLoader(db, records).LoadAsync(session.Keys, session.Transactions.CreatedAnalytics, ct));

    /// <summary>Decrypts every chunk of the vault (in parallel) and builds the projection in import order.</summary>
    public Task<TransactionProjection> LoadAsync(VaultKeys keys, CancellationToken ct = default) =>
        new TransactionProjectionLoader(db, records).LoadAsync(keys, null, ct);

    /// <summary>The vault's imports, newest first.</summary>
    public async Task<IReadOnlyList<ImportSummary>> HistoryAsync(VaultKeys keys, CancellationToken ct = default)
    {
        var batches = await db.ImportBatches.AsNoTracking().Where(b => b.VaultId == keys.VaultId).ToListAsync(ct);
        return [.. batches
            .OrderByDescending(b => b.Id)
            .Select(b => JsonSerializer.Deserialize<ImportSummary>(keys.Open(b.SealedSummary, VaultCrypto.ImportSummaryAad(keys.VaultId, b.Id)), Json)!)];
    }

    public async Task<IReadOnlyList<ImportProfile>> ProfilesAsync(VaultKeys keys, CancellationToken ct = default)
    {
        var all = await records.ListAsync(keys, ProfileRecordType, ct);
        return [.. all.Select(r => JsonSerializer.Deserialize<ImportProfile>(r.Json, Json)!).OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase)];
    }

    public async Task<ImportProfile?> FindProfileAsync(VaultKeys keys, string name, CancellationToken ct = default) =>
        (await ProfilesAsync(keys, ct)).FirstOrDefault(p => string.Equals(p.Name, name.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>Saves a profile under its name, replacing one of the same name (the old mapping stays in the record's history).</summary>
    public async Task<ImportProfile> PutProfileAsync(VaultKeys keys, ImportProfile profile, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(profile.Name) || profile.Name.Trim().Length > 100)
        {
            throw Validation.ValidationFailedException.For("name", "Name the profile (at most 100 characters).");
        }

        CsvStatementReader.Validate(profile.Mapping);
        profile = profile with { Name = profile.Name.Trim() };
        var json = JsonSerializer.SerializeToUtf8Bytes(profile, Json);
        var existing = await ProfileRecordAsync(keys, profile.Name, ct);
        if (existing is null)
        {
            await records.CreateAsync(keys, ProfileRecordType, json, Actor.Owner, ct);
        }
        else
        {
            await records.UpdateAsync(keys, existing.Id, json, Actor.Owner, existing.Version, ct);
        }

        return profile;
    }

    public async Task<bool> DeleteProfileAsync(VaultKeys keys, string name, CancellationToken ct = default)
    {
        var existing = await ProfileRecordAsync(keys, name, ct);
        if (existing is null)
        {
            return false;
        }

        await records.DeleteAsync(keys, existing.Id, Actor.Owner, existing.Version, ct);
        return true;
    }

    private async Task<CurrentRecord?> ProfileRecordAsync(VaultKeys keys, string name, CancellationToken ct) =>
        (await records.ListAsync(keys, ProfileRecordType, ct))
            .FirstOrDefault(r => string.Equals(JsonSerializer.Deserialize<ImportProfile>(r.Json, Json)!.Name, name.Trim(), StringComparison.OrdinalIgnoreCase));

    private async Task<CsvMapping> MappingAsync(VaultKeys keys, StatementSource source, ImportRequest request, CancellationToken ct)
    {
        if (request.Mapping is not null)
        {
            return request.Mapping;
        }

        if (request.ProfileName is not null)
        {
            return (await FindProfileAsync(keys, request.ProfileName, ct) ?? throw new ImportProfileNotFoundException()).Mapping;
        }

        // Without a mapping the suggested one is used; if it cannot be completed the person is asked to map columns.
        var suggested = CsvStatementReader.Preview(source.Head, isWholeFile: source.HeadIsWholeFile).Suggested;
        try
        {
            CsvStatementReader.Validate(suggested);
        }
        catch (Validation.ValidationFailedException e)
        {
            throw new StatementException("line 1", "the columns could not be recognised from the header row; map them (" + string.Join(", ", e.Errors.Keys) + ") or choose a profile.");
        }

        return suggested;
    }

    /// <summary>Runs the body for 0..count-1 on the thread pool; the first failure is rethrown as itself, not wrapped.</summary>
    private static void InParallel(int count, Action<int> body, CancellationToken ct)
    {
        try
        {
            Parallel.For(0, count, new ParallelOptions { CancellationToken = ct }, body);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }

    public static string Detect(ReadOnlySpan<byte> file) =>
        CamtStatementReader.LooksLikeCamt(file) ? StatementFormats.Camt
        : OfxStatementReader.LooksLikeOfx(file) ? StatementFormats.Ofx
        : StatementFormats.Csv;

    private static string? CleanFileName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var clean = StatementValues.CleanText(Path.GetFileName(name.Replace('\\', '/')));
        return clean.Length > 200 ? clean[..200] : clean;
    }
}

/// <summary>No import profile with that name exists.</summary>
internal sealed class ImportProfileNotFoundException() : SymbolonProblemException(
    ProblemCodes.ImportProfileNotFound, 404, "No such import profile.", Text, message: Text)
{
    private const string Text = "There is no import profile with that name. See your profiles for their names.";
}
