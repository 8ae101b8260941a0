using Microsoft.EntityFrameworkCore;
using Symbolon.Core.Insights;
using Symbolon.Core.Records;
using Symbolon.Core.Storage;
using Symbolon.Core.Vaults;

namespace Symbolon.Core.Statements;

/// <summary>
/// Builds an unlocked vault's projection from its sealed chunks. Each chunk's place is known from the chunk rows
/// (their counts, in import order), so every core takes the next chunk, opens and decompresses it into a pooled
/// buffer and fills its rows in place (<see cref="TransactionProjection.Filling"/>), categorized by the rules and
/// the person's choices as they are now. Only one chunk per core is held decompressed at a time. Given the session's
/// query database, the rows go into it as they are filled, in import order, so that it is ready soon after the
/// projection rather than a whole copy later.
/// </summary>
internal sealed class TransactionProjectionLoader(SymbolonDbContext db, RecordStore records)
{
    public async Task<TransactionProjection> LoadAsync(VaultKeys keys, VaultAnalytics? analytics = null, CancellationToken ct = default)
    {
        var rows = await db.TransactionChunks.AsNoTracking()
            .Where(c => c.VaultId == keys.VaultId)
            .OrderBy(c => c.BatchId).ThenBy(c => c.Chunk)
            .ToListAsync(ct);

        // The chunks hold the categories given at import; the rules and hand-made choices as they are now decide.
        var book = new CategoryRuleBook(records);
        var (_, rules) = await book.ReadRulesAsync(keys, ct);
        var overrides = (await book.ReadOverridesAsync(keys, ct)).ToDictionary(o => o.Key, o => o.Value.Category);

        var load = analytics is null || rows.Count == 0 ? null : await analytics.BeginLoadAsync(ct);
        var batches = rows.Select(r => r.BatchId).Distinct().ToList();
        var filling = new TransactionProjection().Fill(rows.Sum(r => r.TransactionCount), batches, rules, overrides, load, ct);
        var positions = new int[rows.Count];
        var batchOf = new int[rows.Count];
        for (var i = 1; i < rows.Count; i++)
        {
            positions[i] = positions[i - 1] + rows[i - 1].TransactionCount;
            batchOf[i] = batchOf[i - 1] + (rows[i].BatchId == rows[i - 1].BatchId ? 0 : 1);
        }

        // Chunks are taken in import order, so the chunk every other waits for (to map its strings) is always
        // being worked on.
        var next = -1;
        void Work()
        {
            var worker = filling.NewWorker();
            try
            {
                for (var i = Interlocked.Increment(ref next); i < rows.Count; i = Interlocked.Increment(ref next))
                {
                    ct.ThrowIfCancellationRequested();
                    var row = rows[i];
                    var opened = keys.Open(row.Sealed, VaultCrypto.TransactionChunkAad(keys.VaultId, row.BatchId, row.Chunk, row.TransactionCount));
                    try
                    {
                        using var plain = TransactionChunkCodec.Decompress(opened);
                        filling.Chunk(worker, positions[i], batchOf[i], row.Chunk * StatementImporter.ChunkSize, plain.Span);
                    }
                    finally
                    {
                        Array.Clear(opened);
                    }
                }
            }
            catch
            {
                // The other workers and the query database stop too.
                Interlocked.Exchange(ref next, rows.Count);
                filling.Fail();
                throw;
            }
        }

        TransactionProjection projection;
        try
        {
            await Task.WhenAll(Enumerable.Range(0, Math.Min(Environment.ProcessorCount, Math.Max(rows.Count, 1))).Select(_ => Task.Run(Work, ct)));
            projection = filling.Complete();
        }
        catch
        {
            if (load is not null)
            {
                await filling.SinkDone.ContinueWith(_ => load.Dispose(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            }

            throw;
        }

        // The query database may still be taking the last rows while the first page is answered; queries wait for
        // it. Its rows carry the categories as filled: a recategorization after this advances the version, and the
        // next query copies again.
        var (count, version) = (projection.Count, projection.CategoryVersion);
        _ = filling.SinkDone.ContinueWith(_ => load?.Complete(count, version, filling.SinkTookAll), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        return projection;
    }
}
