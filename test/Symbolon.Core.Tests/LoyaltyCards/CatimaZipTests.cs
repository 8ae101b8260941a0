using System.IO.Compression;
using System.Text;
using Symbolon.Core.LoyaltyCards;

namespace Symbolon.Core.Tests.LoyaltyCards;

/// <summary>Catima's export as it comes: a .zip holding catima.csv and the cards' photos.</summary>
public class CatimaZipTests
{
    /// <summary>A zip laid out like Catima's (catima.csv at the root, card images beside it).</summary>
    private static byte[] Zip(params (string Name, byte[] Content)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var stream = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
                stream.Write(content);
            }
        }

        return buffer.ToArray();
    }

    private static byte[] SampleCsv() => Encoding.UTF8.GetBytes(CatimaCsvTests.SampleExport());

    private static CatimaImportException Refused(byte[] file) =>
        Assert.Throws<CatimaImportException>(() => LoyaltyCardService.Preview(new MemoryStream(file)));

    [Fact]
    public void The_zip_Catima_exports_gives_the_same_cards_as_the_csv_inside_it()
    {
        var photo = new byte[4096];
        Random.Shared.NextBytes(photo);
        var zip = Zip(("card_1_front.png", photo), ("catima.csv", SampleCsv()), ("card_1_icon.png", photo));

        var fromZip = LoyaltyCardService.Preview(new MemoryStream(zip));
        var fromCsv = LoyaltyCardService.Preview(new MemoryStream(SampleCsv()));

        Assert.Equal(9, fromZip.Count);
        Assert.Equal(fromCsv.Select(c => (c.Line, c.Card.Store, c.Card.CardNumber, c.Card.BarcodeFormat)), fromZip.Select(c => (c.Line, c.Card.Store, c.Card.CardNumber, c.Card.BarcodeFormat)));
    }

    [Fact]
    public void A_zip_without_catima_csv_is_refused_and_says_what_it_looked_for()
    {
        var e = Refused(Zip(("photos/card.png", [1, 2, 3])));

        Assert.Equal(1, e.Problems[0].Line);
        Assert.Contains("holds no catima.csv", e.Problems[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_password_protected_export_is_refused_with_what_to_do()
    {
        // .NET writes no encrypted zips; an encrypted entry is one whose general purpose flag has bit 0 set, in the
        // local header and in the central directory, which is all a reader looks at before it needs the password.
        var zip = Zip(("catima.csv", SampleCsv()));
        SetEncryptedFlag(zip);

        var e = Refused(zip);

        Assert.Contains("protected with a password", e.Problems[0].Reason, StringComparison.Ordinal);
        Assert.Contains("leave the password empty", e.Problems[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_zip_cut_short_is_refused_as_damaged()
    {
        var zip = Zip(("catima.csv", SampleCsv()));

        var e = Refused(zip[..(zip.Length / 2)]);

        Assert.Contains("damaged or cut short", e.Problems[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_csv_that_unpacks_beyond_the_limit_is_refused_without_unpacking_all_of_it()
    {
        // 17 MiB of one byte compresses to a few KiB: the limit holds on what comes out, not on what the zip declares.
        var zip = Zip(("catima.csv", new byte[17 * 1024 * 1024]));
        Assert.True(zip.Length < 100_000);

        var e = Refused(zip);

        Assert.Contains("larger than 16 MiB", e.Problems[0].Reason, StringComparison.Ordinal);
    }

    private static void SetEncryptedFlag(byte[] zip)
    {
        for (var i = 0; i + 4 <= zip.Length; i++)
        {
            // Local file header: flags at +6; central directory header: flags at +8.
            if (zip[i] == 'P' && zip[i + 1] == 'K' && zip[i + 2] == 3 && zip[i + 3] == 4)
            {
                zip[i + 6] |= 1;
            }
            else if (zip[i] == 'P' && zip[i + 1] == 'K' && zip[i + 2] == 1 && zip[i + 3] == 2)
            {
                zip[i + 8] |= 1;
            }
        }
    }
}
