using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Text;

namespace Symbolon.Core.Statements;

/// <summary>
/// The projection's side for unlocking: a new projection is filled chunk by chunk on every core straight from the
/// decompressed bytes (<see cref="Filling"/>), with no object per chunk or row and no string for a text already
/// seen. Categories are computed by the rules as rows arrive, as <see cref="Recategorize"/> would. The dedupe
/// index, which only an import needs, is built when one first asks for it (<see cref="EnsureDedupeIndex"/>)
/// rather than before the first page or query can be answered.
/// </summary>
internal sealed partial class TransactionProjection
{
    // Rows below this position are counted in the dedupe index; rows from it on were loaded without it. The bank
    // references of those rows wait here as finished keys (hashed while their chunk was read), since the
    // projection keeps no reference column.
    private int _indexedRows;
    private List<UInt128> _unindexedReferences = [];

    /// <summary>
    /// Starts filling this projection, which must be new, with <paramref name="rows"/> transactions of
    /// <paramref name="batches"/> (in import order), categorized by <paramref name="rules"/>.
    /// </summary>
    public Filling Fill(int rows, IReadOnlyList<Guid> batches, IReadOnlyList<CategoryRule> rules)
    {
        if (Count != 0 || _batches.Count != 0)
        {
            throw new InvalidOperationException("Only a new projection is filled.");
        }

        return new Filling(this, rows, batches, rules);
    }

    /// <summary>Counts the rows loaded without the dedupe index into it; callers hold the lock.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void EnsureDedupeIndex()
    {
        if (_indexedRows == Count)
        {
            return;
        }

        _fingerprints.EnsureCapacity(_fingerprints.Count + (Count - _indexedRows));
        _references.EnsureCapacity(_references.Count + _unindexedReferences.Count);
        for (var i = _indexedRows; i < Count; i++)
        {
            var fingerprint = FingerprintKey(_stringHashes[_account[i]], _days[i], _amounts[i], _stringHashes[_description[i]]);
            _fingerprints[fingerprint] = _fingerprints.GetValueOrDefault(fingerprint) + 1;
        }

        foreach (var reference in _unindexedReferences)
        {
            _references.Add(reference);
        }

        _unindexedReferences = [];
        _indexedRows = Count;
    }

    // Newest first: day descending, then position descending. Days span a few thousand values at most, so a
    // counting sort by day (positions taken from the last down) puts a million rows in order in one pass each way
    // instead of a comparison sort; a range far wider than the row count falls back to sorting.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int[] SortNewestFirst()
    {
        var count = Count;
        var order = new int[count];
        if (count == 0)
        {
            return order;
        }

        var days = _days.AsSpan(0, count);
        int min = int.MaxValue, max = int.MinValue;
        foreach (var day in days)
        {
            min = Math.Min(min, day);
            max = Math.Max(max, day);
        }

        var range = (long)max - min + 1;
        if (range > Math.Max(4L * count, 1 << 16))
        {
            var keys = new long[count];
            for (var i = 0; i < count; i++)
            {
                order[i] = i;
                keys[i] = -(((long)days[i] << 32) | (uint)i);
            }

            Array.Sort(keys, order);
            return order;
        }

        // Bucket b holds day (max - b); its first slot follows every later day's rows.
        var starts = new int[range + 1];
        foreach (var day in days)
        {
            starts[max - day + 1]++;
        }

        for (var b = 1; b < starts.Length; b++)
        {
            starts[b] += starts[b - 1];
        }

        for (var i = count - 1; i >= 0; i--)
        {
            order[starts[max - days[i]]++] = i;
        }

        return order;
    }

    // The same key as HashOf(string) for the string these UTF-8 bytes encode, without making the string.
    private static UInt128 HashOfUtf8(ReadOnlySpan<byte> utf8)
    {
        char[]? rented = null;
        var max = Encoding.UTF8.GetMaxCharCount(utf8.Length);
        var chars = max <= 512 ? stackalloc char[1024] : (rented = ArrayPool<char>.Shared.Rent(max * 2));
        try
        {
            var length = Encoding.UTF8.GetChars(utf8, chars);
            var upper = chars.Slice(length, length);
            chars[..length].ToUpperInvariant(upper);
            var bytes = Encoding.UTF8.GetMaxByteCount(length);
            Span<byte> buffer = bytes <= 1024 ? stackalloc byte[bytes] : new byte[bytes];
            return XxHash128.HashToUInt128(buffer[..Encoding.UTF8.GetBytes(upper, buffer)], HashSeed);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// One fill of a new projection. <see cref="Chunk"/> may run on several threads at once for chunks at different
    /// positions; each thread brings its own <see cref="Worker"/>. The strings are the only shared state: a chunk
    /// maps its string table to the projection's under one lock, by UTF-8 bytes, so a string is made only for a
    /// text the projection does not hold yet. Nobody else sees the projection until <see cref="Complete"/>.
    /// </summary>
    internal sealed class Filling
    {
        private const int Unused = -1;
        private const int Needed = -2;
        private const int Known = -3;

        private readonly TransactionProjection _projection;
        private readonly int _rows;
        private readonly IReadOnlyList<CategoryRule> _rules;
        private readonly int[] _ruleCategory;
        private readonly int _uncategorized;
        private readonly Lock _stringsLock = new();
        private readonly Utf8Strings _utf8 = new();

        private readonly List<Worker> _workers = [];

        // The projection's strings each chunk uses, in the order of the chunk's table, by the chunk's position: at
        // the end the strings are numbered by first use in import order, as appending the chunks one by one would,
        // whichever thread mapped which chunk first.
        private readonly SortedList<int, int[]> _tableOrders = [];

        // The strings made before any chunk (the categories the rules give): a stored category counts for the order
        // only when it is one of these, so that the order does not depend on which chunk was mapped first.
        private readonly int _initialStrings;
        private int _filled;

        public Filling(TransactionProjection projection, int rows, IReadOnlyList<Guid> batches, IReadOnlyList<CategoryRule> rules)
        {
            _projection = projection;
            _rows = rows;
            _rules = rules;
            projection._batches.AddRange(batches);
            projection._days = new int[rows];
            projection._amounts = new decimal[rows];
            projection._currency = new int[rows];
            projection._account = new int[rows];
            projection._description = new int[rows];
            projection._merchant = new int[rows];
            projection._category = new int[rows];
            projection._batch = new int[rows];
            projection._row = new int[rows];
            _uncategorized = Intern(Categories.Uncategorized);
            _ruleCategory = [.. rules.Select(r => Intern(r.Category))];
            _initialStrings = projection._strings.Count;
        }

        public Worker NewWorker()
        {
            var worker = new Worker();
            lock (_workers)
            {
                _workers.Add(worker);
            }

            return worker;
        }

        /// <summary>Copies the rows of one decompressed chunk to positions <paramref name="position"/> on, as rows <paramref name="firstRow"/> on of batch <paramref name="batch"/>.</summary>
        // Called once per chunk with loops over its rows: compiled fully optimized at once instead of starting in tier 0.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Chunk(Worker worker, int position, int batch, int firstRow, ReadOnlySpan<byte> plain)
        {
            var chunk = TransactionChunkCodec.Layout.Parse(plain);
            var count = chunk.Count;
            if (position < 0 || position + count > _rows || (uint)batch >= (uint)_projection._batches.Count)
            {
                throw new InvalidDataException("A transaction chunk holds more rows than its batch says.");
            }

            // Only the strings of the columns kept here are mapped: a bank reference (a new one on every row) is
            // hashed instead, and the stored category gives way to the rules' anyway.
            var local = worker.Strings(chunk);
            MarkNeeded(chunk.Currency, local, optional: false);
            MarkNeeded(chunk.Account, local, optional: false);
            MarkNeeded(chunk.Description, local, optional: false);
            MarkNeeded(chunk.Merchant, local, optional: true);
            MarkKnown(chunk.Category, local);
            var tableOrder = MapStrings(plain, local);
            lock (_tableOrders)
            {
                _tableOrders.Add(position, tableOrder);
            }

            var p = _projection;
            for (var i = 0; i < count; i++)
            {
                var at = position + i;
                var amount = chunk.Amount(i);
                var description = local.Global[Int(chunk.Description, i)];
                var account = local.Global[Int(chunk.Account, i)];
                var merchantLocal = Int(chunk.Merchant, i);
                var merchant = merchantLocal < 0 ? -1 : local.Global[merchantLocal];
                p._days[at] = Int(chunk.Days, i);
                p._amounts[at] = amount;
                p._currency[at] = local.Global[Int(chunk.Currency, i)];
                p._account[at] = account;
                p._description[at] = description;
                p._merchant[at] = merchant;
                p._batch[at] = batch;
                p._row[at] = firstRow + i;
                p._category[at] = Categorize(worker, local, (description, merchant, account), (Int(chunk.Description, i), merchantLocal, Int(chunk.Account, i)), amount);

                // Hashed here, on the chunk's thread; counted into the dedupe index when an import first needs it.
                var reference = Int(chunk.Reference, i);
                if (reference >= 0)
                {
                    var bytes = plain.Slice(local.Start[CheckedIndex(reference, local)], local.Length[reference]);
                    worker.References.Add(ReferenceKey(local.Hash[Int(chunk.Account, i)], HashOfUtf8(bytes)));
                }
            }

            Interlocked.Add(ref _filled, count);
        }

        /// <summary>Makes the filled rows the projection's, with the person's own category choices applied over the rules'.</summary>
        public TransactionProjection Complete(IReadOnlyDictionary<(Guid Batch, int Row), string> overrides)
        {
            var p = _projection;
            if (_filled != _rows)
            {
                throw new InvalidOperationException($"The fill holds {_filled} of {_rows} rows.");
            }

            p._lock.Enter();
            try
            {
                p.Count = _rows;
                Renumber();
                foreach (var ((batch, row), category) in overrides)
                {
                    if (p.PositionOf(batch, row) is { } position)
                    {
                        p._category[position] = p.Intern(category);
                    }
                }

                p._unindexedReferences = [.. _workers.SelectMany(w => w.References)];
                p._indexedRows = 0;
                p._newestFirst = null;
            }
            finally
            {
                p._lock.Exit();
            }

            return p;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int Int(ReadOnlySpan<byte> column, int i) => TransactionChunkCodec.Layout.Int(column, i);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int CheckedIndex(int index, Worker.LocalStrings local) =>
            (uint)index < (uint)local.Count ? index : throw new InvalidDataException("A transaction chunk refers to a string it does not hold.");

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void MarkNeeded(ReadOnlySpan<byte> column, Worker.LocalStrings local, bool optional)
        {
            for (var i = 0; i < column.Length / 4; i++)
            {
                var index = Int(column, i);
                if (!optional || index >= 0)
                {
                    local.Global[CheckedIndex(index, local)] = Needed;
                }
            }
        }

        // The stored categories are not kept, but where one names a category the rules give, its place in the table
        // still counts for the order of the strings.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void MarkKnown(ReadOnlySpan<byte> column, Worker.LocalStrings local)
        {
            for (var i = 0; i < column.Length / 4; i++)
            {
                ref var global = ref local.Global[CheckedIndex(Int(column, i), local)];
                if (global == Unused)
                {
                    global = Known;
                }
            }
        }

        // Maps the chunk's needed strings to the projection's, a string made only for a text it does not hold yet;
        // returns the projection's indices of the chunk's strings in the chunk's table order.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int[] MapStrings(ReadOnlySpan<byte> plain, Worker.LocalStrings local)
        {
            var p = _projection;
            var order = new List<int>(local.Count);
            _stringsLock.Enter();
            try
            {
                for (var k = 0; k < local.Count; k++)
                {
                    var mark = local.Global[k];
                    if (mark != Needed && mark != Known)
                    {
                        continue;
                    }

                    var bytes = plain.Slice(local.Start[k], local.Length[k]);
                    var hash = Utf8Strings.Hash(bytes);
                    var index = _utf8.Find(bytes, hash);
                    if (mark == Known && (index < 0 || index >= _initialStrings))
                    {
                        local.Global[k] = Unused;
                        continue;
                    }

                    if (index < 0)
                    {
                        index = p.Intern(Encoding.UTF8.GetString(bytes));
                        _utf8.Add(bytes, hash, index);
                    }

                    order.Add(index);
                    local.Global[k] = index;
                    local.Text[k] = p._strings[index];
                    local.Hash[k] = p._stringHashes[index];
                }
            }
            finally
            {
                _stringsLock.Exit();
            }

            return [.. order];
        }

        private int Intern(string s)
        {
            var index = _projection.Intern(s);
            var bytes = Encoding.UTF8.GetBytes(s);
            var hash = Utf8Strings.Hash(bytes);
            if (_utf8.Find(bytes, hash) < 0)
            {
                _utf8.Add(bytes, hash, index);
            }

            return index;
        }

        // Numbers the strings by first use: chunk by chunk in import order, each in its table's order, then those
        // no table holds (categories only the rules give) in the order they were made; the columns follow.
        private void Renumber()
        {
            var p = _projection;
            var count = p._strings.Count;
            var next = new int[count];
            Array.Fill(next, -1);
            var assigned = 0;
            foreach (var order in _tableOrders.Values)
            {
                foreach (var index in order)
                {
                    if (next[index] < 0)
                    {
                        next[index] = assigned++;
                    }
                }
            }

            for (var index = 0; index < count; index++)
            {
                if (next[index] < 0)
                {
                    next[index] = assigned++;
                }
            }

            var strings = new string[count];
            var hashes = new UInt128[count];
            for (var index = 0; index < count; index++)
            {
                strings[next[index]] = p._strings[index];
                hashes[next[index]] = p._stringHashes[index];
            }

            p._strings.Clear();
            p._strings.AddRange(strings);
            p._stringHashes.Clear();
            p._stringHashes.AddRange(hashes);
            p._stringIndex.Clear();
            for (var index = 0; index < count; index++)
            {
                p._stringIndex[strings[index]] = index;
            }

            Parallel.Invoke(
                () => Remap(p._currency, next),
                () => Remap(p._account, next),
                () => Remap(p._description, next),
                () => Remap(p._merchant, next),
                () => Remap(p._category, next));
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Remap(int[] column, int[] next)
        {
            var values = column.AsSpan(0, _rows);
            for (var i = 0; i < values.Length; i++)
            {
                var value = values[i];
                values[i] = value < 0 ? value : next[value];
            }
        }

        // As Recategorize: the first rule whose text conditions and amount range hold, else uncategorized.
        // Statements repeat each description with the same merchant and account, so the rules last found for a
        // description are tried first; only a new combination asks the shared table, and only a new one there
        // matches text against every rule.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int Categorize(Worker worker, Worker.LocalStrings local, (int Description, int Merchant, int Account) key, (int Description, int Merchant, int Account) localKey, decimal amount)
        {
            ref var cached = ref worker.Cache(key.Description);
            var candidates = cached.Candidates;
            if (candidates is null || cached.Merchant != key.Merchant || cached.Account != key.Account)
            {
                if (!worker.Candidates.TryGetValue(key, out candidates))
                {
                    var merchant = localKey.Merchant < 0 ? null : local.Text[localKey.Merchant];
                    candidates = worker.Candidates[key] = Matching(local.Text[localKey.Description]!, merchant, local.Text[localKey.Account]);
                }

                cached = new Worker.CachedRules(key.Merchant, key.Account, candidates);
            }

            foreach (var rule in candidates)
            {
                if (_rules[rule].InRange(amount))
                {
                    return _ruleCategory[rule];
                }
            }

            return _uncategorized;
        }

        private int[] Matching(string description, string? merchant, string? account)
        {
            Span<bool> matches = _rules.Count <= 1024 ? stackalloc bool[_rules.Count] : new bool[_rules.Count];
            var count = 0;
            for (var r = 0; r < matches.Length; r++)
            {
                matches[r] = _rules[r].MatchesText(description, merchant, account);
                count += matches[r] ? 1 : 0;
            }

            var matching = new int[count];
            for (int r = 0, m = 0; m < count; r++)
            {
                if (matches[r])
                {
                    matching[m++] = r;
                }
            }

            return matching;
        }

        /// <summary>What one thread keeps between the chunks it fills.</summary>
        internal sealed class Worker
        {
            private LocalStrings _strings = new(0);
            private CachedRules[] _cache = [];

            public List<UInt128> References { get; } = [];

            /// <summary>Which rules' text conditions hold for a (description, merchant, account).</summary>
            public Dictionary<(int, int, int), int[]> Candidates { get; } = [];

            /// <summary>The chunk's string table: where each string's bytes are, none mapped yet.</summary>
            public LocalStrings Strings(TransactionChunkCodec.Layout chunk)
            {
                var count = chunk.StringCount;
                if (_strings.Global.Length < count)
                {
                    _strings = new LocalStrings(Math.Max(count, _strings.Global.Length * 2));
                }

                _strings.Count = count;
                Array.Fill(_strings.Global, Unused, 0, count);
                var table = chunk.Strings;
                for (var k = 0; k < count; k++)
                {
                    _strings.Length[k] = table.Next().Length;
                    _strings.Start[k] = table.Offset;
                }

                return _strings;
            }

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public ref CachedRules Cache(int description)
            {
                if (description >= _cache.Length)
                {
                    Array.Resize(ref _cache, Math.Max(description + 1, _cache.Length * 2));
                }

                return ref _cache[description];
            }

            /// <summary>A chunk's string table mapped to the projection's: where its bytes are, and index, string and hash per entry used.</summary>
            internal sealed class LocalStrings(int capacity)
            {
                public int Count { get; set; }
                public int[] Start { get; } = new int[capacity];
                public int[] Length { get; } = new int[capacity];
                public int[] Global { get; } = new int[capacity];
                public string?[] Text { get; } = new string?[capacity];
                public UInt128[] Hash { get; } = new UInt128[capacity];
            }

            internal readonly record struct CachedRules(int Merchant, int Account, int[]? Candidates);
        }

        /// <summary>
        /// The projection's strings by their UTF-8 bytes (a chunk's table holds them so), for the fill only: open
        /// addressing over one byte buffer, so a lookup neither makes a string nor copies bytes.
        /// </summary>
        private sealed class Utf8Strings
        {
            private static readonly ulong Seed = (ulong)HashSeed;
            private int[] _slots = new int[1 << 12];
            private int[] _index = new int[1 << 11];
            private ulong[] _hashes = new ulong[1 << 11];
            private int[] _starts = new int[(1 << 11) + 1];
            private byte[] _bytes = new byte[1 << 16];
            private int _count;

            // A seeded multiply-and-fold hash over 8 bytes at a time: texts are short, and this is compiled in full
            // at once rather than running as tier-0 code through the first million lookups.
            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            public static ulong Hash(ReadOnlySpan<byte> bytes)
            {
                var h = Seed ^ ((ulong)bytes.Length * 0x9E3779B97F4A7C15UL);
                while (bytes.Length >= 8)
                {
                    h = (h ^ BinaryPrimitives.ReadUInt64LittleEndian(bytes)) * 0xFF51AFD7ED558CCDUL;
                    h ^= h >> 32;
                    bytes = bytes[8..];
                }

                ulong tail = 0;
                for (var i = 0; i < bytes.Length; i++)
                {
                    tail |= (ulong)bytes[i] << (8 * i);
                }

                h = (h ^ tail) * 0xC4CEB9FE1A85EC53UL;
                return h ^ (h >> 29);
            }

            /// <summary>The projection's index of the string with these bytes, or -1.</summary>
            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            public int Find(ReadOnlySpan<byte> bytes, ulong hash)
            {
                var mask = _slots.Length - 1;
                for (var slot = (int)hash & mask; ; slot = (slot + 1) & mask)
                {
                    var entry = _slots[slot] - 1;
                    if (entry < 0)
                    {
                        return -1;
                    }

                    if (_hashes[entry] == hash && bytes.SequenceEqual(_bytes.AsSpan(_starts[entry], _starts[entry + 1] - _starts[entry])))
                    {
                        return _index[entry];
                    }
                }
            }

            public void Add(ReadOnlySpan<byte> bytes, ulong hash, int index)
            {
                if (_count == _index.Length)
                {
                    Array.Resize(ref _index, _count * 2);
                    Array.Resize(ref _hashes, _count * 2);
                    Array.Resize(ref _starts, (_count * 2) + 1);
                }

                if (_starts[_count] + bytes.Length > _bytes.Length)
                {
                    Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _starts[_count] + bytes.Length));
                }

                bytes.CopyTo(_bytes.AsSpan(_starts[_count]));
                _starts[_count + 1] = _starts[_count] + bytes.Length;
                _index[_count] = index;
                _hashes[_count] = hash;
                _count++;
                if (_count * 2 > _slots.Length)
                {
                    _slots = new int[_slots.Length * 2];
                    for (var entry = 0; entry < _count; entry++)
                    {
                        Place(entry);
                    }
                }
                else
                {
                    Place(_count - 1);
                }
            }

            private void Place(int entry)
            {
                var mask = _slots.Length - 1;
                var slot = (int)_hashes[entry] & mask;
                while (_slots[slot] != 0)
                {
                    slot = (slot + 1) & mask;
                }

                _slots[slot] = entry + 1;
            }
        }
    }
}
