using System.Text;
using Symbolon.Contracts.LoyaltyCards;
using Symbolon.Core.LoyaltyCards;

namespace Symbolon.Core.Tests.LoyaltyCards;

public class CatimaCsvTests
{
    /// <summary>A Catima export written per CatimaExporter.writeCSV: CRLF, a note spanning lines with a blank one.</summary>
    internal static string SampleExport() => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "LoyaltyCards", "TestData", "catima-export.csv"));

    internal static IReadOnlyList<CatimaCard> Read(string csv) => CatimaCsv.Read(new StringReader(csv));

    internal static string Write(IEnumerable<LoyaltyCardValue> cards)
    {
        using var writer = new StringWriter();
        CatimaCsv.Write(cards, writer);
        return writer.ToString();
    }

    /// <summary>The sample with one physical line replaced (1-based).</summary>
    internal static string WithLine(int line, string replacement)
    {
        // Physical lines: a quoted note in the sample holds bare line feeds, rows end with CRLF.
        var lines = SampleExport().Split('\n');
        lines[line - 1] = lines[line - 1].EndsWith('\r') ? replacement + "\r" : replacement;
        return string.Join('\n', lines);
    }

    [Fact]
    public void A_realistic_Catima_export_is_read_card_by_card_with_groups_dates_balances_and_colours()
    {
        var cards = Read(SampleExport());

        Assert.Equal(
            ["Albert Heijn", "Blue Door Coffee", "Deutsche Bahn BahnCard 25", "City Library", "Corner Bookshop", "Fuel Station", "Airline Miles", "Pharmacy", "Old Gym"],
            cards.Select(c => c.Card.Store));
        // Line numbers are physical lines: the coffee card's note spans three, so the next card starts on line 13.
        Assert.Equal([9, 10, 13, 14, 15, 16, 17, 18, 19], cards.Select(c => c.Line));
        Assert.Equal(
            [BarcodeFormats.Ean13, BarcodeFormats.QrCode, BarcodeFormats.Aztec, BarcodeFormats.Code39, BarcodeFormats.UpcA, BarcodeFormats.Code128, BarcodeFormats.Pdf417, BarcodeFormats.DataMatrix, null],
            cards.Select(c => c.Card.BarcodeFormat));

        var coffee = cards[1].Card;
        Assert.Equal("Ten stamps, one free coffee.\n\nAsk for oat milk.", coffee.Note);
        Assert.Equal(("BDC-000731", 7m, (string?)null, "#59A2BE", "UTF-8"), (coffee.CardNumber, coffee.Balance, coffee.BalanceCurrency, coffee.HeaderColor, coffee.BarcodeEncoding));
        Assert.Equal(["Groceries"], coffee.Groups!);

        var rail = cards[2].Card;
        Assert.Equal(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), rail.ValidFrom);
        Assert.Equal(new DateTimeOffset(2025, 12, 31, 23, 59, 59, TimeSpan.Zero), rail.Expiry);
        Assert.Equal(("7081 4111 2233 4455", "70814111223344556", "ISO-8859-1", true), (rail.CardNumber, rail.BarcodeValue, rail.BarcodeEncoding, rail.Starred));
        Assert.Equal(new DateTimeOffset(2025, 12, 25, 14, 59, 27, TimeSpan.Zero), rail.LastUsed);

        var books = cards[4].Card;
        Assert.Equal((12.50m, "EUR", "#FFEB3B"), (books.Balance, books.BalanceCurrency, books.HeaderColor));
        Assert.Equal("12.50", books.Balance.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(["Books"], books.Groups!);

        var gym = cards[8].Card;
        Assert.Equal((null, null, true, (DateTimeOffset?)null), (gym.BarcodeFormat, gym.HeaderColor, gym.Archived, gym.LastUsed));
        Assert.Null(gym.Groups);
    }

    [Fact]
    public void Export_then_import_gives_back_the_same_cards()
    {
        var original = Read(SampleExport()).Select(c => LoyaltyCardValidator.Normalize(c.Card)).ToList();

        var exported = Write(original);
        var reimported = Read(exported).Select(c => LoyaltyCardValidator.Normalize(c.Card)).ToList();

        Assert.Equal(original.Count, reimported.Count);
        Assert.All(original.Zip(reimported), pair => Assert.True(pair.First.SameAs(pair.Second), $"{pair.First.Store} changed in the round trip."));
        Assert.Equal(exported, Write(reimported));
    }

    [Fact]
    public void The_export_is_Catimas_layout_byte_for_byte()
    {
        var card = new LoyaltyCardValue("Shop, \"The\" Best", "123", BarcodeFormats.Code128, Note: "a\nb", Balance: 2.5m, BalanceCurrency: "EUR",
            HeaderColor: "#59A2BE", Starred: true, LastUsed: DateTimeOffset.FromUnixTimeSeconds(1766674620), Expiry: DateTimeOffset.FromUnixTimeMilliseconds(1767225599000), Groups: ["Food"]);

        var csv = Write([card]);

        Assert.Equal(
            "2\r\n\r\n_id\r\nFood\r\n\r\n" +
            "_id,store,note,validfrom,expiry,balance,balancetype,cardid,barcodeid,barcodetype,barcodeencoding,headercolor,starstatus,lastused,archive\r\n" +
            "1,\"Shop, \"\"The\"\" Best\",\"a\nb\",,1767225599000,2.5,EUR,123,,CODE_128,,-10902850,1,1766674620,0\r\n" +
            "\r\ncardId,groupId\r\n1,Food\r\n",
            csv);
    }

    [Fact]
    public void An_empty_vault_exports_every_section_header()
    {
        Assert.Equal(
            "2\r\n\r\n_id\r\n\r\n" + string.Join(',', CatimaCsv.CardColumns) + "\r\n\r\ncardId,groupId\r\n",
            Write([]));
        Assert.Empty(Read(Write([])));
    }

    [Fact]
    public void Catimas_format_version_1_is_read_too()
    {
        var cards = Read("_id,store,note,cardid,barcodetype,headercolor,starstatus\r\n1,Library,,L-1,CODE_128,-5317,0\r\n");

        Assert.Equal(("Library", "L-1", "#FFEB3B"), (cards[0].Card.Store, cards[0].Card.CardNumber, cards[0].Card.HeaderColor));
    }

    [Fact]
    public void A_missing_cards_header_is_an_error_on_its_line()
    {
        var e = Assert.Throws<CatimaImportException>(() => Read(WithLine(8, "id,shop,number")));

        var problem = Assert.Single(e.Problems);
        Assert.Equal(8, problem.Line);
        Assert.Contains("store, cardid missing", problem.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_barcode_type_names_the_line_and_column()
    {
        var e = Assert.Throws<CatimaImportException>(() => Read(WithLine(14, "4,City Library,,,,0,,LIB 20931,,CODE_11,,-9977996,0,0,0")));

        var problem = Assert.Single(e.Problems);
        Assert.Equal((14, "barcodetype"), (problem.Line, problem.Column));
        Assert.Contains("QR_CODE", problem.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("CODE_11", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_colour_names_the_line_and_column()
    {
        var e = Assert.Throws<CatimaImportException>(() => Read(WithLine(15, "5,Corner Bookshop,Gift card,,1798761600000,12.50,EUR,039485710029,,UPC_A,,blue,0,1766674629,0")));

        Assert.Equal((15, "headercolor"), (e.Problems[0].Line, e.Problems[0].Column));
    }

    [Fact]
    public void A_truncated_file_is_refused_at_the_line_where_it_breaks_off()
    {
        var sample = SampleExport();
        var cut = sample[..(sample.IndexOf("6,Fuel Station", StringComparison.Ordinal) + "6,Fuel Station,,,,15".Length)];

        var e = Assert.Throws<CatimaImportException>(() => Read(cut));

        var problem = Assert.Single(e.Problems);
        Assert.Equal(16, problem.Line);
        Assert.Contains("cut short", problem.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_cut_before_the_cards_section_is_refused()
    {
        var e = Assert.Throws<CatimaImportException>(() => Read("2\r\n\r\n_id\r\nFood\r\n"));

        Assert.Contains("ends before the cards section", e.Problems[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unterminated_quote_is_refused()
    {
        var e = Assert.Throws<CatimaImportException>(() => Read(WithLine(19, "9,Old Gym,\"Paper card,,,0,,GYM 0042,,,,,0,0,1")));

        Assert.NotEmpty(e.Problems);
        Assert.DoesNotContain("GYM 0042", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_bad_row_is_reported_at_once_and_values_are_never_echoed()
    {
        var csv = WithLine(9, "1,Albert Heijn,Bonus card,,,0,,2620001234560,,EAN_13,,-16738680,1,1766674633,0");
        csv = csv.Replace("-14575885,0,1766674700,0", "-14575885,yes,1766674700,0", StringComparison.Ordinal);

        var e = Assert.Throws<CatimaImportException>(() => Read(csv));

        Assert.Equal([(9, "cardid"), (16, "starstatus")], e.Problems.Select(p => (p.Line, p.Column)));
        Assert.Contains("check digit", e.Problems[0].Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("2620001234560", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Not_a_Catima_file_is_refused_on_line_1()
    {
        var e = Assert.Throws<CatimaImportException>(() => Read("Date,Amount\r\n2026-01-01,3.50\r\n"));

        Assert.Equal(1, e.Problems[0].Line);
        Assert.Throws<CatimaImportException>(() => Read(""));
    }

    [Fact]
    public void A_mapping_to_an_unknown_card_is_refused()
    {
        var e = Assert.Throws<CatimaImportException>(() => Read(SampleExport() + "42,Travel\r\n"));

        Assert.Equal((28, "cardId"), (e.Problems[0].Line, e.Problems[0].Column));
    }

    [Fact]
    public void The_sample_is_readable_as_UTF8_with_a_byte_order_mark()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(SampleExport())).ToArray();

        var cards = LoyaltyCardService.Preview(new MemoryStream(bytes));

        Assert.Equal(9, cards.Count);
    }
}
