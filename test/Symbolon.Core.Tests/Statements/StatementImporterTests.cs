using System.Text;
using Microsoft.EntityFrameworkCore;
using Symbolon.Contracts.Statements;
using Symbolon.Core.Statements;
using Symbolon.Core.Tests.Infrastructure;
using Symbolon.Core.Vaults;
using static Symbolon.Core.Tests.Statements.StatementSamples;

namespace Symbolon.Core.Tests.Statements;

public class StatementImporterTests
{
    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task The_same_file_twice_adds_nothing_the_second_time(StorageKind kind)
    {
        await using var vault = await TestVault.CreateAsync(kind);
        var imports = new Imports(vault);

        var first = await imports.ImportAsync(Utf8(Ofx1));
        var second = await imports.ImportAsync(Utf8(Ofx1));

        Assert.Equal((3, 3, 0), (first.Parsed, first.Added, first.DuplicatesSkipped));
        Assert.Equal((3, 0, 3), (second.Parsed, second.Added, second.DuplicatesSkipped));
        Assert.Equal(3, (await imports.ProjectionAsync()).Count);

        // A process that starts afresh rebuilds the dedupe index from the sealed chunks.
        var restarted = new Imports(vault);
        var third = await restarted.ImportAsync(Utf8(Ofx1));
        Assert.Equal(0, third.Added);
        Assert.Equal([0, 0, 3], (await restarted.HistoryAsync()).Select(h => h.Added));
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task Overlapping_statements_add_only_the_new_rows(StorageKind kind)
    {
        await using var vault = await TestVault.CreateAsync(kind);
        var imports = new Imports(vault);
        var rows = UkCurrentCsv.Split('\n');
        var januaryToMid = string.Join('\n', rows[..4]);
        var midToEnd = string.Join('\n', rows[0..1].Concat(rows[2..]));

        var first = await imports.ImportAsync(Utf8(januaryToMid), UkCurrentMapping);
        var second = await imports.ImportAsync(Utf8(midToEnd), UkCurrentMapping);

        Assert.Equal((3, 0), (first.Added, first.DuplicatesSkipped));
        Assert.Equal((1, 2), (second.Added, second.DuplicatesSkipped));
        Assert.Equal([new ImportAccountCount("UK current", 1, 2)], second.Accounts);
        var all = (await imports.ProjectionAsync()).Query(new TransactionFilter(), null, 100).Rows;
        Assert.Equal([-1045.67m, 2500.00m, -2.80m, -3.10m], all.Select(r => r.Amount));
    }

    [Fact]
    public async Task Two_identical_purchases_on_one_day_stay_two_and_a_reimport_adds_neither()
    {
        await using var vault = await TestVault.CreateAsync();
        var imports = new Imports(vault);
        var csv = "Date,Description,Amount\n2025-01-02,COFFEE CART,-3.00\n2025-01-02,COFFEE CART,-3.00\n";

        Assert.Equal(2, (await imports.ImportAsync(Utf8(csv), new CsvMapping("Date", "Amount", Description: "Description"))).Added);
        var again = await imports.ImportAsync(Utf8(csv + "2025-01-02,COFFEE CART,-3.00\n"), new CsvMapping("Date", "Amount", Description: "Description"));

        Assert.Equal((1, 2), (again.Added, again.DuplicatesSkipped));
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task A_file_with_an_error_imports_nothing(StorageKind kind)
    {
        await using var vault = await TestVault.CreateAsync(kind);
        var imports = new Imports(vault);
        var broken = Camt053.Replace("<Dt>2025-04-28</Dt>", "<Dt>28.04.2025</Dt>", StringComparison.Ordinal);

        var e = await Assert.ThrowsAsync<StatementException>(() => imports.ImportAsync(Utf8(broken)));

        Assert.Equal("Document/BkToCstmrStmt/Stmt[1]/Ntry[3]/BookgDt", e.Position);
        await using var db = vault.Store.NewContext();
        Assert.Equal((0, 0), (await db.ImportBatches.CountAsync(), await db.TransactionChunks.CountAsync()));
        Assert.Equal(5, (await imports.ImportAsync(Utf8(Camt053))).Added);
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task Transactions_are_filtered_and_paged_newest_first(StorageKind kind)
    {
        await using var vault = await TestVault.CreateAsync(kind);
        var imports = new Imports(vault);
        await imports.ImportAsync(Utf8(Camt053));
        await imports.ImportAsync(Utf8(Ofx2));
        await imports.ImportAsync(Windows1252(GermanGiroCsv), GermanGiroMapping);
        var projection = await imports.ProjectionAsync();

        Assert.Equal(["Kaffee Abo", "Espresso House & Co"], Descriptions(projection.Query(new TransactionFilter(Text: "kaff"), null, 10).Rows.Concat(projection.Query(new TransactionFilter(Text: "ESPRESSO"), null, 10).Rows)));
        Assert.Equal(["Beitrag April", "Miete Garage", "Abschlag Strom April"], Descriptions(projection.Query(new TransactionFilter(From: new(2025, 4, 1), To: new(2025, 4, 30), Max: -25m), null, 10).Rows));
        Assert.Equal(["Kontoführungsentgelt"], Descriptions(projection.Query(new TransactionFilter(Category: Categories.Fees), null, 10).Rows));
        Assert.Equal(["REWE SAGT DANKE 4711"], Descriptions(projection.Query(new TransactionFilter(Merchant: "rewe"), null, 10).Rows));

        var seen = new List<string>();
        (int, int)? cursor = null;
        do
        {
            var (rows, next) = projection.Query(new TransactionFilter(), cursor, 3);
            seen.AddRange(Descriptions(rows));
            cursor = next;
        }
        while (cursor is not null);

        Assert.Equal(12, seen.Count);
        Assert.Equal(seen, Descriptions(projection.Query(new TransactionFilter(), null, 100).Rows));
        Assert.Equal("Gehalt April", seen[0]);
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task Profiles_are_saved_replaced_and_used_by_name(StorageKind kind)
    {
        await using var vault = await TestVault.CreateAsync(kind);
        var imports = new Imports(vault);
        await imports.Use(i => i.PutProfileAsync(vault.Keys, new ImportProfile("Giro", GermanGiroMapping with { Account = "old" })));
        await imports.Use(i => i.PutProfileAsync(vault.Keys, new ImportProfile(" Giro ", GermanGiroMapping)));

        var summary = await imports.Use(i => i.ImportAsync(new VaultSession(vault.Keys, vault.Store.Time.GetUtcNow()), Windows1252(GermanGiroCsv), new ImportRequest(ProfileName: "giro")));

        Assert.Equal([new ImportAccountCount("DE-Giro", 4, 0)], summary.Accounts);
        Assert.Equal(["Giro"], (await imports.Use(i => i.ProfilesAsync(vault.Keys))).Select(p => p.Name));
        Assert.True(await imports.Use(i => i.DeleteProfileAsync(vault.Keys, "GIRO")));
        await Assert.ThrowsAsync<ImportProfileNotFoundException>(() => imports.Use(i => i.ImportAsync(new VaultSession(vault.Keys, vault.Store.Time.GetUtcNow()), Utf8(UsCardCsv), new ImportRequest(ProfileName: "Giro"))));
    }

    [Fact]
    public async Task No_description_amount_or_account_appears_in_the_database_file_or_its_wal()
    {
        await using var vault = await TestVault.CreateAsync();
        var imports = new Imports(vault);
        await imports.ImportAsync(Utf8(Camt053), fileName: "girokonto-april.xml");
        await imports.ImportAsync(Utf8(Ofx1));
        var secrets = new[] { "Abschlag Strom", "Landlord Schmidt", "Kaffee", "DE89370400440532013000", "2800.00", "BLUE BOTTLE", "4455667788", "2025020301", "girokonto-april", "62.30" };

        foreach (var file in Directory.GetFiles(vault.Store.Directory, "symbolon.db*"))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            foreach (var secret in secrets)
            {
                Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) < 0, $"'{secret}' found in {Path.GetFileName(file)}");
            }
        }
    }

    [Fact]
    public async Task A_chunk_moved_to_another_batch_does_not_open()
    {
        await using var vault = await TestVault.CreateAsync();
        var imports = new Imports(vault);
        await imports.ImportAsync(Utf8(Ofx1));
        await imports.ImportAsync(Utf8(Ofx2));
        await using (var db = vault.Store.NewContext())
        {
            var chunks = await db.TransactionChunks.OrderBy(c => c.BatchId).ToListAsync();
            (chunks[0].Sealed, chunks[1].Sealed) = (chunks[1].Sealed, chunks[0].Sealed);
            await db.SaveChangesAsync();
        }

        await Assert.ThrowsAnyAsync<System.Security.Cryptography.CryptographicException>(() => new Imports(vault).ProjectionAsync());
    }

    [Fact]
    public async Task Backups_carry_imports_to_the_restored_vault()
    {
        await using var vault = await TestVault.CreateAsync();
        await new Imports(vault).ImportAsync(Utf8(Camt053));
        var backup = await vault.BackupAsync();

        await using var target = await TestStore.CreateSqliteAsync();
        await target.RestoreAsync(backup);
        using var keys = await target.UnlockAsync();
        using var session = target.Open();
        var importer = session.Get<StatementImporter>();

        Assert.Equal(5, (await importer.LoadAsync(keys)).Count);
        Assert.Equal(5, Assert.Single(await importer.HistoryAsync(keys)).Added);
    }

    private static List<string> Descriptions(IEnumerable<TransactionRow> rows) => [.. rows.Select(r => r.Description)];

    /// <summary>The importer as the server uses it: one projection cache per process, a new context per request.</summary>
    private sealed class Imports(TestVault vault)
    {
        // Note: never closed: closing a session zeroes its keys, which the test vault shares.
        private readonly VaultSession _session = new(vault.Keys, vault.Store.Time.GetUtcNow());

        public async Task<T> Use<T>(Func<StatementImporter, Task<T>> action)
        {
            using var session = vault.Store.Open();
            return await action(session.Get<StatementImporter>());
        }

        public Task<ImportSummary> ImportAsync(byte[] file, CsvMapping? mapping = null, string? fileName = null)
        {
            vault.Store.Time.Advance(TimeSpan.FromSeconds(1));
            return Use(i => i.ImportAsync(_session, file, new ImportRequest(Mapping: mapping, FileName: fileName)));
        }

        public Task<TransactionProjection> ProjectionAsync() => Use(i => i.ProjectionAsync(_session));

        public Task<IReadOnlyList<ImportSummary>> HistoryAsync() => Use(i => i.HistoryAsync(vault.Keys));
    }
}
