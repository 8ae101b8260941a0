using System.Globalization;
using System.Runtime.CompilerServices;
using System.Xml;
using System.Xml.Linq;
using Symbolon.Contracts.Statements;

namespace Symbolon.Core.Statements;

/// <summary>
/// Reads ISO 20022 camt.053 (end-of-day statements) and camt.052 (intraday reports). Elements are matched by local
/// name, so every schema version (.001.02 to .001.08 and later) reads the same; the version only changes where
/// names sit (RltdPties/Cdtr/Nm in older versions, RltdPties/Cdtr/Pty/Nm from .001.08). A batched entry with several
/// TxDtls that carry amounts becomes one transaction per TxDtls, and those amounts must add up to the entry's.
/// </summary>
internal static class CamtStatementReader
{
    /// <summary>
    /// The deepest nesting read (an entry's details nest about twelve levels). Deeper input is refused as it is read,
    /// before any element tree is built, so nothing recurses on the file's depth.
    /// </summary>
    public const int MaxDepth = 64;

    /// <summary>The most TxDtls one entry splits into; a batch of salaries or direct debits has a few thousand.</summary>
    public const int MaxDetailsPerEntry = 100_000;

    public static bool LooksLikeCamt(ReadOnlySpan<byte> head)
    {
        var text = System.Text.Encoding.UTF8.GetString(head[..Math.Min(head.Length, 4096)]);
        return text.Contains("camt.053", StringComparison.Ordinal) || text.Contains("camt.052", StringComparison.Ordinal);
    }

    /// <summary>Reads a small file whole (previews, tests); an import streams through <see cref="ReadAsync"/>.</summary>
    public static ParsedStatement Read(ReadOnlyMemory<byte> file, CancellationToken ct = default)
    {
        var lines = new StatementLineCollector();

        // Over memory every read completes at once and the collector never waits, so this does not block.
        ReadAsync(StatementSource.FromMemory(file), lines, ct).AsTask().GetAwaiter().GetResult();
        return new ParsedStatement(StatementFormats.Camt, lines.Lines);
    }

    /// <summary>
    /// Reads the document as it streams: one entry (Ntry) at a time becomes an element tree, is read into
    /// transactions handed to <paramref name="sink"/>, and is let go, so a year of a business account never stands in
    /// memory as one document.
    /// </summary>
    public static async ValueTask ReadAsync(Stream file, IStatementRowSink sink, CancellationToken ct = default)
    {
        var settings = new XmlReaderSettings { Async = true, DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreComments = true, MaxCharactersInDocument = 512L * 1024 * 1024 };
        using var reader = XmlReader.Create(file, settings);
        try
        {
            await ReadDocumentAsync(reader, sink, ct);
        }
        catch (XmlException e)
        {
            throw new StatementException($"line {e.LineNumber}", "the file is not well-formed XML (truncated or broken).");
        }
    }

    private static async Task ReadDocumentAsync(XmlReader reader, IStatementRowSink sink, CancellationToken ct)
    {
        await reader.MoveToContentAsync();
        var ns = reader.NamespaceURI;
        if (reader.NodeType != XmlNodeType.Element || reader.LocalName != "Document" || !(ns.Contains("camt.053", StringComparison.Ordinal) || ns.Contains("camt.052", StringComparison.Ordinal)))
        {
            throw new UnknownStatementFormatException("The file is XML but not a camt.053 or camt.052 document.");
        }

        var found = false;
        await foreach (var name in ChildrenAsync(reader, ct))
        {
            if (found || name is not ("BkToCstmrStmt" or "BkToCstmrAcctRpt"))
            {
                await SkipAsync(reader, ct);
                continue;
            }

            found = true;
            var messagePath = "Document/" + name;
            var reportName = name == "BkToCstmrStmt" ? "Stmt" : "Rpt";
            var reports = 0;
            await foreach (var child in ChildrenAsync(reader, ct))
            {
                if (child != reportName)
                {
                    await SkipAsync(reader, ct);
                    continue;
                }

                reports++;
                await ReadReportAsync(reader, $"{messagePath}/{reportName}[{reports}]", sink, ct);
            }

            if (reports == 0)
            {
                throw new StatementException(messagePath, "the document holds no statement or report.");
            }
        }

        if (!found)
        {
            throw new StatementException("Document", "BkToCstmrStmt or BkToCstmrAcctRpt is missing.");
        }
    }

    private static async Task ReadReportAsync(XmlReader reader, string path, IStatementRowSink sink, CancellationToken ct)
    {
        string? account = null;
        var entries = 0;
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var child in ChildrenAsync(reader, ct))
        {
            switch (child)
            {
                case "Acct":
                    var element = await ReadElementAsync(reader, ct);
                    var accountId = Text(Child(Child(element, "Id"), "IBAN")) ?? Text(Child(Child(Child(element, "Id"), "Othr"), "Id"));
                    account = string.IsNullOrWhiteSpace(accountId) ? null : StatementValues.CleanText(accountId);
                    break;
                case "Ntry":
                    ct.ThrowIfCancellationRequested();
                    entries++;
                    var entry = await ReadElementAsync(reader, ct);
                    foreach (var row in ReadEntry(entry, $"{path}/Ntry[{entries}]", account ?? throw MissingAccount(path), seen, ct))
                    {
                        await sink.AddAsync(row);
                    }

                    break;
                default:
                    await SkipAsync(reader, ct);
                    break;
            }
        }

        if (account is null)
        {
            throw MissingAccount(path);
        }
    }

    private static StatementException MissingAccount(string reportPath) => new(reportPath + "/Acct/Id", "the account (IBAN or Othr/Id) is missing.");

    /// <summary>
    /// The local names of the child elements of the element the reader is on, one at a time: each time the reader is
    /// on that child, and the caller reads it whole (<see cref="XNode.ReadFromAsync"/>) or skips it. Ends after the
    /// element's end tag.
    /// </summary>
    private static async IAsyncEnumerable<string> ChildrenAsync(XmlReader reader, [EnumeratorCancellation] CancellationToken ct)
    {
        if (reader.IsEmptyElement)
        {
            await reader.ReadAsync();
            yield break;
        }

        var depth = reader.Depth;
        await NextAsync(reader, ct);
        while (!(reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth))
        {
            if (reader.NodeType == XmlNodeType.Element)
            {
                yield return reader.LocalName;
                continue;
            }

            await NextAsync(reader, ct);
        }

        await reader.ReadAsync();
    }

    /// <summary>Moves to the next node, refusing a document that ends early or nests deeper than <see cref="MaxDepth"/>.</summary>
    private static async Task NextAsync(XmlReader reader, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (!await reader.ReadAsync())
        {
            throw new XmlException("The document ends inside an element.", null, (reader as IXmlLineInfo)?.LineNumber ?? 0, 0);
        }

        if (reader.Depth > MaxDepth)
        {
            throw new StatementException($"line {(reader as IXmlLineInfo)?.LineNumber ?? 0}", "elements are nested too deeply.");
        }
    }

    /// <summary>Skips the element the reader is on, as <see cref="XmlReader.SkipAsync"/> does, within <see cref="MaxDepth"/>.</summary>
    private static async Task SkipAsync(XmlReader reader, CancellationToken ct)
    {
        if (reader.NodeType != XmlNodeType.Element || reader.IsEmptyElement)
        {
            await reader.ReadAsync();
            return;
        }

        var depth = reader.Depth;
        do
        {
            await NextAsync(reader, ct);
        }
        while (!(reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth));
        await reader.ReadAsync();
    }

    /// <summary>
    /// Reads the element the reader is on into a tree, as <see cref="XNode.ReadFromAsync"/> does, but node by node:
    /// within <see cref="MaxDepth"/> and observing <paramref name="ct"/>. Comments and processing instructions are
    /// left out; nothing here needs them.
    /// </summary>
    private static async Task<XElement> ReadElementAsync(XmlReader reader, CancellationToken ct)
    {
        var root = NewElement(reader);
        if (reader.IsEmptyElement)
        {
            await reader.ReadAsync();
            return root;
        }

        var depth = reader.Depth;
        var current = root;
        while (true)
        {
            await NextAsync(reader, ct);
            switch (reader.NodeType)
            {
                case XmlNodeType.Element:
                    var element = NewElement(reader);
                    current.Add(element);
                    if (!reader.IsEmptyElement)
                    {
                        current = element;
                    }

                    break;
                case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace:
                    // Note: GetValueAsync, not Value: a text that runs past the reader's buffer is finished by
                    // reading on, and a request body may not be read synchronously.
                    current.Add(new XText(await reader.GetValueAsync()));
                    break;
                case XmlNodeType.EndElement when reader.Depth == depth:
                    await reader.ReadAsync();
                    return root;
                case XmlNodeType.EndElement:
                    current = current.Parent!;
                    break;
            }
        }
    }

    private static XElement NewElement(XmlReader reader)
    {
        var element = new XElement(XName.Get(reader.LocalName, reader.NamespaceURI));
        if (reader.MoveToFirstAttribute())
        {
            do
            {
                if (reader.NamespaceURI != "http://www.w3.org/2000/xmlns/")
                {
                    element.SetAttributeValue(XName.Get(reader.LocalName, reader.NamespaceURI), reader.Value);
                }
            }
            while (reader.MoveToNextAttribute());
            reader.MoveToElement();
        }

        return element;
    }

    /// <summary>The transactions of one entry; <paramref name="path"/> is where the entry is in the document.</summary>
    private static List<StatementRow> ReadEntry(XElement entry, string path, string account, Dictionary<string, string> seen, CancellationToken ct)
    {
        var rows = new List<StatementRow>(1);
        var (amount, currency) = Amount(Child(entry, "Amt"), path + "/Amt");
        var sign = Sign(entry, path);
        var dateElement = Child(entry, "BookgDt") ?? Child(entry, "ValDt");
        var date = Date(dateElement, path + "/BookgDt");
        var entryReference = Text(Child(entry, "AcctSvcrRef"));
        var entryInfo = Text(Child(entry, "AddtlNtryInf"));

        // Each TxDtls's path is numbered here, in one pass: counting its siblings for each of thousands is quadratic.
        var details = Children(entry, "NtryDtls")
            .SelectMany((d, i) => Children(d, "TxDtls").Select((tx, j) => (Tx: tx, Path: $"{path}/NtryDtls[{i + 1}]/TxDtls[{j + 1}]")))
            .Take(MaxDetailsPerEntry + 1)
            .ToList();
        if (details.Count > MaxDetailsPerEntry)
        {
            throw new StatementException(path + "/NtryDtls", $"the entry has more than {MaxDetailsPerEntry:N0} TxDtls.");
        }

        // Note: a batch is split only when every TxDtls has its own amount; otherwise the entry is one transaction
        // whose text comes from its details, so no money is lost or counted twice.
        var split = details.Count > 1 && details.All(d => TxAmount(d.Tx) is not null);
        if (split)
        {
            var total = 0m;
            for (var i = 0; i < details.Count; i++)
            {
                ct.ThrowIfCancellationRequested();
                var (tx, txPath) = details[i];
                var (txAmount, txCurrency) = Amount(TxAmount(tx), txPath + "/Amt");
                var txSign = Child(tx, "CdtDbtInd") is null ? sign : Sign(tx, txPath);
                total += txSign * txAmount;
                var reference = TxReference(tx) ?? (entryReference is null ? null : $"{entryReference}#{i + 1}");
                Add(tx, txPath, txSign * txAmount, txCurrency, reference);
            }

            if (total != sign * amount)
            {
                throw new StatementException(path + "/NtryDtls", "the amounts of its TxDtls do not add up to the entry's Amt.");
            }

            return rows;
        }

        var single = details.Count == 1 ? details[0].Tx : null;
        Add(single, path, sign * amount, currency, entryReference ?? (single is null ? null : TxReference(single)));
        return rows;

        void Add(XElement? tx, string where, decimal value, string ccy, string? reference)
        {
            if (reference is not null && !seen.TryAdd(reference, where))
            {
                throw new StatementException(where, $"its bank reference repeats the one of {seen[reference]}; a statement lists each transaction once.");
            }

            var debit = value < 0;
            var parties = tx is null ? null : Child(tx, "RltdPties");
            var counterparty = Name(Child(parties, debit ? "Cdtr" : "Dbtr")) ?? Name(Child(parties, debit ? "UltmtCdtr" : "UltmtDbtr"));
            var remittance = tx is null ? null : Remittance(Child(tx, "RmtInf"));
            var additional = tx is null ? null : Text(Child(tx, "AddtlTxInf"));
            var description = StatementValues.CleanText(new[] { remittance, additional, entryInfo }.FirstOrDefault(t => !string.IsNullOrWhiteSpace(t)) ?? counterparty);
            var merchant = StatementValues.CleanText(counterparty);
            rows.Add(new StatementRow(
                account,
                date,
                value,
                ccy,
                description,
                merchant.Length > 0 ? merchant : null,
                reference is null ? null : StatementValues.CleanText(reference),
                null));
        }
    }

    /// <summary>
    /// The remittance text: the unstructured lines, then any structured creditor references
    /// (<c>Strd/CdtrRefInf/Ref</c>, such as an ISO 11649 RF reference), so that a payment can be found by its reference.
    /// </summary>
    private static string Remittance(XElement? info)
    {
        var unstructured = Children(info, "Ustrd").Select(u => u.Value);
        var references = Children(info, "Strd").Select(s => Text(Child(Child(s, "CdtrRefInf"), "Ref"))).OfType<string>();
        return string.Join(" ", unstructured.Concat(references));
    }

    private static XElement? TxAmount(XElement tx) => Child(tx, "Amt") ?? Child(Child(Child(tx, "AmtDtls"), "TxAmt"), "Amt");

    private static string? TxReference(XElement tx)
    {
        var refs = Child(tx, "Refs");
        var reference = Text(Child(refs, "AcctSvcrRef")) ?? Text(Child(refs, "EndToEndId"));
        return reference is null or "NOTPROVIDED" ? null : reference;
    }

    private static string? Name(XElement? party) => Text(Child(party, "Nm")) ?? Text(Child(Child(party, "Pty"), "Nm"));

    private static decimal Sign(XElement element, string path) => Text(Child(element, "CdtDbtInd")) switch
    {
        "CRDT" => 1m,
        "DBIT" => -1m,
        null => throw new StatementException(path + "/CdtDbtInd", "is missing; each entry says whether it is a credit or a debit."),
        _ => throw new StatementException(path + "/CdtDbtInd", "is neither CRDT nor DBIT."),
    };

    private static (decimal Amount, string Currency) Amount(XElement? amount, string path)
    {
        if (amount is null)
        {
            throw new StatementException(path, "is missing.");
        }

        if (!StatementValues.TryParseAmount(amount.Value, '.', null, out var value) || value < 0)
        {
            throw new StatementException(path, "is not an amount (digits with a '.' decimal point).");
        }

        var currency = StatementValues.Currency(amount.Attribute("Ccy")?.Value)
            ?? throw new StatementException(path + "/@Ccy", "is missing or not a three-letter currency code.");
        return (value, currency);
    }

    private static DateOnly Date(XElement? element, string path)
    {
        var text = Text(Child(element, "Dt")) ?? Text(Child(element, "DtTm"));
        if (text is null)
        {
            throw new StatementException(path, "is missing; each entry needs a booking or value date.");
        }

        return text.Length >= 10 && DateOnly.TryParseExact(text.AsSpan(0, 10), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new StatementException(path, "is not an ISO date (YYYY-MM-DD).");
    }

    private static XElement? Child(XElement? parent, string localName) => parent?.Elements().FirstOrDefault(e => e.Name.LocalName == localName);

    private static IEnumerable<XElement> Children(XElement? parent, string localName) => parent?.Elements().Where(e => e.Name.LocalName == localName) ?? [];

    private static string? Text(XElement? element) => element is null || string.IsNullOrWhiteSpace(element.Value) ? null : element.Value.Trim();
}
