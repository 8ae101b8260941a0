using System.Runtime.CompilerServices;

namespace Symbolon.Core.Statements;

/// <summary>
/// The projection's side for categories and insights: re-categorizing every transaction when rules change, and the
/// scans insights are computed from. Everything works on the columns and on distinct strings, never on row objects,
/// so a million transactions stay a few milliseconds per question.
/// </summary>
internal sealed partial class TransactionProjection
{
    private long[] _units = [];
    private int _unitsCount;
    private int[] _merchantGroupOfString = [];
    private List<string> _merchantGroupNames = [];
    private int _merchantGroupsFor = -1;
    private Dictionary<int, int>? _batchStarts;
    private int _batchStartsFor = -1;

    /// <summary>
    /// Gives every transaction its category from <paramref name="rules"/> (first match wins), then applies the
    /// person's single-transaction choices in <paramref name="overrides"/> over them. Returns how many changed.
    /// Rules are matched once per distinct (description, merchant, account); only amount ranges are checked per row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Recategorize(IReadOnlyList<CategoryRule> rules, IReadOnlyDictionary<(Guid Batch, int Row), string> overrides)
    {
        _lock.Enter();
        try
        {
            var candidates = new Dictionary<(int, int, int), CategoryRule[]>();
            var categoryIndex = new Dictionary<string, int>(StringComparer.Ordinal);
            int IndexOf(string category)
            {
                if (!categoryIndex.TryGetValue(category, out var index))
                {
                    index = Intern(category);
                    categoryIndex[category] = index;
                }

                return index;
            }

            var uncategorized = IndexOf(Categories.Uncategorized);
            var next = new int[Count];
            for (var i = 0; i < Count; i++)
            {
                var key = (_description[i], _merchant[i], _account[i]);
                if (!candidates.TryGetValue(key, out var matching))
                {
                    var merchant = _merchant[i] < 0 ? null : _strings[_merchant[i]];
                    matching = [.. rules.Where(r => r.MatchesText(_strings[_description[i]], merchant, _strings[_account[i]]))];
                    candidates[key] = matching;
                }

                var category = uncategorized;
                foreach (var rule in matching)
                {
                    if (rule.InRange(_amounts[i]))
                    {
                        category = IndexOf(rule.Category);
                        break;
                    }
                }

                next[i] = category;
            }

            foreach (var ((batch, row), category) in overrides)
            {
                if (PositionOf(batch, row) is { } position)
                {
                    next[position] = IndexOf(category);
                }
            }

            var changed = 0;
            for (var i = 0; i < Count; i++)
            {
                if (_category[i] != next[i])
                {
                    _category[i] = next[i];
                    changed++;
                }
            }

            if (changed > 0)
            {
                CategoriesChanged();
            }

            return changed;
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>One transaction by its import and position in it, or null.</summary>
    public TransactionRow? Find(Guid batch, int row)
    {
        _lock.Enter();
        try
        {
            return PositionOf(batch, row) is { } position ? Row(position) : null;
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>Every category in use with its number of transactions, most used first.</summary>
    public IReadOnlyList<(string Category, int Count)> CategoryCounts()
    {
        _lock.Enter();
        try
        {
            return CountsOf(_category);
        }
        finally
        {
            _lock.Exit();
        }
    }

    // How many rows hold each string of a string column, most first (then by the string): counted in an array by
    // string index, one increment a row, rather than a dictionary lookup a row. Callers hold the lock.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private List<(string, int)> CountsOf(int[] column)
    {
        var counts = new int[_strings.Count];
        foreach (var index in column.AsSpan(0, Count))
        {
            counts[index]++;
        }

        var found = new List<(string, int)>();
        for (var index = 0; index < counts.Length; index++)
        {
            if (counts[index] > 0)
            {
                found.Add((_strings[index], counts[index]));
            }
        }

        return [.. found.OrderByDescending(c => c.Item2).ThenBy(c => c.Item1, StringComparer.Ordinal)];
    }

    /// <summary>Currencies with the number of transactions in each, most used first.</summary>
    public IReadOnlyList<(string Currency, int Count)> CurrencyCounts()
    {
        _lock.Enter();
        try
        {
            return CountsOf(_currency);
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>
    /// Money going out (as positive ten-thousandths) in <paramref name="currency"/>, grouped by category or by merchant
    /// and by period. <paramref name="periodStarts"/> holds the first day number of each period and, last, the day
    /// after the last period. The hot loop reads four int columns and one long column; with more than 200,000 rows
    /// it runs on every core, each with its own totals.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public SpendCube Spend(bool byMerchant, int[] periodStarts, string currency, string? category = null)
    {
        _lock.Enter();
        try
        {
            var periods = periodStarts.Length - 1;
            var firstDay = periodStarts[0];
            var endDay = periodStarts[^1];
            var periodOfDay = new int[Math.Max(0, endDay - firstDay)];
            for (var p = 0; p < periods; p++)
            {
                for (var d = periodStarts[p]; d < periodStarts[p + 1]; d++)
                {
                    periodOfDay[d - firstDay] = p;
                }
            }

            var units = Units();
            var currencyIndex = _stringIndex.GetValueOrDefault(currency, -1);
            var categoryFilter = category is null ? -1 : _stringIndex.GetValueOrDefault(category, -2);
            int[] groupOfString;
            IReadOnlyList<string> groupNames;
            if (byMerchant)
            {
                (groupOfString, groupNames) = MerchantGroups();
            }
            else
            {
                // Categories are grouped by their own string index, mapped to dense group numbers.
                groupOfString = new int[_strings.Count];
                Array.Fill(groupOfString, -1);
                var names = new List<string>();
                for (var i = 0; i < Count; i++)
                {
                    ref var g = ref groupOfString[_category[i]];
                    if (g < 0)
                    {
                        g = names.Count;
                        names.Add(_strings[_category[i]]);
                    }
                }

                groupNames = names;
            }

            var groups = groupNames.Count;
            var count = Count;
            var slices = count > 200_000 ? Environment.ProcessorCount : 1;
            var partial = new (long[] Units, int[] Counts, bool[] Currencies)[slices];
            var days = _days;
            var amounts = units;
            var currencies = _currency;
            var categories = _category;
            var merchants = _merchant;
            var descriptions = _description;
            var stringCount = _strings.Count;

            void Slice(int s)
            {
                var sums = new long[groups * periods];
                var counts = new int[groups * periods];
                var otherCurrencies = new bool[stringCount];
                var from = (int)((long)count * s / slices);
                var to = (int)((long)count * (s + 1) / slices);
                for (var i = from; i < to; i++)
                {
                    var day = days[i];
                    var amount = amounts[i];
                    if ((uint)(day - firstDay) >= (uint)periodOfDay.Length || amount >= 0)
                    {
                        continue;
                    }

                    if (currencies[i] != currencyIndex)
                    {
                        otherCurrencies[currencies[i]] = true;
                        continue;
                    }

                    if (categoryFilter != -1 && categories[i] != categoryFilter)
                    {
                        continue;
                    }

                    int group;
                    if (byMerchant)
                    {
                        var merchant = merchants[i];
                        group = groupOfString[merchant >= 0 ? merchant : descriptions[i]];
                    }
                    else
                    {
                        group = groupOfString[categories[i]];
                    }

                    var cell = (group * periods) + periodOfDay[day - firstDay];
                    sums[cell] -= amount;
                    counts[cell]++;
                }

                partial[s] = (sums, counts, otherCurrencies);
            }

            if (slices == 1)
            {
                Slice(0);
            }
            else
            {
                Parallel.For(0, slices, Slice);
            }

            var (total, totalCounts, seen) = partial[0];
            for (var s = 1; s < slices; s++)
            {
                for (var c = 0; c < total.Length; c++)
                {
                    total[c] += partial[s].Units[c];
                    totalCounts[c] += partial[s].Counts[c];
                }

                for (var c = 0; c < seen.Length; c++)
                {
                    seen[c] |= partial[s].Currencies[c];
                }
            }

            var others = new List<string>();
            for (var c = 0; c < seen.Length; c++)
            {
                if (seen[c])
                {
                    others.Add(_strings[c]);
                }
            }

            return new SpendCube([.. groupNames], periods, total, totalCounts, [.. others.Order(StringComparer.Ordinal)]);
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>
    /// Money going out, one entry per transaction, with the merchant group each belongs to (for visits and
    /// recurring payments), within [<paramref name="fromDay"/>, <paramref name="toDay"/>].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (List<OutgoingLine> Lines, IReadOnlyList<string> MerchantNames) Outgoing(int fromDay = int.MinValue, int toDay = int.MaxValue)
    {
        _lock.Enter();
        try
        {
            var (groupOfString, names) = MerchantGroups();

            // Counted first, so the list is allocated once at its size rather than grown (and copied) by doubling.
            var size = 0;
            for (var i = 0; i < Count; i++)
            {
                var day = _days[i];
                size += day >= fromDay && day <= toDay && _amounts[i] < 0 ? 1 : 0;
            }

            var lines = new List<OutgoingLine>(size);
            for (var i = 0; i < Count; i++)
            {
                var day = _days[i];
                if (_amounts[i] >= 0 || day < fromDay || day > toDay)
                {
                    continue;
                }

                var merchant = _merchant[i];
                lines.Add(new OutgoingLine(i, day, -_amounts[i], _currency[i], groupOfString[merchant >= 0 ? merchant : _description[i]], _category[i]));
            }

            return (lines, names);
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>
    /// Money going out, as <see cref="Outgoing"/> gives it, but only for the (merchant group, currency) pairs that can
    /// still be recurring payments: paid no more often than a weekly cadence allows, and with few distinct amounts.
    /// A million card payments at a few dozen shops (daily coffee, groceries whose totals vary) are set aside in
    /// passes over the columns instead of being listed, grouped and sorted. Both tests are ones every recurring
    /// payment passes (see <c>InsightService.RecurringAsync</c>):
    /// <list type="bullet">
    /// <item>four in five of the n - 1 gaps between payments are at least 6 days, so the payments span at least
    /// 4.8 (n - 1) days from the first to the last;</item>
    /// <item>at most max(2, n / 3) distinct amounts among the n payments (a pair is given up as soon as it has more).</item>
    /// </list>
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (List<OutgoingLine> Lines, IReadOnlyList<string> MerchantNames) SteadyOutgoing()
    {
        _lock.Enter();
        try
        {
            var (groupOfString, names) = MerchantGroups();
            var count = Count;
            var pairOf = System.Buffers.ArrayPool<int>.Shared.Rent(Math.Max(count, 1));
            try
            {
                // A merchant's payments are nearly always in one currency: its first pair is found through an array
                // indexed by merchant group, and only other currencies through the dictionary.
                var pairs = new Dictionary<long, int>();
                var firstPair = new int[names.Count];
                Array.Fill(firstPair, -1);
                var currencyOfPair = new List<int>();
                var payments = new List<(int Count, int First, int Last)>();
                for (var i = 0; i < count; i++)
                {
                    if (_amounts[i] >= 0)
                    {
                        pairOf[i] = -1;
                        continue;
                    }

                    var merchant = _merchant[i];
                    var group = groupOfString[merchant >= 0 ? merchant : _description[i]];
                    var currency = _currency[i];
                    var day = _days[i];
                    var pair = firstPair[group];
                    if (pair < 0 || currencyOfPair[pair] != currency)
                    {
                        var key = ((long)group << 32) | (uint)currency;
                        if (!pairs.TryGetValue(key, out pair))
                        {
                            pair = payments.Count;
                            pairs[key] = pair;
                            payments.Add((0, day, day));
                            currencyOfPair.Add(currency);
                            if (firstPair[group] < 0)
                            {
                                firstPair[group] = pair;
                            }
                        }
                    }

                    var (n, first, last) = payments[pair];
                    payments[pair] = (n + 1, Math.Min(first, day), Math.Max(last, day));
                    pairOf[i] = pair;
                }

                // Paid too often for any cadence: given up before their amounts are looked at.
                var varies = new bool[payments.Count];
                for (var pair = 0; pair < varies.Length; pair++)
                {
                    var (n, first, last) = payments[pair];
                    varies[pair] = 5L * (last - first) < 24L * (n - 1);
                }

                var amounts = new HashSet<decimal>?[payments.Count];
                for (var i = 0; i < count; i++)
                {
                    var pair = pairOf[i];
                    if (pair < 0 || varies[pair])
                    {
                        continue;
                    }

                    var seen = amounts[pair] ??= [];
                    if (seen.Add(_amounts[i]) && seen.Count > Math.Max(2, payments[pair].Count / 3))
                    {
                        varies[pair] = true;
                        amounts[pair] = null;
                    }
                }

                var size = 0;
                for (var pair = 0; pair < varies.Length; pair++)
                {
                    size += varies[pair] ? 0 : payments[pair].Count;
                }

                var lines = new List<OutgoingLine>(size);
                for (var i = 0; i < count; i++)
                {
                    var pair = pairOf[i];
                    if (pair >= 0 && !varies[pair])
                    {
                        var merchant = _merchant[i];
                        lines.Add(new OutgoingLine(i, _days[i], -_amounts[i], _currency[i], groupOfString[merchant >= 0 ? merchant : _description[i]], _category[i]));
                    }
                }

                return (lines, names);
            }
            finally
            {
                System.Buffers.ArrayPool<int>.Shared.Return(pairOf);
            }
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>The transaction at a position (from <see cref="Outgoing"/>).</summary>
    public TransactionRow At(int position)
    {
        _lock.Enter();
        try
        {
            return Row(position);
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>A string of the projection's table (a currency or category index from <see cref="Outgoing"/>).</summary>
    public string StringAt(int index)
    {
        _lock.Enter();
        try
        {
            return _strings[index];
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>Transactions whose category is one of <paramref name="categories"/> or whose text matches <paramref name="text"/>, money going out only.</summary>
    public List<TransactionRow> OutgoingWhere(IReadOnlySet<string> categories, Func<string, bool> text, int fromDay = int.MinValue, int toDay = int.MaxValue)
    {
        _lock.Enter();
        try
        {
            var byCategory = new bool[_strings.Count];
            var byText = new bool[_strings.Count];
            for (var s = 0; s < _strings.Count; s++)
            {
                byCategory[s] = categories.Contains(_strings[s]);
                byText[s] = text(_strings[s]);
            }

            var rows = new List<TransactionRow>();
            for (var i = 0; i < Count; i++)
            {
                if (_amounts[i] < 0 && _days[i] >= fromDay && _days[i] <= toDay
                    && (byCategory[_category[i]] || byText[_description[i]] || (_merchant[i] >= 0 && byText[_merchant[i]])))
                {
                    rows.Add(Row(i));
                }
            }

            return rows;
        }
        finally
        {
            _lock.Exit();
        }
    }

    private int? PositionOf(Guid batch, int row)
    {
        var batchIndex = _batches.IndexOf(batch);
        if (batchIndex < 0 || row < 0)
        {
            return null;
        }

        if (_batchStarts is null || _batchStartsFor != Count)
        {
            // A batch's chunks are appended one after another, so its rows are contiguous from its first position.
            var starts = new Dictionary<int, int>();
            for (var i = Count - 1; i >= 0; i--)
            {
                starts[_batch[i]] = i;
            }

            _batchStarts = starts;
            _batchStartsFor = Count;
        }

        if (!_batchStarts.TryGetValue(batchIndex, out var start))
        {
            return null;
        }

        var position = start + row;
        return position < Count && _batch[position] == batchIndex && _row[position] == row ? position : null;
    }

    // Amounts as ten-thousandths in a long column: adding longs is several times faster than adding decimals, and
    // statement amounts never have more than four decimals. Extended when imports add rows.
    private long[] Units()
    {
        if (_unitsCount == Count)
        {
            return _units;
        }

        if (_units.Length < Count)
        {
            Array.Resize(ref _units, _days.Length);
        }

        for (var i = _unitsCount; i < Count; i++)
        {
            _units[i] = decimal.ToOACurrency(_amounts[i]);
        }

        _unitsCount = Count;
        return _units;
    }

    // Merchant groups: every distinct string (merchants and, for lines without a merchant, descriptions) mapped to a
    // group of the same normalized name, so "SQ *BLUE DOOR COFFEE 0042" and "Blue Door Coffee" are one merchant.
    private (int[] GroupOfString, IReadOnlyList<string> Names) MerchantGroups()
    {
        if (_merchantGroupsFor == _strings.Count)
        {
            return (_merchantGroupOfString, _merchantGroupNames);
        }

        var start = _merchantGroupsFor < 0 ? 0 : _merchantGroupOfString.Length;
        if (start == 0)
        {
            _merchantGroupNames = [];
            _merchantKeys.Clear();
        }

        var groups = new int[_strings.Count];
        Array.Copy(_merchantGroupOfString, groups, Math.Min(start, _merchantGroupOfString.Length));
        for (var s = start; s < _strings.Count; s++)
        {
            var key = Insights.MerchantNames.Key(_strings[s]);
            if (!_merchantKeys.TryGetValue(key, out var group))
            {
                group = _merchantGroupNames.Count;
                _merchantKeys[key] = group;
                _merchantGroupNames.Add(Insights.MerchantNames.Display(_strings[s]));
            }

            groups[s] = group;
        }

        _merchantGroupOfString = groups;
        _merchantGroupsFor = _strings.Count;
        return (groups, _merchantGroupNames);
    }

    private readonly Dictionary<string, int> _merchantKeys = new(StringComparer.Ordinal);
}

/// <summary>
/// Spend per group and period: <see cref="Units"/> and <see cref="Counts"/> hold group × period cells
/// (group * <see cref="Periods"/> + period), amounts in ten-thousandths, positive for money spent.
/// </summary>
internal sealed record SpendCube(string[] Groups, int Periods, long[] Units, int[] Counts, string[] OtherCurrencies)
{
    public decimal Amount(int group, int period) => decimal.FromOACurrency(Units[(group * Periods) + period]);

    public int Count(int group, int period) => Counts[(group * Periods) + period];
}

/// <summary>One transaction of money going out, as insights need it: where it is, when, how much (positive), and indices into the projection's strings.</summary>
internal readonly record struct OutgoingLine(int Position, int Day, decimal Amount, int Currency, int MerchantGroup, int Category);
