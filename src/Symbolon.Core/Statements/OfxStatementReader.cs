using System.Globalization;
using System.Net;
using System.Text;
using System.Xml;
using Symbolon.Contracts.Statements;

namespace Symbolon.Core.Statements;

/// <summary>
/// Reads OFX/QFX statements: version 1.x is SGML whose leaf elements are never closed, read by a small tolerant
/// tokenizer (no maintained .NET OFX library exists); version 2.x is XML, read with <see cref="XmlReader"/>.
/// Both become the same element tree, from which bank (STMTRS) and credit-card (CCSTMTRS) statements are taken.
/// </summary>
internal static class OfxStatementReader
{
    /// <summary>
    /// The deepest nesting read (a statement nests about eight levels). Deeper input is refused while it is read, so
    /// no walk over the tree can run out of stack.
    /// </summary>
    public const int MaxDepth = 64;

    /// <summary>
    /// The largest OFX file read: it is held in memory whole, and a year of a busy account is a few megabytes.
    /// </summary>
    public const int MaxBytes = 64 * 1024 * 1024;

    private const int MaxValueChars = 64 * 1024;

    static OfxStatementReader() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static bool LooksLikeOfx(ReadOnlySpan<byte> head)
    {
        var text = Encoding.Latin1.GetString(head[..Math.Min(head.Length, 4096)]);
        return text.Contains("OFXHEADER", StringComparison.OrdinalIgnoreCase) || text.Contains("<OFX>", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Reads a small file whole (previews, tests); an import goes through <see cref="ReadAsync"/>.</summary>
    public static ParsedStatement Read(ReadOnlyMemory<byte> file, CancellationToken ct = default)
    {
        var lines = new StatementLineCollector();

        // The collector never waits, so this does not block.
        Extract(Parse(file, ct), lines, ct).AsTask().GetAwaiter().GetResult();
        return new ParsedStatement(StatementFormats.Ofx, lines.Lines);
    }

    /// <summary>
    /// Reads the statement and hands its transactions to <paramref name="sink"/>. An OFX file is one small document
    /// (a month or a year of one account), read into memory whole, within the callers' size limits; its
    /// transactions then go on one by one like a CSV file's.
    /// </summary>
    public static async ValueTask ReadAsync(StatementSource source, IStatementRowSink sink, CancellationToken ct = default)
    {
        if (source.TotalBytes > MaxBytes)
        {
            throw TooLarge();
        }

        var file = await source.ReadToEndAsync(MaxBytes, ct) ?? throw TooLarge();
        await Extract(Parse(file, ct), sink, ct);
    }

    private static StatementException TooLarge() =>
        new("OFX", $"the file is larger than {MaxBytes / (1024 * 1024)} MiB, far more than an OFX statement holds; export a shorter period.");

    private static Element Parse(ReadOnlyMemory<byte> file, CancellationToken ct)
    {
        if (file.Length > MaxBytes)
        {
            throw TooLarge();
        }

        var head = Encoding.Latin1.GetString(file.Span[..Math.Min(file.Length, 1024)]).TrimStart('\uFEFF', '\u00EF', '\u00BB', '\u00BF', ' ', '\r', '\n', '\t');
        return head.StartsWith("<?xml", StringComparison.OrdinalIgnoreCase) || head.StartsWith("<?OFX", StringComparison.OrdinalIgnoreCase)
            ? ReadXml(file, ct)
            : ReadSgml(file, ct);
    }

    internal sealed class Element(string name, int line, Element? parent)
    {
        public string Name { get; } = name;
        public int Line { get; } = line;
        public Element? Parent { get; } = parent;
        public string? Value { get; set; }
        public List<Element> Children { get; } = [];

        public Element? Child(string name) => Children.Find(c => c.Name == name);

        public string? ChildValue(string name) => Child(name)?.Value;

        public IEnumerable<Element> Descendants(string name)
        {
            foreach (var child in Children)
            {
                if (child.Name == name)
                {
                    yield return child;
                }

                foreach (var nested in child.Descendants(name))
                {
                    yield return nested;
                }
            }
        }

        public string Path => Parent is null ? Name : $"{Parent.Path}/{Name}";
    }

    /// <summary>
    /// OFX 1.x: "KEY:VALUE" header lines, then SGML where aggregates are closed and leaf elements usually are not.
    /// A closing tag closes every open element up to its opening tag; a file that ends with aggregates still
    /// open is truncated and refused.
    /// </summary>
    private static Element ReadSgml(ReadOnlyMemory<byte> file, CancellationToken ct)
    {
        var bytes = file.Span;
        var headerText = Encoding.Latin1.GetString(bytes[..Math.Min(bytes.Length, 2048)]);
        var encoding = headerText.Contains("CHARSET:1252", StringComparison.OrdinalIgnoreCase) ? Encoding.GetEncoding(1252)
            : headerText.Contains("ENCODING:UTF-8", StringComparison.OrdinalIgnoreCase) && System.Text.Unicode.Utf8.IsValid(bytes) ? Encoding.UTF8
            : Encoding.Latin1;
        var text = encoding.GetString(bytes);
        var start = text.IndexOf('<', StringComparison.Ordinal);
        if (start < 0)
        {
            throw new StatementException("line 1", "the file has no OFX elements.");
        }

        var line = 1 + text.AsSpan(0, start).Count('\n');
        var document = new Element("#document", 0, null);
        var stack = new List<Element> { document };
        var position = start;
        while (position < text.Length)
        {
            ct.ThrowIfCancellationRequested();
            var open = text.IndexOf('<', position);
            if (open < 0)
            {
                if (!text.AsSpan(position).IsWhiteSpace())
                {
                    throw new StatementException($"line {line}", "text after the last element.");
                }

                break;
            }

            line += text.AsSpan(position, open - position).Count('\n');
            var close = text.IndexOf('>', open);
            if (close < 0)
            {
                throw new StatementException($"line {line}", "the file ends inside a tag (truncated).");
            }

            var tag = text.AsSpan(open + 1, close - open - 1).Trim();
            line += text.AsSpan(open, close - open).Count('\n');
            position = close + 1;
            if (tag.StartsWith("!--") || tag.StartsWith("?"))
            {
                continue;
            }

            var closing = tag.StartsWith('/');
            var name = (closing ? tag[1..] : tag).Trim().ToString().ToUpperInvariant();
            if (!IsName(name))
            {
                throw new StatementException($"line {line}", "a tag has no valid element name.");
            }

            if (closing)
            {
                var index = stack.FindLastIndex(e => e.Name == name);
                if (index <= 0)
                {
                    throw new StatementException($"line {line}", $"</{name}> closes an element that is not open.");
                }

                stack.RemoveRange(index, stack.Count - index);
                continue;
            }

            var parent = stack[^1];
            var element = new Element(name, line, parent);
            parent.Children.Add(element);
            var next = text.IndexOf('<', position);
            var content = text.AsSpan(position, (next < 0 ? text.Length : next) - position);
            if (!content.IsWhiteSpace())
            {
                // A leaf: its value runs to the next tag; its closing tag is optional in SGML.
                element.Value = WebUtility.HtmlDecode(content.Trim().ToString());
                line += content.Count('\n');
                position += content.Length;
                var endTag = $"</{name}>";
                if (text.AsSpan(position).StartsWith(endTag, StringComparison.OrdinalIgnoreCase))
                {
                    position += endTag.Length;
                }
            }
            else
            {
                if (stack.Count > MaxDepth)
                {
                    throw new StatementException($"line {line}", "elements are nested too deeply.");
                }

                stack.Add(element);
            }
        }

        if (stack.Count > 1)
        {
            throw new StatementException($"line {line}", $"the file ends before <{stack[^1].Name}> is closed (truncated).");
        }

        return document;
    }

    private static bool IsName(string name)
    {
        if (name.Length is 0 or > 64)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static Element ReadXml(ReadOnlyMemory<byte> file, CancellationToken ct)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreComments = true, IgnoreProcessingInstructions = true, MaxCharactersInDocument = 512L * 1024 * 1024 };
        var document = new Element("#document", 0, null);
        var current = document;
        try
        {
            using var stream = StatementSource.FromMemory(file);
            using var reader = XmlReader.Create(stream, settings);
            var info = (IXmlLineInfo)reader;
            while (reader.Read())
            {
                ct.ThrowIfCancellationRequested();
                switch (reader.NodeType)
                {
                    case XmlNodeType.Element:
                        if (reader.Depth >= MaxDepth)
                        {
                            throw new StatementException($"line {info.LineNumber}", "elements are nested too deeply.");
                        }

                        var element = new Element(reader.LocalName.ToUpperInvariant(), info.LineNumber, current);
                        current.Children.Add(element);
                        if (!reader.IsEmptyElement)
                        {
                            current = element;
                        }

                        break;
                    case XmlNodeType.Text or XmlNodeType.CDATA:
                        // Note: text split by CDATA sections is joined piece by piece, so its length is bounded
                        // (an OFX value is a few dozen characters) before the joining turns quadratic.
                        if ((current.Value?.Length ?? 0) + reader.Value.Length > MaxValueChars)
                        {
                            throw new StatementException($"line {info.LineNumber}", $"<{current.Name}> holds more than {MaxValueChars / 1024} KiB of text.");
                        }

                        current.Value = (current.Value ?? "") + reader.Value;
                        break;
                    case XmlNodeType.EndElement:
                        current = current.Parent ?? document;
                        break;
                }
            }
        }
        catch (XmlException e)
        {
            throw new StatementException($"line {e.LineNumber}", "the file is not well-formed XML (truncated or broken).");
        }

        return document;
    }

    private static async ValueTask Extract(Element root, IStatementRowSink sink, CancellationToken ct)
    {
        var statements = root.Descendants("STMTRS").Concat(root.Descendants("CCSTMTRS")).ToList();
        if (statements.Count == 0)
        {
            throw new StatementException("OFX", "the file has no bank or credit-card statement (STMTRS or CCSTMTRS).");
        }

        foreach (var statement in statements)
        {
            var where = $"line {statement.Line} ({statement.Name})";
            var currency = StatementValues.Currency(statement.ChildValue("CURDEF"))
                ?? throw new StatementException(where, "CURDEF (the statement's currency) is missing or not a three-letter code.");
            var accountFrom = statement.Child("BANKACCTFROM") ?? statement.Child("CCACCTFROM");
            var account = StatementValues.CleanText(accountFrom?.ChildValue("ACCTID"));
            if (account.Length == 0)
            {
                throw new StatementException(where, "ACCTID (the account) is missing.");
            }

            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var transaction in statement.Child("BANKTRANLIST")?.Children.Where(c => c.Name == "STMTTRN") ?? [])
            {
                ct.ThrowIfCancellationRequested();
                var at = $"line {transaction.Line} (STMTTRN)";
                var posted = transaction.ChildValue("DTPOSTED") ?? throw new StatementException(at, "DTPOSTED (the date) is missing.");
                var date = ParseDate(posted) ?? throw new StatementException(at, "DTPOSTED is not a date (YYYYMMDD...).");
                var amountText = transaction.ChildValue("TRNAMT") ?? throw new StatementException(at, "TRNAMT (the amount) is missing.");
                var comma = amountText.Contains(',', StringComparison.Ordinal) && !amountText.Contains('.', StringComparison.Ordinal);
                if (!StatementValues.TryParseAmount(amountText, comma ? ',' : '.', null, out var amount))
                {
                    throw new StatementException(at, "TRNAMT is not an amount.");
                }

                var fitId = StatementValues.CleanText(transaction.ChildValue("FITID"));
                if (fitId.Length > 0 && !seen.TryAdd(fitId, transaction.Line))
                {
                    throw new StatementException(at, $"FITID repeats the id of the transaction at line {seen[fitId]}; a statement lists each transaction once.");
                }

                var name = StatementValues.CleanText(transaction.ChildValue("NAME") ?? transaction.Child("PAYEE")?.ChildValue("NAME"));
                var memo = StatementValues.CleanText(transaction.ChildValue("MEMO"));
                var description = name.Length == 0 ? memo : memo.Length == 0 || memo == name ? name : $"{name} {memo}";
                if (description.Length == 0)
                {
                    description = StatementValues.CleanText(transaction.ChildValue("TRNTYPE"));
                }

                var transactionCurrency = StatementValues.Currency(transaction.Child("CURRENCY")?.ChildValue("CURSYM")) ?? currency;
                await sink.AddAsync(new StatementRow(
                    account,
                    date,
                    amount,
                    transactionCurrency,
                    description,
                    name.Length > 0 ? name : null,
                    fitId.Length > 0 ? fitId : null,
                    null));
            }
        }
    }

    /// <summary>OFX dates are YYYYMMDD, optionally followed by HHMMSS, .XXX and a [offset:zone]; only the day is kept.</summary>
    internal static DateOnly? ParseDate(string text)
    {
        var value = text.AsSpan().Trim();
        if (value.Length < 8)
        {
            return null;
        }

        foreach (var c in value[8..])
        {
            if (!(char.IsAsciiDigit(c) || c is '.' or '[' or ']' or ':' or '-' or '+' || char.IsAsciiLetter(c)))
            {
                return null;
            }
        }

        return DateOnly.TryParseExact(value[..8], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;
    }
}
