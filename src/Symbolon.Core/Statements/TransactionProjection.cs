using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Symbolon.Core.Statements;

/// <summary>
/// Every imported transaction of one unlocked vault, decrypted, in memory only, as columns (dates, amounts, and
/// indices into one table of distinct strings), plus the dedupe index. Built when the vault is unlocked, appended
/// to by imports, dropped when it locks. Filters are scans over the columns; text filters are evaluated once per
/// distinct string, not per row.
/// </summary>
internal sealed partial class TransactionProjection
{
    // Note: dedupe keys are 128-bit xxHash values of (account, bank reference) and of (account, date, amount,
    // description), seeded per process. They are never stored: the index is rebuilt from the sealed chunks on
    // every unlock, so neither the keys nor anything derived from statement values sits in the database.
    private static readonly long HashSeed = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8));

    private readonly Dictionary<string, int> _stringIndex = new(StringComparer.Ordinal);
    private readonly List<string> _strings = [];
    private readonly List<UInt128> _stringHashes = [];
    private readonly List<Guid> _batches = [];
    private readonly DedupeKeyCounts _references = new();
    private readonly DedupeKeyCounts _fingerprints = new();
    private readonly Lock _lock = new();
    private readonly List<UInt128> _stagedReferences = [];
    private int _staged;

    private int[] _days = new int[1024];
    private decimal[] _amounts = new decimal[1024];
    private int[] _currency = new int[1024];
    private int[] _account = new int[1024];
    private int[] _description = new int[1024];
    private int[] _merchant = new int[1024];
    private int[] _category = new int[1024];
    private int[] _batch = new int[1024];
    private int[] _row = new int[1024];
    private int[]? _newestFirst;

    public int Count { get; private set; }

    public IReadOnlyList<string> Strings => _strings;

    /// <summary>Appends one decoded chunk of <paramref name="batchId"/>, whose first transaction is row <paramref name="firstRow"/> of the batch.</summary>
    // Called once per import with a loop over every row: compiled fully optimized at once instead of starting in tier 0.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Append(Guid batchId, int firstRow, TransactionColumns chunk)
    {
        _lock.Enter();
        try
        {
            if (_staged != 0)
            {
                throw new InvalidOperationException("An import is staging rows; chunks are appended only while none is.");
            }

            EnsureDedupeIndex();
            var map = new int[chunk.Strings.Length];
            for (var i = 0; i < map.Length; i++)
            {
                map[i] = Intern(chunk.Strings[i]);
            }

            var batch = _batches.IndexOf(batchId);
            if (batch < 0)
            {
                batch = _batches.Count;
                _batches.Add(batchId);
            }

            EnsureCapacity(Count + chunk.Count);
            for (var i = 0; i < chunk.Count; i++)
            {
                var at = Count + i;
                _days[at] = chunk.Days[i];
                _amounts[at] = chunk.Amounts[i];
                _currency[at] = map[chunk.Currency[i]];
                _account[at] = map[chunk.Account[i]];
                _description[at] = map[chunk.Description[i]];
                _merchant[at] = chunk.Merchant[i] < 0 ? -1 : map[chunk.Merchant[i]];
                _category[at] = map[chunk.Category[i]];
                _batch[at] = batch;
                _row[at] = firstRow + i;
                var reference = chunk.Reference[i];
                if (reference >= 0)
                {
                    _references.Increment(ReferenceKey(_stringHashes[_account[at]], HashOf(chunk.Strings[reference])));
                }

                var fingerprint = FingerprintKey(_stringHashes[_account[at]], _days[at], _amounts[at], _stringHashes[_description[at]]);
                _fingerprints.Increment(fingerprint);
            }

            Count += chunk.Count;
            _indexedRows = Count;
            _newestFirst = null;
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>Makes room for <paramref name="rows"/> more transactions at once (a load that knows how many it reads).</summary>
    public void Reserve(int rows)
    {
        _lock.Enter();
        try
        {
            EnsureCapacity(Count + rows, Count + rows);
            _fingerprints.EnsureCapacity(_fingerprints.Count + rows);
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>
    /// Copies one chunk of an import in progress behind the visible rows, so the import's new rows are here once it
    /// commits without decoding what it stored. Staged rows count nowhere (queries, totals, the dedupe index) until
    /// <see cref="CommitStaged"/>; <see cref="DiscardStaged"/> drops them. Only the importer stages, under its vault's
    /// import gate, so one import at a time.
    /// </summary>
    // Called once per chunk with a loop over its rows: compiled fully optimized at once instead of starting in tier 0.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Stage(TransactionChunkBuilder chunk, int expectedTotal = 0)
    {
        _lock.Enter();
        try
        {
            var map = new int[chunk.Strings.Count];
            for (var i = 0; i < map.Length; i++)
            {
                map[i] = Intern(chunk.Strings[i]);
            }

            // Sized once for the whole file when its length tells how many rows to expect, rather than doubled
            // (and copied) again and again on the way.
            EnsureCapacity(Count + _staged + chunk.Count, Count + expectedTotal);
            for (var i = 0; i < chunk.Count; i++)
            {
                var at = Count + _staged + i;
                _days[at] = chunk.Days[i];
                _amounts[at] = chunk.Amounts[i];
                _currency[at] = map[chunk.Currency[i]];
                _account[at] = map[chunk.Account[i]];
                _description[at] = map[chunk.Description[i]];
                _merchant[at] = chunk.Merchant[i] < 0 ? -1 : map[chunk.Merchant[i]];
                _category[at] = map[chunk.Category[i]];
                var reference = chunk.Reference[i];
                if (reference >= 0)
                {
                    _stagedReferences.Add(ReferenceKey(_stringHashes[_account[at]], _stringHashes[map[reference]]));
                }
            }

            _staged += chunk.Count;
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>Makes the staged rows part of the projection as batch <paramref name="batchId"/> (rows 0, 1, … of it), with their dedupe keys.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void CommitStaged(Guid batchId)
    {
        _lock.Enter();
        try
        {
            var batch = _batches.IndexOf(batchId);
            if (batch < 0)
            {
                batch = _batches.Count;
                _batches.Add(batchId);
            }

            EnsureDedupeIndex();
            _fingerprints.EnsureCapacity(_fingerprints.Count + _staged);
            _references.EnsureCapacity(_references.Count + _stagedReferences.Count);
            for (var i = 0; i < _staged; i++)
            {
                var at = Count + i;
                _batch[at] = batch;
                _row[at] = i;
                var fingerprint = FingerprintKey(_stringHashes[_account[at]], _days[at], _amounts[at], _stringHashes[_description[at]]);
                _fingerprints.Increment(fingerprint);
            }

            foreach (var reference in _stagedReferences)
            {
                _references.Increment(reference);
            }

            Count += _staged;
            _indexedRows = Count;
            _staged = 0;
            _stagedReferences.Clear();
            _newestFirst = null;
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>Forgets the staged rows of an import that failed (their strings stay in the table, unused).</summary>
    public void DiscardStaged()
    {
        _lock.Enter();
        try
        {
            _staged = 0;
            _stagedReferences.Clear();
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>
    /// Recognises statement rows already here, one at a time as an import reads them. A row with a bank reference
    /// is a duplicate when its account already has that reference. Without one, the n-th row of the file with a
    /// given (account, date, amount, description) is a duplicate when the vault already holds at least n such
    /// transactions: two identical coffees on one day stay two, and a re-import of that day adds neither.
    /// </summary>
    public DuplicateFinder FindDuplicates()
    {
        _lock.Enter();
        try
        {
            EnsureDedupeIndex();
        }
        finally
        {
            _lock.Exit();
        }

        return new(this);
    }

    /// <summary>
    /// The dedupe state of one import. It reads the index without the lock: only the importer changes the index,
    /// under the import gate it holds while it reads. Counting is needed only for rows the vault already has, so an
    /// import of new transactions keeps no per-row state here.
    /// </summary>
    internal sealed class DuplicateFinder(TransactionProjection projection)
    {
        private readonly DedupeKeyCounts _occurrences = new();
        private readonly Dictionary<string, UInt128> _hashes = new(StringComparer.Ordinal);
        private readonly bool _empty = projection.Count == 0;

        public bool IsDuplicate(in StatementRow row)
        {
            if (_empty)
            {
                return false;
            }

            var account = Hash(row.Account);
            if (row.Reference is not null)
            {
                return projection._references.Contains(ReferenceKey(account, Hash(row.Reference)));
            }

            var fingerprint = FingerprintKey(account, row.Date.DayNumber, row.Amount, Hash(row.Description));
            var held = projection._fingerprints.Get(fingerprint);
            if (held == 0)
            {
                return false;
            }

            if (_occurrences.Count == 0)
            {
                // Sized once for every transaction the vault has: growing by steps would hold two tables at a time.
                _occurrences.EnsureCapacity(projection._fingerprints.Count);
            }

            _occurrences.Increment(fingerprint);
            return held >= _occurrences.Get(fingerprint);
        }

        private UInt128 Hash(string s)
        {
            if (!_hashes.TryGetValue(s, out var h))
            {
                h = HashOf(s);

                // Bounded: a file of unique texts must not grow a second string table here.
                if (_hashes.Count < 200_000)
                {
                    _hashes[s] = h;
                }
            }

            return h;
        }
    }

    /// <summary>Transactions matching <paramref name="filter"/>, newest first, after <paramref name="after"/> (a position from an earlier page).</summary>
    // Called once per import with a loop over every row: compiled fully optimized at once instead of starting in tier 0.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public (List<TransactionRow> Rows, (int Day, int Position)? Next) Query(TransactionFilter filter, (int Day, int Position)? after, int limit)
    {
        _lock.Enter();
        try
        {
            var order = NewestFirst();
            var match = Match(filter);
            var start = 0;
            if (after is { } cursor)
            {
                // Newest first: later days come first, and within a day later positions.
                start = BinarySearchAfter(order, cursor.Day, cursor.Position);
            }

            var rows = new List<TransactionRow>(Math.Min(limit, 1000));
            (int, int)? next = null;
            var lastAdded = -1;
            for (var k = start; k < order.Length; k++)
            {
                var i = order[k];
                if (!match.Matches(i))
                {
                    continue;
                }

                if (rows.Count == limit)
                {
                    next = (_days[lastAdded], lastAdded);
                    break;
                }

                rows.Add(Row(i));
                lastAdded = i;
            }

            return (rows, next);
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>How many transactions match <paramref name="filter"/>, their money in and out per currency, and their first and last day.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public TransactionTotals Totals(TransactionFilter filter)
    {
        _lock.Enter();
        try
        {
            var match = Match(filter);
            var count = 0;
            var first = int.MaxValue;
            var last = int.MinValue;
            var byCurrency = new Dictionary<int, (decimal In, decimal Out, int Count)>();
            for (var i = 0; i < Count; i++)
            {
                if (!match.Matches(i))
                {
                    continue;
                }

                count++;
                first = Math.Min(first, _days[i]);
                last = Math.Max(last, _days[i]);
                var sums = byCurrency.GetValueOrDefault(_currency[i]);
                var amount = _amounts[i];
                byCurrency[_currency[i]] = amount < 0 ? (sums.In, sums.Out + amount, sums.Count + 1) : (sums.In + amount, sums.Out, sums.Count + 1);
            }

            return new TransactionTotals(
                count,
                count == 0 ? null : DateOnly.FromDayNumber(first),
                count == 0 ? null : DateOnly.FromDayNumber(last),
                [.. byCurrency.Select(c => new CurrencyTotal(_strings[c.Key], c.Value.Count, c.Value.In, c.Value.Out)).OrderBy(c => c.Currency, StringComparer.Ordinal)]);
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>The categories that at least one transaction has, in alphabetical order.</summary>
    public IReadOnlyList<string> CategoriesInUse()
    {
        _lock.Enter();
        try
        {
            var seen = new HashSet<int>();
            for (var i = 0; i < Count; i++)
            {
                seen.Add(_category[i]);
            }

            return [.. seen.Select(c => _strings[c]).Order(StringComparer.Ordinal)];
        }
        finally
        {
            _lock.Exit();
        }
    }

    // Text filters are evaluated once per distinct string, not per row; callers hold the lock.
    private FilterMatch Match(TransactionFilter filter) => new(
        this,
        filter,
        filter.Text is null ? null : MatchStrings(s => s.Contains(filter.Text, StringComparison.OrdinalIgnoreCase)),
        filter.Merchant is null ? null : MatchStrings(s => s.Contains(filter.Merchant, StringComparison.OrdinalIgnoreCase)),
        filter.Category is null ? -2 : _stringIndex.GetValueOrDefault(filter.Category, -3));

    private readonly struct FilterMatch(TransactionProjection p, TransactionFilter filter, bool[]? textMatch, bool[]? merchantMatch, int categoryIndex)
    {
        private readonly int _from = filter.From?.DayNumber ?? int.MinValue;
        private readonly int _to = filter.To?.DayNumber ?? int.MaxValue;
        private readonly decimal? _min = filter.Min;
        private readonly decimal? _max = filter.Max;

        public bool Matches(int i)
        {
            var day = p._days[i];
            if (day > _to || day < _from)
            {
                return false;
            }

            var amount = p._amounts[i];
            if ((_min is { } min && amount < min) || (_max is { } max && amount > max))
            {
                return false;
            }

            if (categoryIndex != -2 && p._category[i] != categoryIndex)
            {
                return false;
            }

            var merchant = p._merchant[i];
            if (merchantMatch is not null && (merchant < 0 || !merchantMatch[merchant]))
            {
                return false;
            }

            return textMatch is null || textMatch[p._description[i]] || (merchant >= 0 && textMatch[merchant]);
        }
    }

    private int BinarySearchAfter(int[] order, int day, int position)
    {
        int lo = 0, hi = order.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            var i = order[mid];
            var comesBeforeOrAt = _days[i] > day || (_days[i] == day && i >= position);
            if (comesBeforeOrAt)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private TransactionRow Row(int i) => new(
        i,
        _batches[_batch[i]],
        _row[i],
        DateOnly.FromDayNumber(_days[i]),
        _amounts[i],
        _strings[_currency[i]],
        _strings[_description[i]],
        _merchant[i] < 0 ? null : _strings[_merchant[i]],
        _strings[_category[i]],
        _strings[_account[i]]);

    private bool[] MatchStrings(Func<string, bool> predicate)
    {
        var matches = new bool[_strings.Count];
        for (var i = 0; i < matches.Length; i++)
        {
            matches[i] = predicate(_strings[i]);
        }

        return matches;
    }

    // Positions sorted newest first (day descending, then position descending); kept until the next append.
    private int[] NewestFirst()
    {
        if (_newestFirst is { } cached)
        {
            return cached;
        }

        _lock.Enter();
        try
        {
            return _newestFirst = SortNewestFirst();
        }
        finally
        {
            _lock.Exit();
        }
    }

    private int Intern(string s)
    {
        if (!_stringIndex.TryGetValue(s, out var index))
        {
            index = _strings.Count;
            _stringIndex[s] = index;
            _strings.Add(s);
            _stringHashes.Add(HashOf(s));
        }

        return index;
    }

    // Grows to the expected size when one is given (an import's estimate from its file's length); otherwise by half
    // again, not double: at a million rows every spare row costs 48 bytes in each column set.
    private void EnsureCapacity(int needed, int expected = 0)
    {
        if (needed <= _days.Length)
        {
            return;
        }

        var size = expected >= needed ? expected : Math.Max(needed, _days.Length + Math.Max(_days.Length / 2, 1024));
        Array.Resize(ref _days, size);
        Array.Resize(ref _amounts, size);
        Array.Resize(ref _currency, size);
        Array.Resize(ref _account, size);
        Array.Resize(ref _description, size);
        Array.Resize(ref _merchant, size);
        Array.Resize(ref _category, size);
        Array.Resize(ref _batch, size);
        Array.Resize(ref _row, size);
    }

    // Descriptions are compared without regard to case or repeated spaces (CleanText already collapses those).
    private static UInt128 HashOf(string s)
    {
        var upper = s.ToUpperInvariant();
        var max = Encoding.UTF8.GetMaxByteCount(upper.Length);
        Span<byte> buffer = max <= 1024 ? stackalloc byte[max] : new byte[max];
        var length = Encoding.UTF8.GetBytes(upper, buffer);
        return XxHash128.HashToUInt128(buffer[..length], HashSeed);
    }

    private static UInt128 ReferenceKey(UInt128 account, UInt128 reference)
    {
        Span<UInt128> parts = [account, reference, 1];
        return XxHash128.HashToUInt128(MemoryMarshal.AsBytes(parts), HashSeed);
    }

    private static UInt128 FingerprintKey(UInt128 account, int day, decimal amount, UInt128 description)
    {
        // 1.5 and 1.50 are the same amount: compare in ten-thousandths (amounts stay below 10^12, well inside the
        // range of OLE Automation currency, which is exactly a long of ten-thousandths).
        var units = decimal.ToOACurrency(amount);
        Span<UInt128> parts = [account, description, ((UInt128)(ulong)units << 32) | (uint)day];
        return XxHash128.HashToUInt128(MemoryMarshal.AsBytes(parts), HashSeed);
    }
}

/// <summary>Filters over the projection; null means "any".</summary>
internal sealed record TransactionFilter(
    DateOnly? From = null,
    DateOnly? To = null,
    string? Text = null,
    decimal? Min = null,
    decimal? Max = null,
    string? Category = null,
    string? Merchant = null);

/// <summary>One transaction read from the projection.</summary>
internal sealed record TransactionRow(
    int Position,
    Guid BatchId,
    int Row,
    DateOnly Date,
    decimal Amount,
    string Currency,
    string Description,
    string? Merchant,
    string Category,
    string Account);

/// <summary>The size and sums of a filtered set of transactions.</summary>
internal sealed record TransactionTotals(int Count, DateOnly? First, DateOnly? Last, IReadOnlyList<CurrencyTotal> Currencies);

/// <summary>Money in (positive amounts) and out (negative amounts) in one currency.</summary>
internal sealed record CurrencyTotal(string Currency, int Count, decimal In, decimal Out)
{
    public decimal Net => In + Out;
}
