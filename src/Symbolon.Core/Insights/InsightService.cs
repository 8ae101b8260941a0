using System.Globalization;
using Symbolon.Contracts.Insights;
using Symbolon.Core.Records;
using Symbolon.Core.Statements;
using Symbolon.Core.Vaults;
using Symbolon.Core.Wallet;

namespace Symbolon.Core.Insights;

/// <summary>What to compute spend over; see <see cref="InsightService.SpendAsync"/>.</summary>
internal sealed record SpendQuery(string GroupBy = SpendGroupings.Category, string Period = InsightPeriods.Month, DateOnly? Date = null, int Periods = 6, string? Category = null, string? Currency = null, int Limit = 20);

/// <summary>Which visits to count; see <see cref="InsightService.VisitsAsync"/>.</summary>
internal sealed record VisitQuery(DateOnly? From = null, DateOnly? To = null, string? Category = null, int Limit = 20);

/// <summary>
/// The person's questions answered over their own data: spend by category or merchant and period, visits by
/// merchant across card lines, receipts and check-ins, fees charged, recurring payments. Computed in memory over
/// the vault's transaction projection and its wallet records; nothing is stored.
/// </summary>
internal sealed class InsightService(StatementImporter importer, Receipts receipts, CheckIns checkIns, RecordStore records, TimeProvider time)
{
    public const int MaxPeriods = 120;
    public const int MaxLimit = 500;

    /// <summary>How far apart (in days) a card line may be booked from its receipt's day: a day before (time zones) to three days after (settlement).</summary>
    public const int ReceiptMatchDaysBefore = 1;
    public const int ReceiptMatchDaysAfter = 3;

    private static readonly HashSet<string> NotVisits = new(StringComparer.Ordinal) { Categories.Subscriptions, Categories.Fees, Categories.Income, Categories.Giving };
    private static readonly string[] InterestWords = ["interest", "zins", "intérêt", "interet", "sollzins", "finance charge"];
    private static readonly string[] PenaltyWords = ["penalty", "late fee", "late charge", "late payment", "overdraft", "returned payment", "mahngeb", "säumnis", "rücklastschrift", "ruecklastschrift", "pénalité", "penalite"];

    public DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    /// <summary>
    /// Money spent (transactions going out, as positive amounts) per category or merchant over <see cref="SpendQuery.Periods"/>
    /// consecutive months or ISO weeks ending with the one holding <see cref="SpendQuery.Date"/> (today by default),
    /// in one currency (the one most transactions have, unless asked), with each group's change from the period before.
    /// </summary>
    public async Task<SpendReport> SpendAsync(VaultSession session, SpendQuery query, CancellationToken ct = default)
    {
        var keys = session.Keys;
        var errors = new Dictionary<string, string[]>();
        if (!SpendGroupings.All.Contains(query.GroupBy))
        {
            errors["groupBy"] = ["category or merchant."];
        }

        if (!InsightPeriods.All.Contains(query.Period))
        {
            errors["period"] = ["month or week."];
        }

        if (query.Periods is < 1 or > MaxPeriods)
        {
            errors["periods"] = [$"1 to {MaxPeriods.ToString(CultureInfo.InvariantCulture)}."];
        }

        CheckLimit(errors, query.Limit);
        var currency = CheckCurrency(errors, query.Currency);
        var category = CheckCategory(errors, query.Category);
        ThrowIfAny(errors);

        var projection = await importer.ProjectionAsync(session, ct);
        currency ??= projection.CurrencyCounts().Select(c => c.Currency).FirstOrDefault() ?? "EUR";
        var periods = PeriodsEndingAt(query.Period, query.Date ?? Today, query.Periods);
        var starts = periods.Select(p => p.Start.DayNumber).Append(periods[^1].End.DayNumber + 1).ToArray();
        var cube = projection.Spend(query.GroupBy == SpendGroupings.Merchant, starts, currency, category);
        return ToReport(query, currency, periods, cube);
    }

    internal static SpendReport ToReport(SpendQuery query, string currency, IReadOnlyList<InsightPeriod> periods, SpendCube cube)
    {
        var count = periods.Count;
        var totals = new decimal[count];
        var groups = new List<SpendGroup>();
        for (var g = 0; g < cube.Groups.Length; g++)
        {
            var amounts = new decimal[count];
            var counts = new int[count];
            var any = false;
            for (var p = 0; p < count; p++)
            {
                amounts[p] = cube.Amount(g, p);
                counts[p] = cube.Count(g, p);
                totals[p] += amounts[p];
                any |= counts[p] > 0;
            }

            if (!any)
            {
                continue;
            }

            // Several strings can fall into one group name (merchants normalized alike): add them up.
            var current = amounts[^1];
            var previous = count > 1 ? amounts[^2] : 0m;
            var existing = groups.FindIndex(x => x.Key == cube.Groups[g]);
            if (existing >= 0)
            {
                var old = groups[existing];
                amounts = [.. old.Amounts.Zip(amounts, (a, b) => a + b)];
                counts = [.. old.Counts.Zip(counts, (a, b) => a + b)];
                current = amounts[^1];
                previous = count > 1 ? amounts[^2] : 0m;
                groups.RemoveAt(existing);
            }

            groups.Add(new SpendGroup(cube.Groups[g], amounts, counts, current, previous, Change(current, previous)));
        }

        var ordered = groups
            .OrderByDescending(x => x.Current).ThenByDescending(x => x.Previous).ThenByDescending(x => x.Amounts.Sum()).ThenBy(x => x.Key, StringComparer.Ordinal)
            .Take(query.Limit)
            .ToList();
        return new SpendReport(query.GroupBy, query.Period, currency, periods, ordered, totals, [.. cube.OtherCurrencies.Where(c => c != currency)]);
    }

    /// <summary>
    /// Visits per merchant, each counted once across the three sources. A card line and a vendor receipt are one
    /// purchase when their merchant names normalize alike (<see cref="MerchantNames"/>), the amounts and currencies are
    /// equal and the card line is booked from a day before to three days after the receipt's day (closest first,
    /// each line used once). A check-in on the same day at the same merchant as a purchase is that visit; otherwise it
    /// is a visit of its own. Subscriptions, fees and income are not visits.
    /// </summary>
    public async Task<VisitReport> VisitsAsync(VaultSession session, VisitQuery query, CancellationToken ct = default)
    {
        var keys = session.Keys;
        var errors = new Dictionary<string, string[]>();
        CheckRange(errors, query.From, query.To);
        CheckLimit(errors, query.Limit);
        var category = CheckCategory(errors, query.Category);
        ThrowIfAny(errors);

        var projection = await importer.ProjectionAsync(session, ct);
        var fromDay = query.From?.DayNumber ?? int.MinValue;
        var toDay = query.To?.DayNumber ?? int.MaxValue;
        var (lines, names) = projection.Outgoing(fromDay, toDay);
        var keysOfGroup = new Dictionary<int, string>();
        string KeyOf(int group)
        {
            if (!keysOfGroup.TryGetValue(group, out var key))
            {
                key = MerchantNames.Key(names[group]);
                keysOfGroup[group] = key;
            }

            return key;
        }

        // Category and currency texts by string index: a few distinct ones for many lines.
        var texts = new Dictionary<int, string>();
        string Text(int index)
        {
            if (!texts.TryGetValue(index, out var text))
            {
                text = projection.StringAt(index);
                texts[index] = text;
            }

            return text;
        }

        var visits = new List<Visit>();
        var cardLines = new List<OutgoingLine>(lines.Count);
        foreach (var line in lines)
        {
            if (!NotVisits.Contains(Text(line.Category)))
            {
                cardLines.Add(line);
            }
        }

        var receiptsInRange = (await receipts.ListAllAsync(keys, ct))
            .Select(r => r.Receipt)
            .Where(r => DateOnly.FromDateTime(r.IssuedAt.DateTime).DayNumber is var day && day >= fromDay && day <= toDay)
            .OrderBy(r => r.IssuedAt)
            .ToList();
        var checkInsInRange = (await checkIns.ListAllAsync(keys, ct))
            .Select(c => c.Value)
            .Where(c => DateOnly.FromDateTime(c.At.DateTime).DayNumber is var day && day >= fromDay && day <= toDay)
            .OrderBy(c => c.At)
            .ToList();

        // Receipts first: each takes the closest unused card line of the same merchant, amount and currency. Only
        // card lines with a receipt's amount and currency are indexed.
        var receiptAmounts = receiptsInRange.Select(r => (r.Total, r.Currency)).ToHashSet();
        var byAmount = new Dictionary<(decimal, string), List<int>>();
        if (receiptAmounts.Count > 0)
        {
            for (var i = 0; i < cardLines.Count; i++)
            {
                var amount = (cardLines[i].Amount, Text(cardLines[i].Currency));
                if (receiptAmounts.Contains(amount))
                {
                    if (!byAmount.TryGetValue(amount, out var list))
                    {
                        byAmount[amount] = list = [];
                    }

                    list.Add(i);
                }
            }
        }

        var used = new bool[cardLines.Count];
        var (_, rules) = await new CategoryRuleBook(records).ReadRulesAsync(keys, ct);
        var categorizer = new CategoryRules(rules);
        foreach (var receipt in receiptsInRange)
        {
            var day = DateOnly.FromDateTime(receipt.IssuedAt.DateTime).DayNumber;
            var key = MerchantNames.Key(receipt.StoreName);
            var best = -1;
            if (byAmount.TryGetValue((receipt.Total, receipt.Currency), out var candidates))
            {
                foreach (var i in candidates)
                {
                    var offset = cardLines[i].Day - day;
                    if (!used[i] && offset >= -ReceiptMatchDaysBefore && offset <= ReceiptMatchDaysAfter && MerchantNames.Same(KeyOf(cardLines[i].MerchantGroup), key)
                        && (best < 0 || Math.Abs(offset) < Math.Abs(cardLines[best].Day - day)))
                    {
                        best = i;
                    }
                }
            }

            var visit = new Visit(key, receipt.StoreName.Trim(), day) { Receipts = 1, Named = true };
            if (best >= 0)
            {
                used[best] = true;
                visit.Cards = 1;
                visit.Category = Text(cardLines[best].Category);
            }
            else
            {
                visit.Category = categorizer.Categorize(receipt.StoreName, receipt.StoreName, -receipt.Total);
            }

            visits.Add(visit);
        }

        for (var i = 0; i < cardLines.Count; i++)
        {
            if (!used[i])
            {
                var line = cardLines[i];
                visits.Add(new Visit(KeyOf(line.MerchantGroup), names[line.MerchantGroup], line.Day) { Cards = 1, Category = Text(line.Category) });
            }
        }

        // Check-ins: the same day at the same merchant as a purchase is that purchase's visit. Only the days with a
        // check-in are indexed.
        var checkInDays = checkInsInRange.Select(c => DateOnly.FromDateTime(c.At.DateTime).DayNumber).ToHashSet();
        var byDay = new Dictionary<int, List<Visit>>();
        if (checkInDays.Count > 0)
        {
            foreach (var visit in visits)
            {
                if (checkInDays.Contains(visit.Day))
                {
                    if (!byDay.TryGetValue(visit.Day, out var list))
                    {
                        byDay[visit.Day] = list = [];
                    }

                    list.Add(visit);
                }
            }
        }

        foreach (var checkIn in checkInsInRange)
        {
            var day = DateOnly.FromDateTime(checkIn.At.DateTime).DayNumber;
            var key = MerchantNames.Key(checkIn.Place);
            var match = byDay.TryGetValue(day, out var sameDay) ? sameDay.FirstOrDefault(v => v.CheckIns == 0 && MerchantNames.Same(v.Key, key)) : null;
            if (match is not null)
            {
                match.CheckIns = 1;
                if (!match.Named)
                {
                    match.Name = checkIn.Place.Trim();
                    match.Key = key;
                    match.Named = true;
                }
            }
            else
            {
                var visit = new Visit(key, checkIn.Place.Trim(), day) { CheckIns = 1, Named = true, Category = categorizer.Categorize(checkIn.Place, checkIn.Place, 0m) };
                visits.Add(visit);
                if (sameDay is null)
                {
                    byDay[day] = [visit];
                }
                else
                {
                    sameDay.Add(visit);
                }
            }
        }

        // One merchant per name: a card-only name joins a receipt's or check-in's name it extends ("BLUE DOOR COFFEE BERLIN").
        // Which name a card-only key joins depends on the key alone, so it is worked out once per key.
        var named = visits.Where(v => v.Named).Select(v => v.Key).Distinct().ToList();
        var joins = new Dictionary<string, string>(StringComparer.Ordinal);
        string MerchantOf(Visit v)
        {
            if (v.Named || named.Count == 0)
            {
                return v.Key;
            }

            if (!joins.TryGetValue(v.Key, out var merchant))
            {
                merchant = named.FirstOrDefault(k => MerchantNames.Same(k, v.Key)) ?? v.Key;
                joins[v.Key] = merchant;
            }

            return merchant;
        }

        var merchants = visits
            .GroupBy(MerchantOf)
            .Select(g =>
            {
                var list = g.ToList();
                var name = list.Where(v => v.Named).Select(v => v.Name).FirstOrDefault() ?? list[0].Name;
                var groupCategory = list.Where(v => v.Cards > 0).GroupBy(v => v.Category).OrderByDescending(c => c.Count()).Select(c => c.Key).FirstOrDefault()
                    ?? list.GroupBy(v => v.Category).OrderByDescending(c => c.Count()).First().Key;
                return new MerchantVisits(
                    name,
                    groupCategory,
                    list.Count,
                    list.Sum(v => v.Cards),
                    list.Sum(v => v.Receipts),
                    list.Sum(v => v.CheckIns),
                    list.Count(v => v.Cards + v.Receipts + v.CheckIns > 1),
                    DateOnly.FromDayNumber(list.Max(v => v.Day)));
            })
            .Where(m => category is null || m.Category == category)
            .OrderByDescending(m => m.Visits).ThenByDescending(m => m.LastVisit).ThenBy(m => m.Merchant, StringComparer.OrdinalIgnoreCase)
            .Take(query.Limit)
            .ToList();
        return new VisitReport(query.From, query.To, merchants);
    }

    /// <summary>
    /// Fees, penalties and interest charged, per account: transactions going out in the <c>fees</c> category, or whose
    /// text names interest or a penalty. Interest and penalties are told apart by their words; the rest are fees.
    /// With <paramref name="limit"/>, each account lists only its newest charges (a page does not carry thousands);
    /// its totals and <see cref="FeeAccount.TransactionCount"/> still count them all.
    /// </summary>
    public async Task<FeeReport> FeesAsync(VaultSession session, DateOnly? from, DateOnly? to, int? limit = null, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, string[]>();
        CheckRange(errors, from, to);
        if (limit is { } max)
        {
            CheckLimit(errors, max);
        }

        ThrowIfAny(errors);
        var projection = await importer.ProjectionAsync(session, ct);
        var rows = projection.OutgoingWhere(new HashSet<string>(StringComparer.Ordinal) { Categories.Fees }, s => Kind(s) is not null, from?.DayNumber ?? int.MinValue, to?.DayNumber ?? int.MaxValue);
        var accounts = rows
            .GroupBy(r => (r.Account, r.Currency))
            .Select(g =>
            {
                var items = g.OrderByDescending(r => r.Date).ThenByDescending(r => r.Position)
                    .Select(r => new FeeTransaction(TransactionIds.Format(r.BatchId, r.Row), r.Date, -r.Amount, r.Description, Kind(r.Description) ?? (r.Merchant is null ? null : Kind(r.Merchant)) ?? FeeKinds.Fee))
                    .ToList();
                decimal Sum(string kind) => items.Where(i => i.Kind == kind).Sum(i => i.Amount);
                var listed = limit is { } max && items.Count > max ? items[..max] : items;
                return new FeeAccount(g.Key.Account, g.Key.Currency, items.Sum(i => i.Amount), Sum(FeeKinds.Fee), Sum(FeeKinds.Penalty), Sum(FeeKinds.Interest), listed) { TransactionCount = items.Count };
            })
            .OrderByDescending(a => a.Total).ThenBy(a => a.Account, StringComparer.Ordinal)
            .ToList();
        return new FeeReport(from, to, accounts);
    }

    /// <summary>
    /// Payments that recur: per merchant and currency, at least three payments (two for yearly) whose gaps are, for
    /// four in five of them, a week (6–8 days), a month (27–34) or a year (355–375), with few distinct amounts (a price
    /// is steady; a grocery bill is not). The latest change of amount is reported, flagged when it went up.
    /// </summary>
    public async Task<RecurringReport> RecurringAsync(VaultSession session, DateOnly? asOf = null, CancellationToken ct = default)
    {
        var keys = session.Keys;
        var today = asOf ?? Today;
        var projection = await importer.ProjectionAsync(session, ct);
        // Only merchants paid seldom enough and in few distinct amounts can recur (Detect's tests); the projection leaves the rest out.
        var (lines, names) = projection.SteadyOutgoing();
        var payments = new List<RecurringPayment>();
        foreach (var group in lines.GroupBy(l => (l.MerchantGroup, l.Currency)))
        {
            var series = group.OrderBy(l => l.Day).ThenBy(l => l.Position).ToList();
            if (series.Count < 2 || Detect(series) is not { } cadence)
            {
                continue;
            }

            var last = series[^1];
            var amount = last.Amount;
            var previousIndex = series.FindLastIndex(l => l.Amount != amount);
            decimal? previous = previousIndex >= 0 ? series[previousIndex].Amount : null;
            DateOnly? increasedOn = previous is { } p && p < amount ? DateOnly.FromDayNumber(series[previousIndex + 1].Day) : null;
            var lastDay = DateOnly.FromDayNumber(last.Day);
            var (next, grace, perYear) = cadence switch
            {
                Cadences.Weekly => (lastDay.AddDays(7), 4, 52m),
                Cadences.Monthly => (lastDay.AddMonths(1), 15, 12m),
                _ => (lastDay.AddYears(1), 60, 1m),
            };
            payments.Add(new RecurringPayment(
                names[group.Key.MerchantGroup],
                projection.StringAt(last.Category),
                cadence,
                amount,
                projection.StringAt(group.Key.Currency),
                series.Count,
                DateOnly.FromDayNumber(series[0].Day),
                lastDay,
                next,
                today.DayNumber <= next.DayNumber + grace,
                previous,
                increasedOn,
                amount * perYear));
        }

        return new RecurringReport(today, [.. payments.OrderByDescending(p => p.Active).ThenByDescending(p => p.YearlyCost).ThenBy(p => p.Merchant, StringComparer.OrdinalIgnoreCase)]);
    }

    private static string? Detect(List<OutgoingLine> series)
    {
        var distinctAmounts = series.Select(l => l.Amount).Distinct().Count();
        if (distinctAmounts > Math.Max(2, series.Count / 3))
        {
            return null;
        }

        var gaps = new List<int>(series.Count - 1);
        for (var i = 1; i < series.Count; i++)
        {
            gaps.Add(series[i].Day - series[i - 1].Day);
        }

        bool Fits(int min, int max, int minPayments) =>
            series.Count >= minPayments && gaps.Count(g => g >= min && g <= max) * 5 >= gaps.Count * 4;

        return Fits(6, 8, 3) ? Cadences.Weekly
            : Fits(27, 34, 3) ? Cadences.Monthly
            : Fits(355, 375, 2) ? Cadences.Yearly
            : null;
    }

    private static string? Kind(string text) =>
        InterestWords.Any(w => text.Contains(w, StringComparison.OrdinalIgnoreCase)) ? FeeKinds.Interest
        : PenaltyWords.Any(w => text.Contains(w, StringComparison.OrdinalIgnoreCase)) ? FeeKinds.Penalty
        : null;

    /// <summary>The <paramref name="count"/> months or ISO weeks ending with the one that holds <paramref name="date"/>, oldest first.</summary>
    public static IReadOnlyList<InsightPeriod> PeriodsEndingAt(string period, DateOnly date, int count)
    {
        var periods = new InsightPeriod[count];
        if (period == InsightPeriods.Week)
        {
            var monday = date.AddDays(-(((int)date.DayOfWeek + 6) % 7));
            for (var i = 0; i < count; i++)
            {
                var start = monday.AddDays(-7 * (count - 1 - i));
                var week = ISOWeek.GetWeekOfYear(start.ToDateTime(TimeOnly.MinValue));
                var year = ISOWeek.GetYear(start.ToDateTime(TimeOnly.MinValue));
                periods[i] = new InsightPeriod(string.Create(CultureInfo.InvariantCulture, $"{year}-W{week:00}"), start, start.AddDays(6));
            }
        }
        else
        {
            var first = new DateOnly(date.Year, date.Month, 1);
            for (var i = 0; i < count; i++)
            {
                var start = first.AddMonths(-(count - 1 - i));
                periods[i] = new InsightPeriod(start.ToString("yyyy-MM", CultureInfo.InvariantCulture), start, start.AddMonths(1).AddDays(-1));
            }
        }

        return periods;
    }

    private static decimal? Change(decimal current, decimal previous) =>
        previous == 0 ? null : decimal.Round((current - previous) * 100m / previous, 1, MidpointRounding.AwayFromZero);

    private static void CheckLimit(Dictionary<string, string[]> errors, int limit)
    {
        if (limit is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"1 to {MaxLimit.ToString(CultureInfo.InvariantCulture)}."];
        }
    }

    private static void CheckRange(Dictionary<string, string[]> errors, DateOnly? from, DateOnly? to)
    {
        if (from is { } f && to is { } t && f > t)
        {
            errors["to"] = ["On or after from."];
        }
    }

    private static string? CheckCurrency(Dictionary<string, string[]> errors, string? currency)
    {
        if (string.IsNullOrWhiteSpace(currency))
        {
            return null;
        }

        var clean = currency.Trim().ToUpperInvariant();
        if (clean.Length != 3 || !clean.All(char.IsAsciiLetterUpper))
        {
            errors["currency"] = ["A three-letter ISO 4217 code such as EUR."];
        }

        return clean;
    }

    private static string? CheckCategory(Dictionary<string, string[]> errors, string? category)
    {
        if (string.IsNullOrWhiteSpace(category))
        {
            return null;
        }

        var clean = category.Trim().ToLowerInvariant();
        if (clean.Length > 40 || clean.Any(char.IsControl))
        {
            errors["category"] = ["1 to 40 characters, no control characters."];
        }

        return clean;
    }

    private static void ThrowIfAny(Dictionary<string, string[]> errors)
    {
        if (errors.Count > 0)
        {
            throw new InsightProblemException(Contracts.Problems.ProblemCodes.InvalidInsightFilter, 400, "That filter cannot be used.", "See errors for each parameter and why.", errors);
        }
    }

    private sealed class Visit(string key, string name, int day)
    {
        public string Key { get; set; } = key;
        public string Name { get; set; } = name;
        public int Day { get; } = day;
        public bool Named { get; set; }
        public int Cards { get; set; }
        public int Receipts { get; set; }
        public int CheckIns { get; set; }
        public string Category { get; set; } = Categories.Uncategorized;
    }
}

/// <summary>Transaction ids as the owner API shows them: the import's id (32 hex digits), a dash, the position in the import.</summary>
internal static class TransactionIds
{
    public static string Format(Guid batch, int row) => $"{batch:N}-{row.ToString(CultureInfo.InvariantCulture)}";

    public static bool TryParse(string? id, out Guid batch, out int row)
    {
        batch = default;
        row = -1;
        if (id is null || id.Length < 34 || id[32] != '-')
        {
            return false;
        }

        return Guid.TryParseExact(id.AsSpan(0, 32), "N", out batch)
            && int.TryParse(id.AsSpan(33), NumberStyles.None, CultureInfo.InvariantCulture, out row);
    }
}
