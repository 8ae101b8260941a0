using CsCheck;
using Symbolon.Core.Statements;
using static Symbolon.Core.Tests.Statements.StatementSamples;

namespace Symbolon.Core.Tests.Statements;

/// <summary>Whatever bytes arrive, the readers either read a statement or explain where it is broken; they never crash or hang.</summary>
public class ReaderPropertyTests
{
    internal static readonly string[] OfxTokens =
        ["<OFX>", "</OFX>", "<STMTRS>", "</STMTRS>", "<CCSTMTRS>", "<BANKTRANLIST>", "</BANKTRANLIST>", "<STMTTRN>", "</STMTTRN>", "<CURDEF>EUR", "<BANKACCTFROM><ACCTID>1</BANKACCTFROM>",
         "<DTPOSTED>20250101", "<DTPOSTED>2025", "<TRNAMT>-1.00", "<TRNAMT>x", "<FITID>1", "<NAME>A&amp;B", "<", ">", "</", "\n", " ", "OFXHEADER:100\n", "<?xml version=\"1.0\"?>", "<!-- c -->"];

    internal static readonly string[] CsvTokens = [",", ";", "\"", "\"\"", "\n", "\r\n", "01/15/2025", "-5.75", "1,234.56", "x", "Amount", "Transaction Date", "Description", " ", "\t", "\u00e9"];

    /// <summary>Random bytes, random token soups and random byte edits of a valid sample.</summary>
    internal static Gen<byte[]> Inputs(string sample, string[] tokens) => Gen.OneOf(
        Gen.Byte.Array[0, 600],
        Gen.OneOf(tokens).Array[0, 80].Select(parts => Utf8(string.Concat(parts))),
        Gen.Select(Gen.Int[0, 12], Gen.Int, Gen.Byte).Array[1, 12].Select(edits =>
        {
            var bytes = Utf8(sample).ToList();
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
        Gen.Int[0, 4000].Select(cut => Utf8(sample)[..Math.Min(cut, Utf8(sample).Length)]));

    [Fact]
    public void The_CSV_reader_reads_or_explains_any_input() =>
        Inputs(UsCardCsv, CsvTokens).Sample(bytes => ReadsOrExplains(() => CsvStatementReader.Read(bytes, UsCardMapping)), iter: 1500);

    [Fact]
    public void The_CSV_preview_reads_or_explains_any_input() =>
        Inputs(GermanGiroCsv, CsvTokens).Sample(bytes => ReadsOrExplains(() => CsvStatementReader.Preview(bytes)), iter: 1000);

    [Fact]
    public void The_OFX_reader_reads_or_explains_any_input()
    {
        Inputs(Ofx1, OfxTokens).Sample(bytes => ReadsOrExplains(() => OfxStatementReader.Read(bytes)), iter: 1500);
        Inputs(Ofx2, OfxTokens).Sample(bytes => ReadsOrExplains(() => OfxStatementReader.Read(bytes)), iter: 1000);
    }

    [Fact]
    public void The_camt_reader_reads_or_explains_any_input() =>
        Inputs(Camt053, ["<Ntry>", "</Ntry>", "<Amt Ccy=\"EUR\">1.00</Amt>", "<CdtDbtInd>DBIT</CdtDbtInd>", "<"]).Sample(
            bytes => ReadsOrExplains(() => CamtStatementReader.Read(bytes)), iter: 800);

    private static void ReadsOrExplains(Func<object> read)
    {
        // A generous bound: this catches hangs (an endless loop on some input), not slowness.
        var task = Task.Run(() =>
        {
            try
            {
                var result = read();
                if (result is ParsedStatement statement)
                {
                    Assert.All(statement.Lines, l => Assert.False(string.IsNullOrEmpty(l.Account)));
                }
            }
            catch (StatementException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Position));
                Assert.False(string.IsNullOrWhiteSpace(e.Problem));
            }
            catch (UnknownStatementFormatException)
            {
            }
        });
        Assert.True(task.Wait(TimeSpan.FromSeconds(20)), "The reader did not finish.");
        task.GetAwaiter().GetResult();
    }
}
