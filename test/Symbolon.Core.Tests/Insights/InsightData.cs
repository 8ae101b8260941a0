using Symbolon.Contracts.Statements;
using Symbolon.Contracts.Vendor;
using Symbolon.Contracts.Wallet;
using Symbolon.Core.Insights;
using Symbolon.Core.Statements;
using Symbolon.Core.Tests.Infrastructure;
using Symbolon.Core.Wallet;

namespace Symbolon.Core.Tests.Insights;

/// <summary>
/// The fixed data set of the insights tests (see TestData/README.md), and the services as the server wires them
/// (<see cref="CoreServices.AddSymbolonCore"/>): the vault's session across requests, a new scope and context per request.
/// </summary>
internal sealed class InsightData(TestVault vault)
{
    public static readonly CsvMapping CardMapping = new(Date: "Date", Amount: "Amount", Description: "Description", Merchant: "Merchant", Currency: "Currency", Account: "Visa");

    public static readonly CsvMapping GiroMapping = new(Date: "Buchungstag", Amount: "Betrag", Description: "Verwendungszweck", Currency: "Waehrung",
        DateFormat: "dd.MM.yyyy", DecimalSeparator: ",", Delimiter: ";", Account: "Giro");

    /// <summary>The vault's session as the server keeps it while the vault is unlocked (its projection, its query database).</summary>
    public Core.Vaults.VaultSession Session { get; private set; } = new(vault.Keys, vault.Store.Time.GetUtcNow());

    public static byte[] File(string name) => System.IO.File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Insights", "TestData", name));

    /// <summary>Imports both statements, two receipts from Blue Door Coffee and four check-ins.</summary>
    public async Task LoadAllAsync()
    {
        await ImportAsync(File("card.csv"), CardMapping);
        await ImportAsync(File("giro.csv"), GiroMapping);
        using var session = vault.Store.Open();
        var receipts = session.Get<Receipts>();
        await receipts.AddAsync(vault.Keys, "blue-door", Receipt(new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.FromHours(1)), 4.50m));
        await receipts.AddAsync(vault.Keys, "blue-door", Receipt(new DateTimeOffset(2026, 11, 8, 10, 0, 0, TimeSpan.FromHours(1)), 3.80m));
        var checkIns = session.Get<CheckIns>();
        await checkIns.AddAsync(vault.Keys, new CheckInInput("Blue Door Coffee", new DateTimeOffset(2026, 11, 5, 8, 30, 0, TimeSpan.FromHours(1))));
        await checkIns.AddAsync(vault.Keys, new CheckInInput("Blue Door Coffee", new DateTimeOffset(2026, 11, 8, 10, 5, 0, TimeSpan.FromHours(1))));
        await checkIns.AddAsync(vault.Keys, new CheckInInput("Blue Door Coffee", new DateTimeOffset(2026, 11, 14, 16, 0, 0, TimeSpan.FromHours(1))));
        await checkIns.AddAsync(vault.Keys, new CheckInInput("Corner Bakery", new DateTimeOffset(2026, 11, 14, 17, 0, 0, TimeSpan.FromHours(1))));
    }

    public static ReceiptInput Receipt(DateTimeOffset at, decimal total) =>
        new("Blue Door Coffee", at, "EUR", [new ReceiptLineInput("Flat white", 1, total, 0m, total)], total, 0m, total, "card", TaxIncluded: true);

    public Task<ImportSummary> ImportAsync(byte[] file, CsvMapping mapping)
    {
        vault.Store.Time.Advance(TimeSpan.FromSeconds(1));
        return Use<StatementImporter, ImportSummary>(i => i.ImportAsync(Session, file, new ImportRequest(Mapping: mapping)));
    }

    /// <summary>What a lock and unlock do: the decrypted projection is dropped and built again from the sealed chunks and records.</summary>
    /// <remarks>The old session is left to the collector, not disposed: disposing it would zero the keys the test vault shares.</remarks>
    public void LockAndUnlock() => Session = new Core.Vaults.VaultSession(vault.Keys, vault.Store.Time.GetUtcNow());

    public Task<T> Insights<T>(Func<InsightService, Task<T>> action) => Use<InsightService, T>(action);

    public Task<T> Categories<T>(Func<CategoryService, Task<T>> action) => Use<CategoryService, T>(action);

    public Task<TransactionProjection> ProjectionAsync() => Use<StatementImporter, TransactionProjection>(i => i.ProjectionAsync(Session));

    /// <summary>Every transaction, newest first, as (description, category).</summary>
    public async Task<List<TransactionRow>> RowsAsync() => (await ProjectionAsync()).Query(new TransactionFilter(), null, 1000).Rows;

    /// <summary>Runs <paramref name="action"/> with a service of a new scope, as one request would.</summary>
    private async Task<T> Use<TService, T>(Func<TService, Task<T>> action)
        where TService : notnull
    {
        using var session = vault.Store.Open();
        return await action(session.Get<TService>());
    }
}
