using System.Text;
using CsCheck;
using Symbolon.Core.LoyaltyCards;
using Symbolon.Core.Records;
using Symbolon.Core.Tests.Infrastructure;

namespace Symbolon.Core.Tests.LoyaltyCards;

/// <summary>
/// Whatever bytes arrive as a Catima export, the import reads every card or explains what is wrong by line, never
/// crashes or hangs, and stores all the cards or none.
/// </summary>
public class CatimaPropertyTests
{
    private static readonly string[] Tokens =
        ["2", "\r\n", "\n", ",", "\"", "\"\"", "_id", "cardId,groupId", "store", "cardid", "1", "0", "-1", "CODE_128", "QR_CODE", "EUR", "1798761600000", "x", " ", "\u00e9", "\u001B"];

    /// <summary>Random bytes, random token soups, random byte edits and cuts of a real export.</summary>
    private static Gen<byte[]> Inputs()
    {
        var sample = Encoding.UTF8.GetBytes(CatimaCsvTests.SampleExport());
        return Gen.OneOf(
            Gen.Byte.Array[0, 600],
            Gen.OneOf(Tokens).Array[0, 120].Select(parts => Encoding.UTF8.GetBytes(string.Concat(parts))),
            Gen.Select(Gen.Int[0, 12], Gen.Int, Gen.Byte).Array[1, 12].Select(edits =>
            {
                var bytes = sample.ToList();
                foreach (var (kind, position, value) in edits)
                {
                    var at = (int)((uint)position % (uint)Math.Max(bytes.Count, 1));
                    switch (kind % 3)
                    {
                        case 0 when bytes.Count > 0: bytes.RemoveAt(at); break;
                        case 1: bytes.Insert(at, value); break;
                        default: if (bytes.Count > 0) { bytes[at] = value; } break;
                    }
                }

                return bytes.ToArray();
            }),
            Gen.Int[0, sample.Length].Select(cut => sample[..cut]));
    }

    [Fact]
    public void The_catima_reader_reads_or_explains_any_input() =>
        Inputs().Sample(bytes =>
        {
            var task = Task.Run(() =>
            {
                try
                {
                    var cards = LoyaltyCardService.Preview(new MemoryStream(bytes));
                    Assert.All(cards, c => Assert.True(c.Line >= 1));
                }
                catch (CatimaImportException e)
                {
                    Assert.NotEmpty(e.Errors!);
                    Assert.All(e.Errors!, error => Assert.NotEmpty(error.Value));
                }
            });

            // A generous bound: this catches hangs (an endless loop on some input), not slowness.
            Assert.True(task.Wait(TimeSpan.FromSeconds(20)), "The reader did not finish.");
            task.GetAwaiter().GetResult();
        }, iter: 2000);

    [Fact]
    public async Task Any_catima_file_is_imported_whole_or_not_at_all()
    {
        await using var vault = await TestVault.CreateAsync();
        await Inputs().SampleAsync(async bytes =>
        {
            using var store = vault.Store.Open();
            var cards = store.LoyaltyCards;
            var before = (await cards.ListAsync(vault.Keys)).Count;
            int? expected;
            try
            {
                expected = LoyaltyCardService.Preview(new MemoryStream(bytes)).Count;
            }
            catch (CatimaImportException)
            {
                expected = null;
            }

            int? imported;
            try
            {
                imported = (await cards.ImportCatimaAsync(vault.Keys, new MemoryStream(bytes), Actor.Owner).WaitAsync(TimeSpan.FromSeconds(20))).Imported;
            }
            catch (CatimaImportException)
            {
                imported = null;
            }

            Assert.Equal(expected, imported);
            Assert.Equal(before + (imported ?? 0), (await cards.ListAsync(vault.Keys)).Count);
        }, iter: 150, threads: 1);
    }
}
