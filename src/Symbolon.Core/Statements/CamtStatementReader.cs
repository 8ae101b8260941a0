using System.Globalization;
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
    public static bool LooksLikeCamt(ReadOnlySpan<byte> head)
    {
        var text = System.Text.Encoding.UTF8.GetString(head[..Math.Min(head.Length, 4096)]);
        return text.Contains("camt.053", StringComparison.Ordinal) || text.Contains("camt.052", StringComparison.Ordinal);
    }

    public static ParsedStatement Read(ReadOnlyMemory<byte> file, IProgress<ImportProgress>? progress = null, CancellationToken ct = default)
    {
        XDocument document;
        try
        {
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreComments = true, MaxCharactersInDocument = 512L * 1024 * 1024 };
            using var stream = new MemoryStream(file.ToArray(), writable: false);
            using var reader = XmlReader.Create(stream, settings);
            document = XDocument.Load(reader, LoadOptions.SetLineInfo);
        }
        catch (XmlException e)
        {
            throw new StatementException($"line {e.LineNumber}", "the file is not well-formed XML (truncated or broken).");
        }

        var root = document.Root!;
        var ns = root.Name.NamespaceName;
        if (root.Name.LocalName != "Document" || !(ns.Contains("camt.053", StringComparison.Ordinal) || ns.Contains("camt.052", StringComparison.Ordinal)))
        {
            throw new UnknownStatementFormatException("The file is XML but not a camt.053 or camt.052 document.");
        }

        var message = root.Elements().FirstOrDefault(e => e.Name.LocalName is "BkToCstmrStmt" or "BkToCstmrAcctRpt")
            ?? throw new StatementException("Document", "BkToCstmrStmt or BkToCstmrAcctRpt is missing.");
        var lines = new List<StatementLine>();
        var reports = Children(message, message.Name.LocalName == "BkToCstmrStmt" ? "Stmt" : "Rpt").ToList();
        if (reports.Count == 0)
        {
            throw new StatementException(PathOf(message), "the document holds no statement or report.");
        }

        foreach (var report in reports)
        {
            var account = Child(report, "Acct");
            var accountId = Text(Child(Child(account, "Id"), "IBAN")) ?? Text(Child(Child(Child(account, "Id"), "Othr"), "Id"));
            if (string.IsNullOrWhiteSpace(accountId))
            {
                throw new StatementException(PathOf(report) + "/Acct/Id", "the account (IBAN or Othr/Id) is missing.");
            }

            var seen = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in Children(report, "Ntry"))
            {
                ct.ThrowIfCancellationRequested();
                ReadEntry(entry, StatementValues.CleanText(accountId), seen, lines);
                if (progress is not null && lines.Count % 16_384 == 0)
                {
                    progress.Report(new ImportProgress("parse", lines.Count, file.Length, file.Length));
                }
            }
        }

        return new ParsedStatement(StatementFormats.Camt, lines);
    }

    private static void ReadEntry(XElement entry, string account, Dictionary<string, string> seen, List<StatementLine> lines)
    {
        var path = PathOf(entry);
        var (amount, currency) = Amount(Child(entry, "Amt"), path + "/Amt");
        var sign = Sign(entry, path);
        var dateElement = Child(entry, "BookgDt") ?? Child(entry, "ValDt");
        var date = Date(dateElement, path + "/BookgDt");
        var entryReference = Text(Child(entry, "AcctSvcrRef"));
        var entryInfo = Text(Child(entry, "AddtlNtryInf"));
        var details = Children(entry, "NtryDtls").SelectMany(d => Children(d, "TxDtls")).ToList();

        // Note: a batch is split only when every TxDtls has its own amount; otherwise the entry is one transaction
        // whose text comes from its details, so no money is lost or counted twice.
        var split = details.Count > 1 && details.All(d => TxAmount(d) is not null);
        if (split)
        {
            var total = 0m;
            for (var i = 0; i < details.Count; i++)
            {
                var tx = details[i];
                var txPath = PathOf(tx);
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

            return;
        }

        var single = details.Count == 1 ? details[0] : null;
        Add(single, path, sign * amount, currency, entryReference ?? (single is null ? null : TxReference(single)));

        void Add(XElement? tx, string where, decimal value, string ccy, string? reference)
        {
            if (reference is not null && !seen.TryAdd(reference, where))
            {
                throw new StatementException(where, $"its bank reference repeats the one of {seen[reference]}; a statement lists each transaction once.");
            }

            var debit = value < 0;
            var parties = tx is null ? null : Child(tx, "RltdPties");
            var counterparty = Name(Child(parties, debit ? "Cdtr" : "Dbtr")) ?? Name(Child(parties, debit ? "UltmtCdtr" : "UltmtDbtr"));
            var remittance = tx is null ? null : string.Join(" ", Children(Child(tx, "RmtInf"), "Ustrd").Select(u => u.Value));
            var additional = tx is null ? null : Text(Child(tx, "AddtlTxInf"));
            var description = StatementValues.CleanText(new[] { remittance, additional, entryInfo }.FirstOrDefault(t => !string.IsNullOrWhiteSpace(t)) ?? counterparty);
            var merchant = StatementValues.CleanText(counterparty);
            lines.Add(new StatementLine
            {
                Account = account,
                Date = date,
                Amount = value,
                Currency = ccy,
                Description = description,
                Merchant = merchant.Length > 0 ? merchant : null,
                Reference = reference is null ? null : StatementValues.CleanText(reference),
                Position = where,
            });
        }
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

    /// <summary>An element's path with 1-based positions among same-named siblings, for example <c>Document/BkToCstmrStmt/Stmt[1]/Ntry[3]</c>.</summary>
    internal static string PathOf(XElement element)
    {
        var parts = new Stack<string>();
        for (var e = element; e is not null; e = e.Parent)
        {
            var name = e.Name.LocalName;
            if (e.Parent is not null && name is "Stmt" or "Rpt" or "Ntry" or "TxDtls" or "NtryDtls")
            {
                var index = e.ElementsBeforeSelf().Count(s => s.Name.LocalName == name) + 1;
                name = $"{name}[{index}]";
            }

            parts.Push(name);
        }

        return string.Join('/', parts);
    }
}
