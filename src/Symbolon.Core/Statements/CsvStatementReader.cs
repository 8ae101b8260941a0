using System.Globalization;
using System.Text;
using System.Text.Unicode;
using CsvHelper;
using CsvHelper.Configuration;
using Symbolon.Contracts.Statements;
using Symbolon.Core.Validation;

namespace Symbolon.Core.Statements;

/// <summary>
/// Reads bank CSV exports through a <see cref="CsvMapping"/>, with CsvHelper's RFC 4180 parser underneath. The
/// whole file is read before anything is stored, and the first problem stops it with the line and column.
/// </summary>
internal static class CsvStatementReader
{
    private const int ProgressEvery = 16_384;

    private static readonly string[] Delimiters = [";", ",", "\t", "|"];

    static CsvStatementReader() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static IReadOnlyList<string> DateFormats { get; } =
        ["yyyy-MM-dd", "dd.MM.yyyy", "dd.MM.yy", "dd/MM/yyyy", "MM/dd/yyyy", "d.M.yyyy", "dd-MM-yyyy", "yyyyMMdd", "M/d/yyyy", "d/M/yyyy", "yyyy/MM/dd"];

    // Called once per import with a loop over every row: compiled fully optimized at once instead of starting in tier 0.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static ParsedStatement Read(ReadOnlyMemory<byte> file, CsvMapping mapping, IProgress<ImportProgress>? progress = null, CancellationToken ct = default)
    {
        Validate(mapping);
        var decimalSeparator = mapping.DecimalSeparator[0];
        char? thousands = mapping.ThousandsSeparator.Length == 0 ? null : mapping.ThousandsSeparator[0];
        var account = StatementValues.CleanText(mapping.Account);
        var defaultCurrency = mapping.DefaultCurrency.ToUpperInvariant();
        var lines = new List<StatementLine>();

        using var stream = new ReadOnlyMemoryStream(file);
        using var reader = new StreamReader(stream, DecodeAs(file.Span, mapping.Encoding), detectEncodingFromByteOrderMarks: false);
        using var parser = new CsvParser(reader, Configuration(mapping.Delimiter));
        try
        {
            var columns = ReadColumns(parser, mapping);
            while (parser.Read())
            {
                ct.ThrowIfCancellationRequested();
                var line = $"line {parser.RawRow}";
                if (IsBlank(parser))
                {
                    continue;
                }

                string Field(int index, string name) => index < parser.Count
                    ? parser[index]
                    : throw new StatementException(line, parser.Record!.Any(f => f.Contains('\n', StringComparison.Ordinal))
                        ? "a quoted field runs to the end of the file; is a closing quote missing? The file is not valid CSV."
                        : $"the row has {parser.Count} fields; column '{name}' is field {index + 1}.");

                string? Optional(int index, string? name) => index < 0 ? null : Field(index, name!);

                var dateText = Field(columns.Date, mapping.Date!).Trim();
                if (!DateOnly.TryParseExact(dateText, mapping.DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                {
                    throw new StatementException(line, dateText.Length == 0
                        ? $"column '{mapping.Date}' is empty; every row needs a date."
                        : $"column '{mapping.Date}' is not a date in the format {mapping.DateFormat}.");
                }

                decimal amount;
                if (columns.Amount >= 0)
                {
                    amount = Amount(Field(columns.Amount, mapping.Amount!), mapping.Amount!, line, required: true);
                }
                else
                {
                    var debitText = Optional(columns.Debit, mapping.Debit);
                    var creditText = Optional(columns.Credit, mapping.Credit);
                    var hasDebit = !string.IsNullOrWhiteSpace(debitText);
                    var hasCredit = !string.IsNullOrWhiteSpace(creditText);
                    if (!hasDebit && !hasCredit)
                    {
                        throw new StatementException(line, $"neither '{mapping.Debit ?? mapping.Credit}' nor '{mapping.Credit ?? mapping.Debit}' has an amount.");
                    }

                    var debit = hasDebit ? Math.Abs(Amount(debitText!, mapping.Debit!, line, required: true)) : 0m;
                    var credit = hasCredit ? Math.Abs(Amount(creditText!, mapping.Credit!, line, required: true)) : 0m;
                    amount = credit - debit;
                }

                var currency = defaultCurrency;
                if (columns.Currency >= 0)
                {
                    var currencyText = Field(columns.Currency, mapping.Currency!);
                    if (!string.IsNullOrWhiteSpace(currencyText))
                    {
                        currency = StatementValues.Currency(currencyText)
                            ?? throw new StatementException(line, $"column '{mapping.Currency}' is not a three-letter currency code.");
                    }
                }

                decimal? balance = null;
                if (columns.Balance >= 0)
                {
                    var balanceText = Field(columns.Balance, mapping.Balance!);
                    balance = string.IsNullOrWhiteSpace(balanceText) ? null : Amount(balanceText, mapping.Balance!, line, required: true);
                }

                var description = StatementValues.CleanText(Optional(columns.Description, mapping.Description));
                var merchant = StatementValues.CleanText(Optional(columns.Merchant, mapping.Merchant));
                var reference = StatementValues.CleanText(Optional(columns.Reference, mapping.Reference));
                lines.Add(new StatementLine
                {
                    Account = account,
                    Date = date,
                    Amount = amount,
                    Currency = currency,
                    Description = description.Length > 0 ? description : merchant,
                    Merchant = merchant.Length > 0 ? merchant : null,
                    Reference = reference.Length > 0 ? reference : null,
                    Balance = balance,
                    Position = line,
                });

                if (progress is not null && lines.Count % ProgressEvery == 0)
                {
                    progress.Report(new ImportProgress("parse", lines.Count, stream.Position, file.Length));
                }
            }
        }
        catch (CsvHelperException e)
        {
            throw new StatementException($"line {e.Context?.Parser?.RawRow ?? 0}", "the file is not valid CSV (an unclosed quote or a broken row).");
        }
        catch (DecoderFallbackException)
        {
            throw new StatementException($"line {parser.RawRow}", "the file is not valid in the chosen encoding.");
        }

        progress?.Report(new ImportProgress("parse", lines.Count, file.Length, file.Length));
        return new ParsedStatement(StatementFormats.Csv, lines);

        decimal Amount(string text, string column, string line, bool required)
        {
            if (StatementValues.TryParseAmount(text, decimalSeparator, thousands, out var value))
            {
                return value;
            }

            throw new StatementException(line, text.AsSpan().Trim().IsEmpty && required
                ? $"column '{column}' is empty."
                : $"column '{column}' is not an amount with '{mapping.DecimalSeparator}' as decimal separator.");
        }
    }

    /// <summary>The first rows and a suggested mapping: delimiter, encoding, date and decimal formats and columns guessed from the file.</summary>
    public static CsvPreview Preview(ReadOnlyMemory<byte> file, int rows = 10)
    {
        var encoding = DetectEncodingName(file.Span);
        var head = DecodeAs(file.Span[..Math.Min(file.Length, 64 * 1024)], encoding).GetString(file.Span[..Math.Min(file.Length, 64 * 1024)]);
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

    /// <summary>
    /// The encoding to decode with. A UTF-8 (or UTF-16) byte-order mark wins; "auto" takes UTF-8 when every byte
    /// sequence is valid UTF-8 and Windows-1252 otherwise (the usual encoding of older European bank exports).
    /// A file declared UTF-8 that is not is refused with the line of the first bad byte, not silently garbled.
    /// </summary>
    private static Encoding DecodeAs(ReadOnlySpan<byte> file, string name)
    {
        if (file.StartsWith("\xEF\xBB\xBF"u8) || file.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || file.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return file[0] == 0xEF ? new UTF8Encoding(false, true) : file[0] == 0xFF ? new UnicodeEncoding(false, true, true) : new UnicodeEncoding(true, true, true);
        }

        switch (name.ToLowerInvariant())
        {
            case "auto":
                return DetectEncodingName(file) == "utf-8" ? new UTF8Encoding(false, true) : Encoding.GetEncoding(1252);
            case "utf-8" or "utf8":
                if (!Utf8.IsValid(file))
                {
                    var bad = FirstInvalidUtf8(file);
                    throw new StatementException($"line {file[..bad].Count((byte)'\n') + 1}", "the file is not valid UTF-8; choose Windows-1252 or ISO-8859-1 as its encoding.");
                }

                return new UTF8Encoding(false, true);
            case "windows-1252" or "cp1252":
                return Encoding.GetEncoding(1252);
            default:
                return Encoding.Latin1;
        }
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> file)
    {
        var buffer = new char[16 * 1024];
        var offset = 0;
        while (offset < file.Length)
        {
            var status = Utf8.ToUtf16(file[offset..], buffer, out var read, out _, replaceInvalidSequences: false);
            offset += read;
            if (status != System.Buffers.OperationStatus.DestinationTooSmall)
            {
                break;
            }
        }

        return offset;
    }

    private static string DetectEncodingName(ReadOnlySpan<byte> file) => Utf8.IsValid(file) ? "utf-8" : "windows-1252";

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

    private static Columns ReadColumns(CsvParser parser, CsvMapping mapping)
    {
        string[]? header = null;
        if (mapping.HasHeader)
        {
            while (true)
            {
                if (!parser.Read())
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

    /// <summary>A read-only stream over memory, whose position reports progress.</summary>
    private sealed class ReadOnlyMemoryStream(ReadOnlyMemory<byte> memory) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => memory.Length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(buffer.Length, memory.Length - _position);
            memory.Span.Slice(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
