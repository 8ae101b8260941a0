using System.Globalization;
using System.Text;
using System.Text.Unicode;
using CsvHelper;
using CsvHelper.Configuration;
using Symbolon.Contracts.Statements;
using Symbolon.Core.Validation;

namespace Symbolon.Core.Statements;

/// <summary>
/// Reads bank CSV exports through a <see cref="CsvMapping"/>, with CsvHelper's RFC 4180 parser underneath. The file
/// streams through: each row is handed to the sink as it is read, and the first problem stops the import with the
/// line and column (nothing is stored before the whole file has been read).
/// </summary>
internal static class CsvStatementReader
{
    /// <summary>
    /// The longest field read (CleanText keeps 1,000 characters of a text). An unclosed quote otherwise makes the
    /// rest of the file one field, held in memory whole.
    /// </summary>
    public const int MaxFieldChars = 64 * 1024;

    private static readonly string[] Delimiters = [";", ",", "\t", "|"];

    static CsvStatementReader() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static IReadOnlyList<string> DateFormats { get; } =
        ["yyyy-MM-dd", "dd.MM.yyyy", "dd.MM.yy", "dd/MM/yyyy", "MM/dd/yyyy", "d.M.yyyy", "dd-MM-yyyy", "yyyyMMdd", "M/d/yyyy", "d/M/yyyy", "yyyy/MM/dd"];

    /// <summary>Reads a small file whole (previews, tests); an import streams through <see cref="ReadAsync"/> instead.</summary>
    public static ParsedStatement Read(ReadOnlyMemory<byte> file, CsvMapping mapping, CancellationToken ct = default)
    {
        var lines = new StatementLineCollector();

        // Over memory every read completes at once and the collector never waits, so this does not block.
        ReadAsync(StatementSource.FromMemory(file), mapping, lines, ct).AsTask().GetAwaiter().GetResult();
        return new ParsedStatement(StatementFormats.Csv, lines.Lines);
    }

    /// <summary>Reads <paramref name="file"/> to its end, handing every transaction to <paramref name="sink"/> in file order.</summary>
    // Called once per import with a loop over every row: compiled fully optimized at once instead of starting in tier 0.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static async ValueTask ReadAsync(Stream file, CsvMapping mapping, IStatementRowSink sink, CancellationToken ct = default)
    {
        Validate(mapping);
        var decimalSeparator = mapping.DecimalSeparator[0];
        char? thousands = mapping.ThousandsSeparator.Length == 0 ? null : mapping.ThousandsSeparator[0];
        var account = StatementValues.CleanText(mapping.Account);
        var defaultCurrency = mapping.DefaultCurrency.ToUpperInvariant();
        var currencies = new Dictionary<string, string>(StringComparer.Ordinal);

        // A statement repeats each booking date on many rows, and parsing one by its format is the costliest step
        // of a row; each distinct date text is parsed once (bounded, for a file of all-different texts).
        var dates = new Dictionary<string, DateOnly>(StringComparer.Ordinal);

        using var reader = new StatementTextReader(file, mapping.Encoding);
        using var parser = new CsvParser(reader, Configuration(mapping.Delimiter));
        try
        {
            var columns = await ReadColumnsAsync(parser, mapping);
            while (await parser.ReadAsync())
            {
                ct.ThrowIfCancellationRequested();
                if (IsBlank(parser))
                {
                    continue;
                }

                var dateField = Field(parser, columns.Date, mapping.Date!);
                if (!dates.TryGetValue(dateField, out var date))
                {
                    var dateText = dateField.AsSpan().Trim();
                    if (!DateOnly.TryParseExact(dateText, mapping.DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out date))
                    {
                        throw new StatementException(Line(parser), dateText.Length == 0
                            ? $"column '{mapping.Date}' is empty; every row needs a date."
                            : $"column '{mapping.Date}' is not a date in the format {mapping.DateFormat}.");
                    }

                    if (dates.Count < 100_000)
                    {
                        dates[dateField] = date;
                    }
                }

                decimal amount;
                if (columns.Amount >= 0)
                {
                    amount = Amount(parser, Field(parser, columns.Amount, mapping.Amount!), mapping.Amount!, required: true);
                }
                else
                {
                    var debitText = Optional(parser, columns.Debit, mapping.Debit);
                    var creditText = Optional(parser, columns.Credit, mapping.Credit);
                    var hasDebit = !string.IsNullOrWhiteSpace(debitText);
                    var hasCredit = !string.IsNullOrWhiteSpace(creditText);
                    if (!hasDebit && !hasCredit)
                    {
                        throw new StatementException(Line(parser), $"neither '{mapping.Debit ?? mapping.Credit}' nor '{mapping.Credit ?? mapping.Debit}' has an amount.");
                    }

                    var debit = hasDebit ? Math.Abs(Amount(parser, debitText!, mapping.Debit!, required: true)) : 0m;
                    var credit = hasCredit ? Math.Abs(Amount(parser, creditText!, mapping.Credit!, required: true)) : 0m;
                    amount = credit - debit;
                }

                var currency = defaultCurrency;
                if (columns.Currency >= 0)
                {
                    var currencyText = Field(parser, columns.Currency, mapping.Currency!);
                    if (!string.IsNullOrWhiteSpace(currencyText))
                    {
                        // A file repeats a few currency codes; each is checked and upper-cased once.
                        if (!currencies.TryGetValue(currencyText, out var code))
                        {
                            code = StatementValues.Currency(currencyText)
                                ?? throw new StatementException(Line(parser), $"column '{mapping.Currency}' is not a three-letter currency code.");
                            currencies[currencyText] = code;
                        }

                        currency = code;
                    }
                }

                decimal? balance = null;
                if (columns.Balance >= 0)
                {
                    var balanceText = Field(parser, columns.Balance, mapping.Balance!);
                    balance = string.IsNullOrWhiteSpace(balanceText) ? null : Amount(parser, balanceText, mapping.Balance!, required: true);
                }

                var description = StatementValues.CleanText(Optional(parser, columns.Description, mapping.Description));
                var merchant = StatementValues.CleanText(Optional(parser, columns.Merchant, mapping.Merchant));
                var reference = StatementValues.CleanText(Optional(parser, columns.Reference, mapping.Reference));
                await sink.AddAsync(new StatementRow(
                    account,
                    date,
                    amount,
                    currency,
                    description.Length > 0 ? description : merchant,
                    merchant.Length > 0 ? merchant : null,
                    reference.Length > 0 ? reference : null,
                    balance));
            }
        }
        catch (MaxFieldSizeException e)
        {
            throw new StatementException($"line {e.Context?.Parser?.RawRow ?? 0}", $"a field is longer than {MaxFieldChars / 1024} KiB; is a closing quote missing? The file is not valid CSV.");
        }
        catch (CsvHelperException e)
        {
            throw new StatementException($"line {e.Context?.Parser?.RawRow ?? 0}", "the file is not valid CSV (an unclosed quote or a broken row).");
        }
        catch (DecoderFallbackException)
        {
            throw new StatementException(Line(parser), "the file is not valid in the chosen encoding.");
        }

        decimal Amount(CsvParser parser, string text, string column, bool required)
        {
            if (StatementValues.TryParseAmount(text, decimalSeparator, thousands, out var value))
            {
                return value;
            }

            throw new StatementException(Line(parser), text.AsSpan().Trim().IsEmpty && required
                ? $"column '{column}' is empty."
                : $"column '{column}' is not an amount with '{mapping.DecimalSeparator}' as decimal separator.");
        }
    }

    // Positions are put into words only for an error: a row's own text is never built.
    private static string Line(CsvParser parser) => $"line {parser.RawRow}";

    private static string Field(CsvParser parser, int index, string name) => index < parser.Count
        ? parser[index]
        : throw new StatementException(Line(parser), parser.Record!.Any(f => f.Contains('\n', StringComparison.Ordinal))
            ? "a quoted field runs to the end of the file; is a closing quote missing? The file is not valid CSV."
            : $"the row has {parser.Count} fields; column '{name}' is field {index + 1}.");

    private static string? Optional(CsvParser parser, int index, string? name) => index < 0 ? null : Field(parser, index, name!);

    /// <summary>Bytes the detected encoding cannot decode (a UTF-16 mark before invalid UTF-16), however the reader wraps it.</summary>
    private static bool IsDecoderFailure(Exception? e) =>
        e is DecoderFallbackException || (e is AggregateException a && a.InnerExceptions.Any(IsDecoderFailure)) || (e?.InnerException is { } inner && IsDecoderFailure(inner));

    /// <summary>
    /// The first rows and a suggested mapping: delimiter, encoding, date and decimal formats and columns guessed from
    /// the file, or from its head when <paramref name="isWholeFile"/> is false (an upload still streaming in).
    /// </summary>
    public static CsvPreview Preview(ReadOnlyMemory<byte> file, int rows = 10, bool isWholeFile = true)
    {
        var bytes = file[..Math.Min(file.Length, StatementSource.HeadBytes)];
        if (!isWholeFile || bytes.Length < file.Length)
        {
            // Only whole lines: the last one may be cut, even inside a character.
            var lastLine = bytes.Span.LastIndexOf((byte)'\n');
            bytes = lastLine > 0 ? bytes[..(lastLine + 1)] : bytes;
        }

        var encoding = isWholeFile ? DetectEncodingName(file.Span) : DetectEncodingNameFromHead(bytes.Span);
        string head;
        try
        {
            using var reader = new StatementTextReader(StatementSource.FromMemory(bytes), encoding);
            head = reader.ReadToEnd();
        }
        catch (Exception e) when (e is StatementException || IsDecoderFailure(e))
        {
            // A preview shows what could be read; the import itself reports the bad byte with its line. Byte for byte
            // (Latin-1 decodes anything): the text reader would follow a byte-order mark into the same failure again.
            head = Encoding.Latin1.GetString(bytes.Span);
        }

        var firstLine = head.AsSpan().TrimStart('\uFEFF');
        var lineEnd = firstLine.IndexOfAny('\r', '\n');
        if (lineEnd >= 0)
        {
            firstLine = firstLine[..lineEnd];
        }

        var firstLineText = firstLine.ToString();
        var delimiter = Delimiters.MaxBy(d => firstLineText.Count(c => c == d[0]))!;
        var records = new List<string[]>();
        using (var parser = new CsvParser(new StringReader(head.TrimStart('\uFEFF')), Configuration(delimiter)))
        {
            try
            {
                while (records.Count <= rows && parser.Read())
                {
                    if (!IsBlank(parser))
                    {
                        records.Add(parser.Record ?? []);
                    }
                }
            }
            catch (CsvHelperException)
            {
                // A preview shows what could be read; the import itself reports the broken row with its line.
            }
        }

        if (records.Count == 0)
        {
            throw new StatementException("line 1", "the file has no rows.");
        }

        var header = records[0];
        var hasHeader = header.Count(h => h.Any(char.IsLetter)) * 2 > header.Length && !header.Any(h => LooksLikeDate(h));
        var headers = hasHeader ? header.Select(h => h.Trim()).ToArray() : [.. Enumerable.Range(1, header.Length).Select(i => $"#{i}")];
        var data = hasHeader ? records.Skip(1).ToList() : records;

        string? Find(params string[] names) => hasHeader
            ? headers.FirstOrDefault(h => names.Any(n => Normalize(h) == n)) ?? headers.FirstOrDefault(h => names.Any(n => Normalize(h).StartsWith(n, StringComparison.Ordinal)))
            : null;

        var mapping = new CsvMapping(
            Date: Find("date", "booking date", "transaction date", "posting date", "posted date", "buchungstag", "buchungsdatum", "datum", "date operation", "boekingsdatum", "valuta", "value date"),
            Amount: Find("amount", "betrag", "montant", "bedrag", "umsatz", "transaction amount", "amount (eur)", "betrag (eur)"),
            Debit: Find("debit", "withdrawal", "withdrawals", "paid out", "money out", "soll", "ausgang", "debit amount"),
            Credit: Find("credit", "deposit", "deposits", "paid in", "money in", "haben", "eingang", "credit amount"),
            Description: Find("description", "verwendungszweck", "buchungstext", "details", "memo", "narrative", "libelle", "omschrijving", "reference", "transaction description"),
            Merchant: Find("merchant", "payee", "name", "counterparty", "beguenstigter/zahlungspflichtiger", "empfanger", "auftraggeber/empfanger", "zahlungsempfanger", "name zahlungsbeteiligter", "naam / omschrijving"),
            Currency: Find("currency", "wahrung", "waehrung", "devise", "munt"),
            Balance: Find("balance", "saldo", "kontostand", "solde", "running balance"),
            Delimiter: delimiter,
            Encoding: encoding,
            HasHeader: hasHeader);
        if (mapping.Amount is not null)
        {
            mapping = mapping with { Debit = null, Credit = null };
        }

        if (!hasHeader && header.Length >= 3)
        {
            mapping = mapping with { Date = headers.Where((_, i) => LooksLikeDate(header[i])).FirstOrDefault(), Description = "#" + header.Length };
        }

        var samples = SamplesOf(data, headers, mapping.Date);
        var format = DateFormats.FirstOrDefault(f => samples.Count > 0 && samples.All(s => DateOnly.TryParseExact(s.Trim(), f, CultureInfo.InvariantCulture, DateTimeStyles.None, out _)));
        var amounts = SamplesOf(data, headers, mapping.Amount ?? mapping.Debit ?? mapping.Credit).Concat(SamplesOf(data, headers, mapping.Credit)).ToList();
        var comma = amounts.Any(a => System.Text.RegularExpressions.Regex.IsMatch(a.Trim(), @",\d{1,2}-?$"))
            || (delimiter == ";" && !amounts.Any(a => System.Text.RegularExpressions.Regex.IsMatch(a.Trim(), @"\.\d{1,2}-?$")));
        mapping = mapping with
        {
            DateFormat = format ?? "yyyy-MM-dd",
            DecimalSeparator = comma ? "," : ".",
            ThousandsSeparator = comma ? "." : ",",
        };
        return new CsvPreview(headers, [.. data.Take(rows).Select(r => (IReadOnlyList<string>)r)], mapping);
    }

    public static void Validate(CsvMapping mapping)
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(mapping.Date))
        {
            errors.Add("date", "Choose the column that holds the booking date.");
        }

        if (string.IsNullOrWhiteSpace(mapping.Amount) && string.IsNullOrWhiteSpace(mapping.Debit) && string.IsNullOrWhiteSpace(mapping.Credit))
        {
            errors.Add("amount", "Choose an amount column, or debit and credit columns.");
        }

        if (string.IsNullOrWhiteSpace(mapping.Description) && string.IsNullOrWhiteSpace(mapping.Merchant))
        {
            errors.Add("description", "Choose the column that describes each transaction.");
        }

        if (mapping.DecimalSeparator is not ("." or ","))
        {
            errors.Add("decimalSeparator", "Use \".\" or \",\".");
        }

        if (mapping.ThousandsSeparator is not ("" or "." or "," or " " or "'") || mapping.ThousandsSeparator == mapping.DecimalSeparator)
        {
            errors.Add("thousandsSeparator", "Use nothing, \".\", \",\", a space or \"'\", different from the decimal separator.");
        }

        if (mapping.Delimiter is not ("," or ";" or "\t" or "|"))
        {
            errors.Add("delimiter", "Use \",\", \";\", \"|\" or a tab.");
        }

        if (!IsKnownEncoding(mapping.Encoding))
        {
            errors.Add("encoding", "Use auto, utf-8, windows-1252 or iso-8859-1.");
        }

        if (StatementValues.Currency(mapping.DefaultCurrency) is null)
        {
            errors.Add("defaultCurrency", "Use a three-letter ISO 4217 code such as EUR.");
        }

        if (string.IsNullOrWhiteSpace(mapping.Account) || mapping.Account.Length > 100)
        {
            errors.Add("account", "Name the account (at most 100 characters).");
        }

        try
        {
            _ = new DateOnly(2024, 12, 31).ToString(mapping.DateFormat, CultureInfo.InvariantCulture);
            if (string.IsNullOrWhiteSpace(mapping.DateFormat) || mapping.DateFormat.Length > 32)
            {
                errors.Add("dateFormat", "Give a date format such as dd.MM.yyyy.");
            }
        }
        catch (FormatException)
        {
            errors.Add("dateFormat", "Give a date format such as dd.MM.yyyy.");
        }

        errors.ThrowIfAny();
    }

    private static bool IsKnownEncoding(string name) => name.ToLowerInvariant() is "auto" or "utf-8" or "utf8" or "windows-1252" or "cp1252" or "iso-8859-1" or "latin1";

    private static string DetectEncodingName(ReadOnlySpan<byte> file) => Utf8.IsValid(file) ? "utf-8" : "windows-1252";

    // From the head alone: plain ASCII says nothing about the rest, so "auto" decides at the first other byte.
    private static string DetectEncodingNameFromHead(ReadOnlySpan<byte> head) =>
        !Utf8.IsValid(head) ? "windows-1252" : Ascii.IsValid(head) ? "auto" : "utf-8";

    private static CsvConfiguration Configuration(string delimiter) => new(CultureInfo.InvariantCulture)
    {
        Delimiter = delimiter,
        HasHeaderRecord = false,
        Mode = CsvMode.RFC4180,
        DetectColumnCountChanges = false,
        TrimOptions = TrimOptions.None,
        BadDataFound = args => throw new StatementException($"line {args.Context.Parser?.RawRow ?? 0}", "a field has a quote in the wrong place."),
        MissingFieldFound = null,
        IgnoreBlankLines = true,
        CacheFields = true,
        MaxFieldSize = MaxFieldChars,

        // Fewer, larger reads from the decoder (the default is 4 K characters).
        BufferSize = 64 * 1024,
    };

    private static bool IsBlank(CsvParser parser)
    {
        for (var i = 0; i < parser.Count; i++)
        {
            if (!string.IsNullOrWhiteSpace(parser[i]))
            {
                return false;
            }
        }

        return true;
    }

    private sealed record Columns(int Date, int Amount, int Debit, int Credit, int Description, int Merchant, int Currency, int Balance, int Reference);

    private static async ValueTask<Columns> ReadColumnsAsync(CsvParser parser, CsvMapping mapping)
    {
        string[]? header = null;
        if (mapping.HasHeader)
        {
            while (true)
            {
                if (!await parser.ReadAsync())
                {
                    throw new StatementException("line 1", "the file is empty; it should start with a header row.");
                }

                if (!IsBlank(parser))
                {
                    header = [.. parser.Record!.Select(h => h.Trim().TrimStart('\uFEFF'))];
                    break;
                }
            }
        }

        int Index(string? column, string role)
        {
            if (string.IsNullOrWhiteSpace(column))
            {
                return -1;
            }

            if (column.StartsWith('#') && int.TryParse(column.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var position) && position >= 1)
            {
                return position - 1;
            }

            var index = header is null ? -1 : Array.FindIndex(header, h => string.Equals(h, column.Trim(), StringComparison.OrdinalIgnoreCase));
            return index >= 0
                ? index
                : throw new StatementException(header is null ? "mapping" : "line 1", $"the {role} column '{column}' is not in the file's header row.");
        }

        return new Columns(
            Index(mapping.Date, "date"),
            Index(mapping.Amount, "amount"),
            Index(mapping.Debit, "debit"),
            Index(mapping.Credit, "credit"),
            Index(mapping.Description, "description"),
            Index(mapping.Merchant, "merchant"),
            Index(mapping.Currency, "currency"),
            Index(mapping.Balance, "balance"),
            Index(mapping.Reference, "reference"));
    }

    private static string Normalize(string header) => header.Trim().Trim('"').ToLowerInvariant()
        .Replace('ä', 'a').Replace('ö', 'o').Replace('ü', 'u').Replace('é', 'e').Replace('è', 'e').Replace('_', ' ');

    private static bool LooksLikeDate(string text) => DateFormats.Any(f => DateOnly.TryParseExact(text.Trim(), f, CultureInfo.InvariantCulture, DateTimeStyles.None, out _));

    private static List<string> SamplesOf(List<string[]> rows, string[] headers, string? column)
    {
        var index = column is null ? -1 : Array.IndexOf(headers, column);
        return index < 0 ? [] : [.. rows.Where(r => index < r.Length && !string.IsNullOrWhiteSpace(r[index])).Select(r => r[index])];
    }
}
