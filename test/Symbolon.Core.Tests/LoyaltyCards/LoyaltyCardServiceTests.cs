using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Symbolon.Contracts.LoyaltyCards;
using Symbolon.Core.LoyaltyCards;
using Symbolon.Core.Records;
using Symbolon.Core.Tests.Infrastructure;

namespace Symbolon.Core.Tests.LoyaltyCards;

public class LoyaltyCardServiceTests
{
    public static TheoryData<StorageKind> Providers => [StorageKind.Sqlite, StorageKind.Postgres];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Cards_are_versioned_encrypted_records_that_a_change_and_a_delete_keep_in_history(StorageKind kind)
    {
        await using var vault = await TestVault.CreateAsync(kind);
        using var session = vault.Store.Open();
        var cards = session.LoyaltyCards;

        var card = await cards.AddAsync(vault.Keys, new LoyaltyCardInput("City Library", "LIB 20931", BarcodeFormats.Code39), Actor.Owner);
        var changed = await cards.UpdateAsync(vault.Keys, card.Id, LoyaltyCardService.ToInput(card) with { Note = "Renew in May", Starred = true }, Actor.Owner);
        await Assert.ThrowsAsync<RecordVersionConflictException>(() => cards.UpdateAsync(vault.Keys, card.Id, LoyaltyCardService.ToInput(card), Actor.Owner));

        Assert.Equal((2, "Renew in May", true), (changed.Version, changed.Note, changed.Starred));
        Assert.Equal([card.Id], (await cards.ListAsync(vault.Keys)).Select(c => c.Id));

        await cards.DeleteAsync(vault.Keys, card.Id, Actor.Owner);
        Assert.Empty(await cards.ListAsync(vault.Keys));
        await Assert.ThrowsAsync<RecordNotFoundException>(() => cards.GetAsync(vault.Keys, card.Id));
        var (head, versions) = await session.Records.HistoryAsync(vault.Keys, card.Id);
        Assert.Equal((LoyaltyCardService.RecordType, 3), (head.Type, versions.Count));
        var sealedBytes = await session.Db.RecordVersions.AsNoTracking().Where(v => v.RecordId == card.Id && v.Sealed != null).Select(v => v.Sealed!).ToListAsync();
        Assert.All(sealedBytes, bytes => Assert.DoesNotContain("LIB 20931", Encoding.Latin1.GetString(bytes), StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_Catima_export_imported_and_exported_again_gives_the_same_cards(StorageKind kind)
    {
        await using var vault = await TestVault.CreateAsync(kind);
        using var session = vault.Store.Open();
        var result = await session.LoyaltyCards.ImportCatimaAsync(vault.Keys, Utf8(CatimaCsvTests.SampleExport()), Actor.Owner);
        Assert.Equal(9, result.Imported);

        var exported = await session.LoyaltyCards.ExportCatimaAsync(vault.Keys);

        await using var other = await TestVault.CreateAsync(kind);
        using var otherSession = other.Store.Open();
        await otherSession.LoyaltyCards.ImportCatimaAsync(other.Keys, new MemoryStream(exported), Actor.Owner);
        var before = (await session.LoyaltyCards.ListAsync(vault.Keys)).Select(LoyaltyCardService.ToValue).ToList();
        var after = (await otherSession.LoyaltyCards.ListAsync(other.Keys)).Select(LoyaltyCardService.ToValue).ToList();
        Assert.Equal(9, after.Count);
        Assert.All(before.Zip(after), pair => Assert.True(pair.First.SameAs(pair.Second), $"{pair.First.Store} changed in the round trip."));
        Assert.Equal(exported, await otherSession.LoyaltyCards.ExportCatimaAsync(other.Keys));
        Assert.False(exported.AsSpan().StartsWith(Encoding.UTF8.GetPreamble()));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_file_with_one_bad_row_imports_nothing(StorageKind kind)
    {
        await using var vault = await TestVault.CreateAsync(kind);
        using var session = vault.Store.Open();
        var csv = CatimaCsvTests.WithLine(18, "8,Pharmacy,,,,0,,PH-55-0193,,MAXICODE,,-10453621,0,1766674720,0");

        var e = await Assert.ThrowsAsync<CatimaImportException>(() => session.LoyaltyCards.ImportCatimaAsync(vault.Keys, Utf8(csv), Actor.Owner));

        Assert.Equal((18, "barcodetype"), (e.Problems[0].Line, e.Problems[0].Column));
        Assert.Equal(0, await session.Db.Records.CountAsync(r => r.Type == LoyaltyCardService.RecordType));
    }

    [Fact]
    public async Task A_failure_while_writing_rolls_the_whole_import_back()
    {
        await using var vault = await TestVault.CreateAsync();
        using var session = vault.Store.Open();
        using var cancel = new CancellationTokenSource();
        var writes = 0;
        session.Db.SavedChanges += (_, _) =>
        {
            if (++writes == 5)
            {
                cancel.Cancel();
            }
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => session.LoyaltyCards.ImportCatimaAsync(vault.Keys, Utf8(CatimaCsvTests.SampleExport()), Actor.Owner, cancel.Token));

        using var fresh = vault.Store.Open();
        Assert.Equal(0, await fresh.Db.Records.CountAsync(r => r.Type == LoyaltyCardService.RecordType));
    }

    [Fact]
    public async Task Kept_cards_are_in_the_JSON_export()
    {
        await using var vault = await TestVault.CreateAsync();
        using (var session = vault.Store.Open())
        {
            await session.LoyaltyCards.AddAsync(vault.Keys, new LoyaltyCardInput("Blue Door Coffee", "BDC-000731", BarcodeFormats.QrCode, Balance: 7), Actor.Owner);
        }

        using var export = JsonDocument.Parse(await vault.Store.ExportAsync(vault.Keys));

        var record = Assert.Single(export.RootElement.GetProperty("records").EnumerateArray(), r => r.GetProperty("type").GetString() == LoyaltyCardService.RecordType);
        var data = record.GetProperty("versions")[0].GetProperty("data");
        Assert.Equal(("Blue Door Coffee", "BDC-000731", "QR_CODE", 7m), (data.GetProperty("store").GetString(), data.GetProperty("cardNumber").GetString(), data.GetProperty("barcodeFormat").GetString(), data.GetProperty("balance").GetDecimal()));
    }

    private static MemoryStream Utf8(string text) => new(Encoding.UTF8.GetBytes(text));
}
