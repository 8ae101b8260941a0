using System.Text;
using Symbolon.Core.Statements;
using static Symbolon.Core.Tests.Statements.StatementSamples;

namespace Symbolon.Core.Tests.Statements;

/// <summary>
/// The readers bound what a crafted file can make them do: nesting deeper than a statement's is refused as it is
/// read (nothing recurses on it), text split into thousands of pieces is bounded, and a batch entry with thousands
/// of details is read in one pass. The deepest files, which crashed the process, are sent to a server process of its
/// own in <c>HostileStatementTests</c>.
/// </summary>
public class HostileStatementReaderTests
{
    [Theory]
    [InlineData("ofx 2")]
    [InlineData("ofx 1")]
    [InlineData("camt entry")]
    [InlineData("camt statement")]
    [InlineData("camt document")]
    public void Nesting_deeper_than_any_statement_is_refused_as_such(string where)
    {
        var depth = 65;
        var nested = new StringBuilder().Insert(0, "<a>", depth).Insert(depth * 3, "</a>", depth).ToString();
        var file = where switch
        {
            "ofx 2" => Ofx2.Replace("<BANKTRANLIST>", "<BANKTRANLIST>" + nested.ToUpperInvariant(), StringComparison.Ordinal),
            "ofx 1" => Ofx1.Replace("<BANKTRANLIST>", "<BANKTRANLIST>" + nested.ToUpperInvariant(), StringComparison.Ordinal),
            "camt entry" => ReplaceFirst(Camt053, "<Ntry>", "<Ntry>" + nested),
            "camt statement" => ReplaceFirst(Camt053, "<Ntry>", nested + "<Ntry>"),
            _ => ReplaceFirst(Camt053, "<BkToCstmrStmt>", nested + "<BkToCstmrStmt>"),
        };

        var error = Assert.Throws<StatementException>(() => Read(where, Utf8(file)));

        Assert.Equal("elements are nested too deeply.", error.Problem);
        Assert.StartsWith("line ", error.Position, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_up_to_the_limit_is_still_read()
    {
        // 40 levels of an unknown aggregate inside the statement list: skipped, and the statement reads as before.
        var nested = new StringBuilder().Insert(0, "<X>", 40).Insert(120, "</X>", 40).ToString();
        var file = Ofx2.Replace("</BANKTRANLIST>", nested + "</BANKTRANLIST>", StringComparison.Ordinal);

        Assert.Equal(OfxStatementReader.Read(Utf8(Ofx2)).Lines.Count, OfxStatementReader.Read(Utf8(file)).Lines.Count);
        Assert.Equal(CamtStatementReader.Read(Utf8(Camt053)).Lines.Count, CamtStatementReader.Read(Utf8(ReplaceFirst(Camt053, "<Ntry>", nested.ToLowerInvariant() + "<Ntry>"))).Lines.Count);
    }

    [Fact]
    public void Ofx_text_split_into_many_cdata_sections_is_refused_before_joining_it_turns_quadratic()
    {
        var name = new StringBuilder().Insert(0, "x<![CDATA[y]]>", 40_000).ToString();
        var file = Ofx2.Replace("<NAME>", "<NAME>" + name, StringComparison.Ordinal);

        var error = Assert.Throws<StatementException>(() => OfxStatementReader.Read(Utf8(file)));

        Assert.Contains("more than 64 KiB of text", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_batch_entry_of_twenty_thousand_details_is_read_with_each_path_numbered()
    {
        const int count = 20_000;
        var details = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            details.Append("<TxDtls><Refs><EndToEndId>E").Append(i).Append("</EndToEndId></Refs><Amt Ccy=\"EUR\">1.00</Amt></TxDtls>");
        }

        var entry = $"""
            <Ntry><Amt Ccy="EUR">{count}.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2025-01-02</Dt></BookgDt><NtryDtls>{details}</NtryDtls></Ntry>
            """;
        var file = Camt053[..Camt053.IndexOf("<Ntry>", StringComparison.Ordinal)] + entry + Camt053[(Camt053.LastIndexOf("</Ntry>", StringComparison.Ordinal) + "</Ntry>".Length)..];

        var lines = CamtStatementReader.Read(Utf8(file)).Lines;
        Assert.Equal(count, lines.Count);

        // A repeated reference names both details by their numbered paths.
        var repeated = file.Replace("<EndToEndId>E19999<", "<EndToEndId>E3<", StringComparison.Ordinal);
        var error = Assert.Throws<StatementException>(() => CamtStatementReader.Read(Utf8(repeated)));
        Assert.EndsWith("/NtryDtls[1]/TxDtls[20000]", error.Position, StringComparison.Ordinal);
        Assert.Contains("NtryDtls[1]/TxDtls[4]", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cancelled_read_stops()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => OfxStatementReader.Read(Utf8(Ofx2), cancelled.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => OfxStatementReader.Read(Utf8(Ofx1), cancelled.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => CamtStatementReader.Read(Utf8(Camt053), cancelled.Token));
    }

    private static ParsedStatement Read(string where, byte[] file) => where.StartsWith("ofx", StringComparison.Ordinal)
        ? OfxStatementReader.Read(file)
        : CamtStatementReader.Read(file);

    private static string ReplaceFirst(string text, string find, string replacement)
    {
        var at = text.IndexOf(find, StringComparison.Ordinal);
        return text[..at] + replacement + text[(at + find.Length)..];
    }
}
