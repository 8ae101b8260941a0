using Symbolon.Core.Storage;
using Symbolon.Core.Vaults;

namespace Symbolon.Core.Statements;

/// <summary>
/// The rows of one import on their way into the vault, as the reader hands them over: each is checked against the
/// vault's transactions (duplicates are counted, not kept), categorized, and put into the chunk being filled. A
/// full chunk is staged behind the projection's visible rows and compressed and sealed on another core while the
/// reader goes on, so the file is read once and no row lives longer than its chunk. What stays until the commit is
/// the sealed chunks (a few percent of the file) and the staged columns the projection keeps anyway.
/// </summary>
internal sealed class ImportBatchWriter : IStatementRowSink
{
    /// <summary>
    /// The most transactions one import takes: years of a busy card are a few hundred thousand; a file with more
    /// is split by the person rather than held in memory at once (every transaction stays in the projection).
    /// </summary>
    public const int MaxTransactions = 5_000_000;

    private const int ProgressEvery = 16_384;

    // Chunks sealing while the next fills: enough to keep the other cores busy, few enough to bound the memory.
    private static readonly int MaxSealing = Math.Clamp(Environment.ProcessorCount, 1, 4);

    private readonly VaultKeys _keys;
    private readonly Guid _batchId;
    private readonly TransactionProjection _projection;
    private readonly TransactionProjection.DuplicateFinder _duplicates;
    private readonly CategoryRules _rules;
    private readonly StatementSource _source;
    private readonly IProgress<ImportProgress>? _progress;
    private readonly Queue<(Task<TransactionChunkEntity> Sealing, TransactionChunkBuilder Chunk)> _sealing = new();
    private readonly Stack<TransactionChunkBuilder> _free = new();
    private readonly List<TransactionChunkEntity> _sealed = [];
    private readonly List<string> _accountOrder = [];
    private readonly Dictionary<string, int[]> _accounts = new(StringComparer.Ordinal);
    private TransactionChunkBuilder _current = new(StatementImporter.ChunkSize);
    private string? _lastAccount;
    private int[] _lastCounts = [];
    private int _rowsSealed;
    private bool _fileRead;
    private bool _committed;

    public ImportBatchWriter(VaultKeys keys, Guid batchId, TransactionProjection projection, CategoryRules rules, StatementSource source, IProgress<ImportProgress>? progress)
    {
        _keys = keys;
        _batchId = batchId;
        _projection = projection;
        _duplicates = projection.FindDuplicates();
        _rules = rules;
        _source = source;
        _progress = progress;
    }

    /// <summary>Rows read from the file.</summary>
    public int Read { get; private set; }

    /// <summary>Rows new to the vault, staged to be stored.</summary>
    public int Added { get; private set; }

    public IReadOnlyList<Contracts.Statements.ImportAccountCount> Accounts =>
        [.. _accountOrder.Select(a => new Contracts.Statements.ImportAccountCount(a, _accounts[a][0], _accounts[a][1]))];

    // Called for every row of the file: compiled fully optimized at once instead of starting in tier 0.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public ValueTask AddAsync(in StatementRow row)
    {
        if (++Read > MaxTransactions)
        {
            throw new StatementException($"transaction {Read:N0}", $"the file holds more than {MaxTransactions:N0} transactions; split it into several files.");
        }

        if (Read % ProgressEvery == 0)
        {
            _progress?.Report(new ImportProgress("parse", Read, _source.Position, _source.TotalBytes ?? 0));
        }

        var duplicate = _duplicates.IsDuplicate(row);
        var counts = CountsOf(row.Account);
        counts[duplicate ? 1 : 0]++;
        if (duplicate)
        {
            return ValueTask.CompletedTask;
        }

        // Categorized by the vault's rules as they are when the import starts (it holds the import gate), and only
        // what is stored: duplicates are not categorized at all.
        _current.Add(row, _rules.Categorize(row.Description, row.Merchant, row.Amount, row.Account));
        Added++;
        return _current.IsFull ? new ValueTask(SealCurrentAsync()) : ValueTask.CompletedTask;
    }

    /// <summary>Seals what is left once the file is read; returns every chunk, in order, to be stored with the batch.</summary>
    public async Task<IReadOnlyList<TransactionChunkEntity>> CompleteAsync()
    {
        _progress?.Report(new ImportProgress("parse", Read, _source.Position, _source.TotalBytes ?? _source.Position));
        _fileRead = true;
        if (_current.Count > 0)
        {
            Stage();
        }

        while (_sealing.Count > 0)
        {
            await CollectOldestAsync();
        }

        if (Added > 0)
        {
            _progress?.Report(new ImportProgress("store", _rowsSealed, 0, 0));
        }

        return _sealed;
    }

    /// <summary>The stored chunks are committed: the staged rows become part of the projection.</summary>
    public void Commit()
    {
        _projection.CommitStaged(_batchId);
        _committed = true;
    }

    /// <summary>After a failure: waits for the chunks still sealing and drops the staged rows.</summary>
    public async Task AbandonAsync()
    {
        if (_committed)
        {
            return;
        }

        while (_sealing.Count > 0)
        {
            try
            {
                await _sealing.Dequeue().Sealing;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The import has failed already; the reason given is the first one.
            }
        }

        _projection.DiscardStaged();
    }

    private async Task SealCurrentAsync()
    {
        Stage();
        if (_sealing.Count >= MaxSealing)
        {
            await CollectOldestAsync();
        }

        _current = _free.TryPop(out var free) ? free : new TransactionChunkBuilder(StatementImporter.ChunkSize);
        _current.Clear();
    }

    private void Stage()
    {
        var chunk = _current;
        var expected = _source.TotalBytes is { } total && _source.Position > 0
            ? (int)Math.Min(MaxTransactions, Added * 1.1 * total / _source.Position)
            : 0;
        _projection.Stage(chunk, expected);
        var index = _sealed.Count + _sealing.Count;
        _sealing.Enqueue((Task.Run(() => Seal(chunk, index)), chunk));
    }

    private async Task CollectOldestAsync()
    {
        var (sealing, chunk) = _sealing.Dequeue();
        var entity = await sealing;
        _sealed.Add(entity);
        _free.Push(chunk);
        _rowsSealed += entity.TransactionCount;

        // While the file is read its bytes are the progress; what is left to seal after that is the store stage.
        if (_fileRead)
        {
            _progress?.Report(new ImportProgress("store", _rowsSealed, 0, 0));
        }
    }

    private TransactionChunkEntity Seal(TransactionChunkBuilder chunk, int index)
    {
        var count = chunk.Count;
        return new TransactionChunkEntity
        {
            VaultId = _keys.VaultId,
            BatchId = _batchId,
            Chunk = index,
            TransactionCount = count,
            Sealed = TransactionChunkCodec.Encode(chunk, compressed => _keys.Seal(compressed, VaultCrypto.TransactionChunkAad(_keys.VaultId, _batchId, index, count))),
        };
    }

    private int[] CountsOf(string account)
    {
        if (ReferenceEquals(account, _lastAccount))
        {
            return _lastCounts;
        }

        if (!_accounts.TryGetValue(account, out var counts))
        {
            counts = new int[2];
            _accounts[account] = counts;
            _accountOrder.Add(account);
        }

        _lastAccount = account;
        _lastCounts = counts;
        return counts;
    }
}
