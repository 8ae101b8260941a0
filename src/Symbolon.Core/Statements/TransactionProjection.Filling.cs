using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using Symbolon.Core.Insights;

namespace Symbolon.Core.Statements;

internal sealed partial class TransactionProjection
{
    /// <summary>
    /// One fill of a new projection. <see cref="Chunk"/> runs on several threads at once for chunks at different
    /// positions, each thread with its own <see cref="Worker"/>; chunks are taken in import order. Only the mapping of
    /// a chunk's string table to the projection's is done one chunk at a time, in import order, so the strings are
    /// numbered by first use exactly as appending the chunks one by one numbers them (a merchant is named after its
    /// first spelling). Strings are looked up by their UTF-8 bytes, and one is made only for a text the projection
    /// does not hold yet. Nobody else sees the projection until <see cref="Complete"/>. A sink, when given, receives
    /// the rows in import order on a thread of its own as soon as the chunks before them are filled, and may go on
    /// after <see cref="Complete"/> (see <see cref="SinkDone"/>).
    /// </summary>
    internal sealed class Filling
    {
        private const int Unused = -1;
        private const int Needed = -2;

        private readonly TransactionProjection _projection;
        private readonly int _rows;
        private readonly IReadOnlyList<CategoryRule> _rules;
        private readonly int[] _ruleCategory;
        private readonly int _uncategorized;
        private readonly Utf8Strings _utf8 = new();
        private readonly List<Worker> _workers = [];

        // The person's own category choices, by batch: the rows (sorted) and their categories.
        private readonly Dictionary<int, (int[] Rows, int[] Categories)> _overrides = [];

        // Mapping strings in import order: the position up to which chunks are mapped, and every string made, in order.
        private readonly object _order = new();
        private readonly List<string> _strings = [];
        private int _mappedUpTo;
        private bool _failed;
        private int _filled;

        // Passing rows to the sink, in import order: chunks filled and not yet passed, by position.
        private readonly IFilledRows? _sink;
        private readonly object _waiting = new();
        private readonly Dictionary<int, int> _filledChunks = [];
        private readonly Dictionary<string, string> _merchantNameOfKey = new(StringComparer.Ordinal);
        private readonly List<string> _passedStrings = [];
        private readonly Guid[] _batches;
        private readonly (int[] Days, decimal[] Amounts, int[] Currency, int[] Description, int[] Merchant, int[] Category, int[] Account, int[] Batch) _columns;
        private string?[] _merchantNames = new string?[1024];
        private int _passedRows;
        private bool _sinkFailed;

        public Filling(
            TransactionProjection projection,
            int rows,
            IReadOnlyList<Guid> batches,
            IReadOnlyList<CategoryRule> rules,
            IReadOnlyDictionary<(Guid Batch, int Row), string> overrides,
            IFilledRows? sink,
            CancellationToken ct)
        {
            _projection = projection;
            _rows = rows;
            _rules = rules;
            _batches = [.. batches];
            projection._batches.AddRange(batches);
            _columns = (new int[rows], new decimal[rows], new int[rows], new int[rows], new int[rows], new int[rows], new int[rows], new int[rows]);
            (projection._days, projection._amounts, projection._currency, projection._description, projection._merchant, projection._category, projection._account, projection._batch) = _columns;
            projection._row = new int[rows];

            // The categories the rules and the person's choices give are the first strings: a chunk's stored
            // categories are not read, since these replace them.
            _uncategorized = Intern(Categories.Uncategorized);
            _ruleCategory = [.. rules.Select(r => Intern(r.Category))];
            foreach (var group in overrides.GroupBy(o => projection._batches.IndexOf(o.Key.Batch)).Where(g => g.Key >= 0))
            {
                var chosen = group.OrderBy(o => o.Key.Row).ToArray();
                _overrides[group.Key] = ([.. chosen.Select(o => o.Key.Row)], [.. chosen.Select(o => Intern(o.Value))]);
            }

            _sink = sink;
            SinkDone = sink is null ? Task.CompletedTask : Task.Factory.StartNew(() => PassRows(ct), ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        /// <summary>Completes when the sink has received every row, or has stopped (a failure, the fill failing, <c>ct</c>).</summary>
        public Task SinkDone { get; }

        /// <summary>True when a sink was given and received every row.</summary>
        public bool SinkTookAll => _sink is not null && !_sinkFailed && Volatile.Read(ref _passedRows) == _rows;

        public Worker NewWorker()
        {
            var worker = new Worker();
            lock (_workers)
            {
                _workers.Add(worker);
            }

            return worker;
        }

        /// <summary>
        /// Copies the rows of one decompressed chunk to positions <paramref name="position"/> on, as rows
        /// <paramref name="firstRow"/> on of batch <paramref name="batch"/>. Waits, before mapping its strings,
        /// until every chunk before it has mapped theirs.
        /// </summary>
        // Called once per chunk with loops over its rows: compiled fully optimized at once instead of starting in tier 0.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Chunk(Worker worker, int position, int batch, int firstRow, ReadOnlySpan<byte> plain)
        {
            var chunk = TransactionChunkCodec.Layout.Parse(plain);
            var count = chunk.Count;
            if (position < 0 || position + count > _rows || (uint)batch >= (uint)_batches.Length)
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
            MapStrings(plain, local, position, count);

            var (days, amounts, currencies, descriptions, merchants, categories, accounts, batches) = _columns;
            var rows = _projection._row;
            for (var i = 0; i < count; i++)
            {
                var at = position + i;
                var amount = chunk.Amount(i);
                var description = local.Global[Int(chunk.Description, i)];
                var account = local.Global[Int(chunk.Account, i)];
                var merchantLocal = Int(chunk.Merchant, i);
                var merchant = merchantLocal < 0 ? -1 : local.Global[merchantLocal];
                days[at] = Int(chunk.Days, i);
                amounts[at] = amount;
                currencies[at] = local.Global[Int(chunk.Currency, i)];
                accounts[at] = account;
                descriptions[at] = description;
                merchants[at] = merchant;
                batches[at] = batch;
                rows[at] = firstRow + i;
                categories[at] = Categorize(worker, local, (description, merchant, account), (Int(chunk.Description, i), merchantLocal, Int(chunk.Account, i)), amount);

                // Hashed here, on the chunk's thread; counted into the dedupe index when an import first needs it.
                var reference = Int(chunk.Reference, i);
                if (reference >= 0)
                {
                    var bytes = plain.Slice(local.Start[CheckedIndex(reference, local)], local.Length[reference]);
                    worker.References.Add(ReferenceKey(local.Hash[Int(chunk.Account, i)], HashOfUtf8(bytes)));
                }
            }

            if (_overrides.TryGetValue(batch, out var chosen))
            {
                for (var k = ~Array.BinarySearch(chosen.Rows, firstRow - 1); k < chosen.Rows.Length && chosen.Rows[k] < firstRow + count; k++)
                {
                    categories[position + chosen.Rows[k] - firstRow] = chosen.Categories[k];
                }
            }

            Interlocked.Add(ref _filled, count);
            lock (_waiting)
            {
                _filledChunks.Add(position, count);
                Monitor.PulseAll(_waiting);
            }
        }

        /// <summary>Stops the fill after a chunk failed: chunks waiting for it to map its strings, and the sink, stop too.</summary>
        public void Fail()
        {
            lock (_order)
            {
                _failed = true;
                Monitor.PulseAll(_order);
            }

            lock (_waiting)
            {
                _failed = true;
                Monitor.PulseAll(_waiting);
            }
        }

        /// <summary>Makes the filled rows the projection's; every chunk must have been filled. The sink may still be receiving rows.</summary>
        public TransactionProjection Complete()
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

        // The sink's thread: passes each chunk's rows on in import order once it is filled, with the merchant name of
        // every string (as MerchantGroups gives it: the first spelling of a merchant, in the order strings were made).
        // A sink that fails is dropped; the fill goes on without it.
        private void PassRows(CancellationToken ct)
        {
            var named = 0;
            while (_passedRows < _rows && !ct.IsCancellationRequested)
            {
                int count;
                lock (_waiting)
                {
                    while (!_filledChunks.Remove(_passedRows, out count))
                    {
                        if (_failed)
                        {
                            return;
                        }

                        Monitor.Wait(_waiting, 100);
                        if (ct.IsCancellationRequested)
                        {
                            return;
                        }
                    }
                }

                string[] made;
                lock (_order)
                {
                    made = _strings.Count == named ? [] : [.. _strings.Skip(named)];
                }

                if (_merchantNames.Length < named + made.Length)
                {
                    Array.Resize(ref _merchantNames, Math.Max(named + made.Length, _merchantNames.Length * 2));
                }

                foreach (var text in made)
                {
                    var key = MerchantNames.Key(text);
                    if (!_merchantNameOfKey.TryGetValue(key, out var name))
                    {
                        name = _merchantNameOfKey[key] = MerchantNames.Display(text);
                    }

                    _merchantNames[named] = name;
                    _passedStrings.Add(text);
                    named++;
                }

                // Only the names made so far: the array is longer, and the sink takes every entry it is given.
                try
                {
                    var (days, amounts, currencies, descriptions, merchants, categories, accounts, batches) = _columns;
                    _sink!.Append(new FilledRows(
                        _passedRows, count, _passedStrings, new ArraySegment<string?>(_merchantNames, 0, named), _batches, days, amounts, currencies, descriptions, merchants, categories, accounts, batches));
                }
#pragma warning disable CA1031 // The projection does not depend on the query database, which copies the rows again when next needed.
                catch (Exception)
#pragma warning restore CA1031
                {
                    _sinkFailed = true;
                    return;
                }

                Volatile.Write(ref _passedRows, _passedRows + count);
            }
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

        // Maps the chunk's needed strings to the projection's, in the chunk's table order, once every chunk before it
        // has been mapped; a string is made only for a text the projection does not hold yet.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void MapStrings(ReadOnlySpan<byte> plain, Worker.LocalStrings local, int position, int count)
        {
            var p = _projection;
            lock (_order)
            {
                while (_mappedUpTo != position)
                {
                    if (_failed)
                    {
                        throw new OperationCanceledException("Another chunk of the fill failed.");
                    }

                    Monitor.Wait(_order);
                }

                for (var k = 0; k < local.Count; k++)
                {
                    if (local.Global[k] != Needed)
                    {
                        continue;
                    }

                    var bytes = plain.Slice(local.Start[k], local.Length[k]);
                    var hash = Utf8Strings.Hash(bytes);
                    var index = _utf8.Find(bytes, hash);
                    if (index < 0)
                    {
                        var text = Encoding.UTF8.GetString(bytes);
                        index = p.Intern(text);
                        _utf8.Add(bytes, hash, index);
                        _strings.Add(text);
                    }

                    local.Global[k] = index;
                    local.Text[k] = p._strings[index];
                    local.Hash[k] = p._stringHashes[index];
                }

                _mappedUpTo = position + count;
                Monitor.PulseAll(_order);
            }
        }

        // A category the rules or the person name. Its bytes find it only when they decode back to it (a category
        // with a lone surrogate does not), so a chunk's text is never taken for a different string.
        private int Intern(string s)
        {
            var made = _projection._strings.Count;
            var index = _projection.Intern(s);
            if (_projection._strings.Count > made)
            {
                _strings.Add(s);
            }

            var bytes = Encoding.UTF8.GetBytes(s);
            var hash = Utf8Strings.Hash(bytes);
            if (_utf8.Find(bytes, hash) < 0 && Encoding.UTF8.GetString(bytes) == s)
            {
                _utf8.Add(bytes, hash, index);
            }

            return index;
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
