using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Symbolon.Core.Statements;

namespace Symbolon.Core.Tests.Statements;

/// <summary>
/// Unlocking fills a new projection from the decompressed chunks on several threads at once; it must hold exactly
/// what appending the same chunks one by one and recategorizing holds, and recognise the same duplicates.
/// </summary>
public sealed class TransactionProjectionLoadTests
{
    private static readonly Guid First = Guid.Parse("0190a1b2-0000-7000-8000-000000000001");
    private static readonly Guid Second = Guid.Parse("0190a1b2-0000-7000-8000-000000000002");

    private static readonly IReadOnlyList<CategoryRule> Rules =
    [
        new("big shop", ["rewe"], MaxAmount: -50m),
        new("coffee", ["coffee"], Account: "visa"),
        .. CategoryRules.Defaults,
    ];

    [Fact]
    public void Filling_chunks_on_two_threads_holds_what_appending_them_holds()
    {
        var (chunks, lines) = Chunks();
        var overrides = new Dictionary<(Guid, int), string> { [(First, 3)] = "mine", [(Second, 1)] = "other", [(Second, 999)] = "gone" };
        var appended = new TransactionProjection();
        foreach (var (batch, firstRow, _, payload) in chunks)
        {
            appended.Append(batch, firstRow, TransactionChunkCodec.Decode(payload));
        }

        appended.Recategorize(Rules, overrides);

        var filled = Fill(chunks, overrides);

        Assert.Equal(lines.Count, filled.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            Assert.Equal(appended.At(i), filled.At(i));
        }

        Assert.Equal(appended.Query(new TransactionFilter(), null, 1000).Rows, filled.Query(new TransactionFilter(), null, 1000).Rows);
        Assert.Equal(appended.CategoryCounts(), filled.CategoryCounts());
        Assert.Equal("mine", filled.Find(First, 3)!.Category);

        // Merchants are named after the first spelling in import order, whichever thread finished which chunk first.
        var (appendedOut, appendedNames) = appended.Outgoing();
        var (filledOut, filledNames) = filled.Outgoing();
        Assert.Equal(appendedOut.Select(o => appendedNames[o.MerchantGroup]), filledOut.Select(o => filledNames[o.MerchantGroup]));
        Assert.Equal("Blue Door Coffee", filledNames[filledOut.Single(o => o.Position == 29).MerchantGroup]);
        Assert.Equal("big shop", filled.At(lines.FindIndex(l => l.Description.StartsWith("REWE", StringComparison.Ordinal) && l.Amount < -50m)).Category);
    }

    [Fact]
    public async Task The_query_database_filled_alongside_holds_what_a_copy_holds()
    {
        var (chunks, _) = Chunks();
        var overrides = new Dictionary<(Guid, int), string> { [(First, 3)] = "mine" };
        using var copied = new VaultAnalytics(AnalyticsLimits.Default);
        using var alongside = new VaultAnalytics(AnalyticsLimits.Default);
        var load = await alongside.BeginLoadAsync(default);
        Assert.NotNull(load);

        var (filled, filling) = Filled(chunks, overrides, load);
        await filling.SinkDone;
        Assert.True(filling.SinkTookAll);
        load.Complete(filled.Count, filled.CategoryVersion, filling.SinkTookAll);
        Assert.Equal(filled.Count, alongside.LastCopy.Rows);

        // In import order, every column; the copy is taken from the same projection filled without a sink.
        const string Everything = "SELECT * FROM transactions";
        var expected = await AskAsync(copied, Fill(chunks, overrides), Everything);
        Assert.Equal(expected, await AskAsync(alongside, filled, Everything));
        Assert.Equal(filled.Count, alongside.LastCopy.Rows);
        Assert.Contains("|Blue Door Coffee|", expected, StringComparison.Ordinal);
        Assert.Contains("|mine|", expected, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_query_database_names_merchants_first_seen_after_it_took_earlier_rows()
    {
        // One chunk at a time, each passed to the database before the next is filled: the sink is always ahead.
        var (chunks, _) = Chunks();
        var overrides = new Dictionary<(Guid, int), string>();
        using var alongside = new VaultAnalytics(AnalyticsLimits.Default);
        var load = await alongside.BeginLoadAsync(default);
        Assert.NotNull(load);
        var sink = new Stepping(load);
        var filling = new TransactionProjection().Fill(chunks.Sum(c => TransactionChunkCodec.Decode(c.Payload).Count), [First, Second], Rules, overrides, sink);
        var worker = filling.NewWorker();
        foreach (var chunk in chunks)
        {
            using var plain = TransactionChunkCodec.Decompress(chunk.Payload);
            filling.Chunk(worker, chunk.Position, chunk.Batch == First ? 0 : 1, chunk.FirstRow, plain.Span);
            Assert.True(await sink.Passed.WaitAsync(TimeSpan.FromSeconds(10)));
        }

        var filled = filling.Complete();
        await filling.SinkDone;
        load.Complete(filled.Count, filled.CategoryVersion, filling.SinkTookAll);

        const string Merchants = "SELECT merchant, count(*) FROM transactions GROUP BY merchant ORDER BY merchant";
        using var copied = new VaultAnalytics(AnalyticsLimits.Default);
        Assert.Equal(await AskAsync(copied, Fill(chunks, overrides), Merchants), await AskAsync(alongside, filled, Merchants));
        Assert.DoesNotContain("||", await AskAsync(alongside, filled, Merchants), StringComparison.Ordinal);
    }

    private sealed class Stepping(IFilledRows inner) : IFilledRows
    {
        public SemaphoreSlim Passed { get; } = new(0);

        public void Append(FilledRows rows)
        {
            inner.Append(rows);
            Passed.Release();
        }
    }

    [Fact]
    public void A_filled_projection_recognises_duplicates_once_an_import_asks()
    {
        var (chunks, lines) = Chunks();
        var filled = Fill(chunks, new Dictionary<(Guid, int), string>());
        var again = lines.Take(40).Append(Line("COFFEE CART", -3.00m, "visa", day: 2)).Append(Line("NEW SHOP", -9.99m, "visa", day: 3, reference: "REF-NEW")).ToList();

        var (fresh, duplicates) = Dedupe(filled, again);

        // Two identical coffees on day 2 are held already: the file's first two are duplicates, its third is new.
        Assert.Equal(["COFFEE CART", "NEW SHOP"], fresh.Select(l => l.Description));
        Assert.Equal(40, duplicates);

        // Appending after the index was built keeps it whole.
        filled.Append(Second, 500, TransactionChunkCodec.Decode(TransactionChunkCodec.Encode(fresh, 0, fresh.Count)));
        Assert.Empty(Dedupe(filled, again).New);
    }

    // As an import asks, row by row in file order.
    private static (List<StatementLine> New, int Duplicates) Dedupe(TransactionProjection projection, IReadOnlyList<StatementLine> lines)
    {
        var finder = projection.FindDuplicates();
        var fresh = new List<StatementLine>();
        var duplicates = 0;
        foreach (var line in lines)
        {
            if (finder.IsDuplicate(new StatementRow(line.Account, line.Date, line.Amount, line.Currency, line.Description, line.Merchant, line.Reference, line.Balance)))
            {
                duplicates++;
            }
            else
            {
                fresh.Add(line);
            }
        }

        return (fresh, duplicates);
    }

    [Fact]
    public void A_chunk_pointing_past_its_strings_is_refused()
    {
        var (chunks, _) = Chunks();
        var plain = TransactionChunkCodec.Decompress(chunks[0].Payload);
        var bytes = plain.Span.ToArray();
        plain.Dispose();

        // The first row's description index, pointed past the end of the string table.
        var layout = TransactionChunkCodec.Layout.Parse(bytes);
        var descriptions = (int)Unsafe.ByteOffset(ref bytes[0], ref MemoryMarshal.GetReference(layout.Description));
        BitConverter.TryWriteBytes(bytes.AsSpan(descriptions), layout.StringCount + 5);

        var filling = new TransactionProjection().Fill(layout.Count, [First], Rules, new Dictionary<(Guid, int), string>());
        Assert.Throws<InvalidDataException>(() => filling.Chunk(filling.NewWorker(), 0, 0, 0, bytes));
    }

    private static TransactionProjection Fill(List<(Guid Batch, int FirstRow, int Position, byte[] Payload)> chunks, Dictionary<(Guid, int), string> overrides) =>
        Filled(chunks, overrides, null).Projection;

    private static (TransactionProjection Projection, TransactionProjection.Filling Filling) Filled(
        List<(Guid Batch, int FirstRow, int Position, byte[] Payload)> chunks, Dictionary<(Guid, int), string> overrides, IFilledRows? sink)
    {
        var filling = new TransactionProjection().Fill(chunks.Sum(c => TransactionChunkCodec.Decode(c.Payload).Count), [First, Second], Rules, overrides, sink);

        // Two threads taking the chunks in import order, as the loader's workers do; which finishes which first varies.
        var next = -1;
        void Work()
        {
            var worker = filling.NewWorker();
            for (var i = Interlocked.Increment(ref next); i < chunks.Count; i = Interlocked.Increment(ref next))
            {
                var chunk = chunks[i];
                using var plain = TransactionChunkCodec.Decompress(chunk.Payload);
                filling.Chunk(worker, chunk.Position, chunk.Batch == First ? 0 : 1, chunk.FirstRow, plain.Span);
            }
        }

        Task.WaitAll(Task.Run(Work), Task.Run(Work));
        return (filling.Complete(), filling);
    }

    private static async Task<string> AskAsync(VaultAnalytics analytics, TransactionProjection projection, string sql)
    {
        var stamp = new RecordsStamp(0, 0);
        var result = await analytics.QueryAsync(projection, stamp, _ => Task.FromResult(new AnalyticsRecords(stamp, WalletRows.None, [], [])), sql, 10_000, default);
        return string.Join("\n", result.Rows.Select(r => "|" + string.Join("|", r.Select(v => v?.ToString())) + "|"));
    }

    // Two imports, the first in chunks of 7 rows, with repeated and unique texts, references on some rows, rows
    // without a merchant and two identical coffees on one day.
    private static (List<(Guid Batch, int FirstRow, int Position, byte[] Payload)> Chunks, List<StatementLine> Lines) Chunks()
    {
        var lines = new List<StatementLine>();
        string[] shops = ["REWE MARKT 12 BERLIN", "STARBUCKS STORE 3 WIEN", "COFFEE CART", "UBER *TRIP", "NETFLIX.COM", "Café Übersee"];
        for (var i = 0; i < 30; i++)
        {
            lines.Add(Line(shops[i % shops.Length], -(i * 7.25m) - 1.5m, i % 4 == 0 ? "giro" : "visa", day: i % 9, merchant: i % 3 == 0 ? null : shops[i % shops.Length][..4], reference: i % 5 == 0 ? "REF-" + i : null));
        }

        lines[1] = Line("BLUE DOOR COFFEE 0042", -4.20m, "visa", day: 1);
        lines[29] = Line("Blue door coffee", -4.40m, "visa", day: 1);
        lines.Add(Line("COFFEE CART", -3.00m, "visa", day: 2));
        lines.Add(Line("COFFEE CART", -3.00m, "visa", day: 2));
        var first = lines.Count;
        for (var i = 0; i < 12; i++)
        {
            lines.Add(Line("SALARY ACME " + i, 2500m + i, "giro", day: 20 + i, reference: "PAY-" + i));
        }

        new CategoryRules([new CategoryRule("stored", [])]).Apply(lines);
        var chunks = new List<(Guid, int, int, byte[])>();
        for (var start = 0; start < first; start += 7)
        {
            chunks.Add((First, start, start, TransactionChunkCodec.Encode(lines, start, Math.Min(7, first - start))));
        }

        chunks.Add((Second, 0, first, TransactionChunkCodec.Encode(lines, first, lines.Count - first)));
        return (chunks, lines);
    }

    private static StatementLine Line(string description, decimal amount, string account, int day, string? merchant = null, string? reference = null) => new()
    {
        Account = account,
        Date = new DateOnly(2026, 1, 1).AddDays(day),
        Amount = amount,
        Currency = "EUR",
        Description = description,
        Merchant = merchant,
        Reference = reference,
        Position = "line 1",
    };
}
