using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using Symbolon.Contracts.LoyaltyCards;
using Symbolon.Contracts.Problems;
using Symbolon.Core.Problems;

namespace Symbolon.Core.LoyaltyCards;

/// <summary>One thing wrong in a Catima file: the line it starts on, the column (Catima's name) and why. Never a value.</summary>
internal sealed record CatimaProblem(int Line, string? Column, string Reason)
{
    public string Key => Column is null ? $"line {Line}" : $"line {Line}, {Column}";
}

/// <summary>A Catima file cannot be imported; nothing was imported.</summary>
internal sealed class CatimaImportException(IReadOnlyList<CatimaProblem> problems) : SymbolonProblemException(
    ProblemCodes.CatimaImportInvalid, 400, "That file cannot be imported; nothing was imported.",
    "See errors for each line and column. Fix them, or export again from Catima, and import the whole file again.",
    "The Catima file cannot be imported: " + string.Join("; ", problems.Select(p => $"{p.Key}: {p.Reason}")),
    problems.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Select(p => p.Reason).ToArray()))
{
    public IReadOnlyList<CatimaProblem> Problems { get; } = problems;

    public static CatimaImportException At(int line, string? column, string reason) => new([new CatimaProblem(line, column, reason)]);
}

/// <summary>A card read from a Catima file, with the line its row starts on.</summary>
internal sealed record CatimaCard(int Line, LoyaltyCardInput Card);

/// <summary>
/// Catima's CSV export (format version 2), read and written as Catima itself does. The format is defined by Catima's
/// code, not by a specification: CatimaLoyalty/Android, app/src/main/java/protect/card_locker/importexport/
/// CatimaExporter.java (writeCSV) and CatimaImporter.java (parseV2, importLoyaltyCard), with the sample
/// app/src/test/res/protect/card_locker/catima_v2.csv. It is Apache Commons CSV's RFC 4180 format (comma, double
/// quotes only where needed, CRLF) holding four sections separated by one empty line:
/// <code>
/// 2                                  the format version
///
/// _id                                groups: a header, then one group name per row
/// Food
///
/// _id,store,note,validfrom,expiry,balance,balancetype,cardid,barcodeid,barcodetype,barcodeencoding,headercolor,starstatus,lastused,archive
/// 1,Grocery,,,1767225600000,150,,12345,,EAN_13,,-9977996,0,1766674627,0
///
/// cardId,groupId                     which card is in which group, by the card's _id
/// 1,Food
/// </code>
/// <c>validfrom</c> and <c>expiry</c> are Java <c>Date.getTime()</c> values (milliseconds since 1970, UTC);
/// <c>lastused</c> is in seconds; <c>balance</c> is a decimal and <c>balancetype</c> an ISO 4217 code (empty: points);
/// <c>cardid</c> is the card number and <c>barcodeid</c> what the barcode carries when it differs; <c>barcodetype</c> is
/// a ZXing <c>BarcodeFormat</c> name (empty: no barcode); <c>headercolor</c> is an Android colour, a signed 32-bit
/// ARGB integer; <c>starstatus</c> and <c>archive</c> are 0 or 1. A note may span lines (quoted), even blank ones,
/// so the sections are told apart by a CSV parser, never by splitting on empty lines. Catima's format version 1 (the
/// cards section alone, older Catima and Loyalty Card Keychain) is read too.
/// </summary>
internal static class CatimaCsv
{
    public const string MediaType = "text/csv";
    public const string FileName = "catima.csv";

    public static IReadOnlyList<string> CardColumns { get; } =
        ["_id", "store", "note", "validfrom", "expiry", "balance", "balancetype", "cardid", "barcodeid", "barcodetype", "barcodeencoding", "headercolor", "starstatus", "lastused", "archive"];

    private static readonly string[] RequiredCardColumns = ["_id", "store", "cardid"];

    private static CsvConfiguration Configuration => new(CultureInfo.InvariantCulture)
    {
        // Sections are separated by empty lines, so they must reach us; rows are checked against their own header.
        IgnoreBlankLines = false,
        DetectColumnCountChanges = false,
        Mode = CsvMode.RFC4180,
        NewLine = "\r\n",
        BadDataFound = null,
        ShouldQuote = args => ShouldQuote(args.Field),
    };

    /// <summary>
    /// Apache Commons CSV's minimal quoting, which Catima's printer uses: a value is quoted when it starts with a
    /// character up to '#' (space, '!', '"', '#'), holds a comma, a quote or a line break (a note typed with bare line
    /// feeds must read back as one field), or ends with a space or a control character.
    /// </summary>
    internal static bool ShouldQuote(string? field) =>
        field is { Length: > 0 } && (field[0] <= '#' || field.AsSpan().IndexOfAny(",\"\r\n") >= 0 || field[^1] <= ' ');

    public static void Write(IEnumerable<LoyaltyCardValue> cards, TextWriter output)
    {
        var list = cards.ToList();
        using var csv = new CsvWriter(output, Configuration, leaveOpen: true);
        csv.WriteField("2");
        csv.NextRecord();
        csv.NextRecord();

        csv.WriteField("_id");
        csv.NextRecord();
        foreach (var group in list.SelectMany(c => c.Groups ?? []).Distinct(StringComparer.Ordinal))
        {
            csv.WriteField(group);
            csv.NextRecord();
        }

        csv.NextRecord();
        foreach (var column in CardColumns)
        {
            csv.WriteField(column);
        }

        csv.NextRecord();
        for (var i = 0; i < list.Count; i++)
        {
            var card = list[i];
            csv.WriteField(Number(i + 1));
            csv.WriteField(card.Store);
            csv.WriteField(card.Note ?? "");
            csv.WriteField(card.ValidFrom is { } from ? Number(from.ToUnixTimeMilliseconds()) : "");
            csv.WriteField(card.Expiry is { } expiry ? Number(expiry.ToUnixTimeMilliseconds()) : "");
            csv.WriteField(card.Balance.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(card.BalanceCurrency ?? "");
            csv.WriteField(card.CardNumber);
            csv.WriteField(card.BarcodeValue ?? "");
            csv.WriteField(card.BarcodeFormat ?? "");
            csv.WriteField(card.BarcodeEncoding ?? "");
            csv.WriteField(card.HeaderColor is { } color ? Number(LoyaltyCardValidator.ArgbFromColor(color)) : "");
            csv.WriteField(card.Starred ? "1" : "0");
            csv.WriteField(card.LastUsed is { } used ? Number(used.ToUnixTimeSeconds()) : "0");
            csv.WriteField(card.Archived ? "1" : "0");
            csv.NextRecord();
        }

        csv.NextRecord();
        csv.WriteField("cardId");
        csv.WriteField("groupId");
        csv.NextRecord();
        for (var i = 0; i < list.Count; i++)
        {
            foreach (var group in list[i].Groups ?? [])
            {
                csv.WriteField(Number(i + 1));
                csv.WriteField(group);
                csv.NextRecord();
            }
        }

        csv.Flush();
    }

    /// <summary>Reads a whole file; every problem found is reported at once (with its line), or the cards are returned.</summary>
    public static IReadOnlyList<CatimaCard> Read(TextReader input)
    {
        var rows = ReadRows(input);
        if (rows.Count == 0)
        {
            throw CatimaImportException.At(1, null, "The file is empty; choose a Catima export (catima.csv).");
        }

        var problems = new List<CatimaProblem>();
        var index = 0;
        List<Row> cardRows;
        List<Row> mappingRows = [];
        Row cardHeader;
        var first = rows[0];
        if (first.IsBlank || first.Fields.Length != 1 || first.Fields[0] != "2")
        {
            if (!first.IsBlank && first.Fields.Contains("_id") && first.Fields.Contains("cardid"))
            {
                // Format version 1: the cards section alone.
                cardHeader = first;
                cardRows = [.. rows.Skip(1).Where(r => !r.IsBlank)];
                return ReadCards(cardHeader, cardRows, mappingRows, problems);
            }

            throw CatimaImportException.At(first.Line, null, "The first line must be Catima's format version, 2. Is this a Catima CSV export?");
        }

        index = 1;
        SkipBlank(rows, ref index);
        var groupSection = TakeSection(rows, ref index);
        if (groupSection.Count == 0 || groupSection[0].Fields is not ["_id"])
        {
            throw CatimaImportException.At(groupSection.Count == 0 ? LastLine(rows) : groupSection[0].Line, null, "The groups section must start with the header _id.");
        }

        SkipBlank(rows, ref index);
        var cardSection = TakeSection(rows, ref index);
        if (cardSection.Count == 0)
        {
            throw CatimaImportException.At(LastLine(rows), null, "The file ends before the cards section; it may be cut short. Export it from Catima again.");
        }

        cardHeader = cardSection[0];
        cardRows = [.. cardSection.Skip(1)];
        SkipBlank(rows, ref index);
        var mappingSection = TakeSection(rows, ref index);
        if (mappingSection.Count > 0)
        {
            if (mappingSection[0].Fields is not ["cardId", "groupId"])
            {
                problems.Add(new CatimaProblem(mappingSection[0].Line, null, "The card-to-group section must start with the header cardId,groupId."));
            }
            else
            {
                mappingRows = [.. mappingSection.Skip(1)];
            }
        }

        SkipBlank(rows, ref index);
        if (index < rows.Count)
        {
            problems.Add(new CatimaProblem(rows[index].Line, null, "There is more after the card-to-group section than a Catima export holds."));
        }

        return ReadCards(cardHeader, cardRows, mappingRows, problems);
    }

    private static IReadOnlyList<CatimaCard> ReadCards(Row header, List<Row> cardRows, List<Row> mappingRows, List<CatimaProblem> problems)
    {
        var missing = RequiredCardColumns.Where(c => !header.Fields.Contains(c, StringComparer.Ordinal)).ToList();
        if (missing.Count > 0 || header.Fields.Distinct(StringComparer.Ordinal).Count() != header.Fields.Length)
        {
            throw CatimaImportException.At(header.Line, null,
                $"The cards section must start with Catima's header ({string.Join(",", CardColumns)}); " +
                (missing.Count > 0 ? $"{string.Join(", ", missing)} missing." : "a column appears twice."));
        }

        var columns = header.Fields.Select((name, i) => (name, i)).ToDictionary(x => x.name, x => x.i, StringComparer.Ordinal);
        var byId = new Dictionary<int, int>();
        var cards = new List<(int Line, int Id, LoyaltyCardInput Card)>();
        foreach (var row in cardRows)
        {
            if (row.Fields.Length != header.Fields.Length)
            {
                problems.Add(new CatimaProblem(row.Line, null, $"The row has {row.Fields.Length} values but the header names {header.Fields.Length}; the file may be cut short or damaged."));
                continue;
            }

            var card = ReadCard(row, columns, problems, out var id);
            if (card is null)
            {
                continue;
            }

            if (!byId.TryAdd(id, cards.Count))
            {
                problems.Add(new CatimaProblem(row.Line, "_id", "Another card in the file has the same _id."));
                continue;
            }

            cards.Add((row.Line, id, card));
        }

        var cardRowsRefused = problems.Count > 0;
        var groups = cards.Select(_ => new List<string>()).ToList();
        foreach (var row in mappingRows)
        {
            if (row.Fields.Length != 2 || !int.TryParse(row.Fields[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var cardId) || row.Fields[1].Length == 0)
            {
                problems.Add(new CatimaProblem(row.Line, null, "A card-to-group row is a card's _id and a group name."));
            }
            else if (!byId.TryGetValue(cardId, out var position))
            {
                // When card rows were refused, their mappings point nowhere; those rows' own problems say enough.
                if (!cardRowsRefused)
                {
                    problems.Add(new CatimaProblem(row.Line, "cardId", "No card in the file has this _id."));
                }
            }
            else
            {
                groups[position].Add(row.Fields[1]);
            }
        }

        if (problems.Count > 0)
        {
            throw new CatimaImportException([.. problems.OrderBy(p => p.Line)]);
        }

        return [.. cards.Select((c, i) => new CatimaCard(c.Line, c.Card with { Groups = groups[i].Count == 0 ? null : groups[i] }))];
    }

    private static LoyaltyCardInput? ReadCard(Row row, Dictionary<string, int> columns, List<CatimaProblem> problems, out int id)
    {
        var before = problems.Count;
        string Field(string name) => columns.TryGetValue(name, out var i) ? row.Fields[i] : "";
        void Problem(string column, string reason) => problems.Add(new CatimaProblem(row.Line, column, reason));

        if (!int.TryParse(Field("_id"), NumberStyles.Integer, CultureInfo.InvariantCulture, out id))
        {
            Problem("_id", "Not a whole number.");
        }

        var validFrom = Millis(Field("validfrom"), "validfrom", Problem);
        var expiry = Millis(Field("expiry"), "expiry", Problem);

        var balance = 0m;
        var balanceText = Field("balance");
        if (balanceText.Length > 0 && !decimal.TryParse(balanceText, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out balance))
        {
            Problem("balance", "Not a number.");
        }

        var barcodeType = Field("barcodetype");
        if (barcodeType.Length > 0 && !BarcodeRules.IsKnown(barcodeType))
        {
            Problem("barcodetype", $"Not a barcode type Catima writes; expected one of {string.Join(", ", BarcodeFormats.All)}, or empty.");
        }

        string? color = null;
        var colorText = Field("headercolor");
        if (colorText.Length > 0)
        {
            if (int.TryParse(colorText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var argb))
            {
                color = LoyaltyCardValidator.ColorFromArgb(argb);
            }
            else
            {
                Problem("headercolor", "Not a colour as Catima writes it (a whole number, Android's ARGB).");
            }
        }

        var starred = Flag(Field("starstatus"), "starstatus", Problem);
        var archived = Flag(Field("archive"), "archive", Problem);

        DateTimeOffset? lastUsed = null;
        var lastUsedText = Field("lastused");
        if (lastUsedText.Length > 0)
        {
            if (!long.TryParse(lastUsedText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) || seconds < 0 || seconds > MaxUnixSeconds)
            {
                Problem("lastused", "Not a time in seconds since 1970.");
            }
            else if (seconds > 0)
            {
                lastUsed = DateTimeOffset.FromUnixTimeSeconds(seconds);
            }
        }

        if (problems.Count > before)
        {
            return null;
        }

        string? Optional(string name) => Field(name) is { Length: > 0 } value ? value : null;
        var input = new LoyaltyCardInput(
            Field("store"),
            Field("cardid"),
            Optional("barcodetype"),
            Optional("barcodeid"),
            Optional("barcodeencoding"),
            Optional("note"),
            validFrom,
            expiry,
            balance,
            Optional("balancetype"),
            color,
            starred,
            archived,
            lastUsed);

        // The same checks as a card typed in the app, reported against Catima's column names.
        try
        {
            LoyaltyCardValidator.Normalize(input);
        }
        catch (LoyaltyCardInvalidException e)
        {
            foreach (var (field, reasons) in e.Errors)
            {
                foreach (var reason in reasons)
                {
                    Problem(ColumnOf(field), reason);
                }
            }

            return null;
        }

        return input;
    }

    private const long MaxUnixSeconds = 253402300799; // 9999-12-31T23:59:59Z, the last second DateTimeOffset holds.

    private static DateTimeOffset? Millis(string text, string column, Action<string, string> problem)
    {
        if (text.Length == 0)
        {
            return null;
        }

        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var millis) || millis < -62135596800000 || millis > MaxUnixSeconds * 1000)
        {
            problem(column, "Not a time as Catima writes it (milliseconds since 1970).");
            return null;
        }

        return DateTimeOffset.FromUnixTimeMilliseconds(millis);
    }

    private static bool Flag(string text, string column, Action<string, string> problem)
    {
        switch (text)
        {
            case "" or "0":
                return false;
            case "1":
                return true;
            default:
                problem(column, "Must be 0 or 1.");
                return false;
        }
    }

    /// <summary>The Catima column of a field the validator names.</summary>
    public static string ColumnOf(string field) => field switch
    {
        "store" => "store",
        "cardNumber" => "cardid",
        "barcodeValue" => "barcodeid",
        "barcodeFormat" => "barcodetype",
        "barcodeEncoding" => "barcodeencoding",
        "note" => "note",
        "validFrom" => "validfrom",
        "expiry" => "expiry",
        "balance" => "balance",
        "balanceCurrency" => "balancetype",
        "headerColor" => "headercolor",
        "lastUsed" => "lastused",
        _ => field,
    };

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed record Row(int Line, string[] Fields, bool IsBlank);

    private static List<Row> ReadRows(TextReader input)
    {
        var rows = new List<Row>();
        using var parser = new CsvParser(input, Configuration, leaveOpen: true);
        var nextLine = 1;
        try
        {
            while (parser.Read())
            {
                var fields = parser.Record ?? [];
                var blank = string.IsNullOrEmpty(parser.RawRecord.Trim('\r', '\n'));
                rows.Add(new Row(nextLine, blank ? [] : fields, blank));
                nextLine = parser.RawRow + 1;
            }
        }
        catch (Exception e) when (e is CsvHelperException or System.Text.DecoderFallbackException or ArgumentOutOfRangeException)
        {
            // The parser's message quotes the raw text, which holds card numbers: only the line is kept. Note:
            // CsvHelper's parser fails with an ArgumentOutOfRangeException on some broken rows (a lone carriage
            // return after a blank line, found by CatimaPropertyTests); that is a broken file too, not a server error.
            throw CatimaImportException.At(nextLine, null, "This line is not valid UTF-8 CSV (an unmatched quote, or not text?); the file may be damaged.");
        }

        // A file that does not end in a newline ends its last row all the same; one that ends in a blank line adds
        // nothing.
        while (rows.Count > 0 && rows[^1].IsBlank)
        {
            rows.RemoveAt(rows.Count - 1);
        }

        return rows;
    }

    private static void SkipBlank(List<Row> rows, ref int index)
    {
        while (index < rows.Count && rows[index].IsBlank)
        {
            index++;
        }
    }

    private static List<Row> TakeSection(List<Row> rows, ref int index)
    {
        var section = new List<Row>();
        while (index < rows.Count && !rows[index].IsBlank)
        {
            section.Add(rows[index++]);
        }

        return section;
    }

    private static int LastLine(List<Row> rows) => rows.Count == 0 ? 1 : rows[^1].Line;
}
