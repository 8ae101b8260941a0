using CsCheck;
using Symbolon.Contracts.Statements;
using Symbolon.Core.Statements;
using Symbolon.Core.Tests.Infrastructure;
using Symbolon.Core.Vaults;
using static Symbolon.Core.Tests.Statements.StatementSamples;

namespace Symbolon.Core.Tests.Statements;

/// <summary>
/// Whatever bytes arrive, an import through the whole pipeline (reading, dedupe, sealing, one transaction) either
/// refuses the file and stores nothing, or stores every transaction the file holds: never a part of it. Each import
/// has a bounded time.
/// </summary>
public class ImportPropertyTests
{
    private static readonly string[] CamtTokens = ["<Ntry>", "</Ntry>", "<Amt Ccy=\"EUR\">1.00</Amt>", "<CdtDbtInd>DBIT</CdtDbtInd>", "<TxDtls>", "</TxDtls>", "<", "<a>", "</a>"];

    [Fact]
    public Task Any_csv_file_is_imported_whole_or_not_at_all() =>
        WholeOrNothingAsync(ReaderPropertyTests.Inputs(UsCardCsv, ReaderPropertyTests.CsvTokens), StatementFormats.Csv, UsCardMapping, bytes => CsvStatementReader.Read(bytes, UsCardMapping));

    [Fact]
    public Task Any_ofx_file_is_imported_whole_or_not_at_all() =>
        WholeOrNothingAsync(Gen.OneOf(ReaderPropertyTests.Inputs(Ofx1, ReaderPropertyTests.OfxTokens), ReaderPropertyTests.Inputs(Ofx2, ReaderPropertyTests.OfxTokens)), StatementFormats.Ofx, null, bytes => OfxStatementReader.Read(bytes));

    [Fact]
    public Task Any_camt_file_is_imported_whole_or_not_at_all() =>
        WholeOrNothingAsync(ReaderPropertyTests.Inputs(Camt053, CamtTokens), StatementFormats.Camt, null, bytes => CamtStatementReader.Read(bytes));

    private static async Task WholeOrNothingAsync(Gen<byte[]> inputs, string format, CsvMapping? mapping, Func<byte[], ParsedStatement> read)
    {
        await using var vault = await TestVault.CreateAsync();

        // Note: never closed: closing a session zeroes its keys, which the test vault shares.
        var session = new VaultSession(vault.Keys, vault.Store.Time.GetUtcNow());
        await inputs.SampleAsync(async bytes =>
        {
            using var store = vault.Store.Open();
            var importer = store.Get<StatementImporter>();
            var before = (await importer.HistoryAsync(vault.Keys)).Count;
            var rowsBefore = (await importer.ProjectionAsync(session)).Count;

            // What the reader alone makes of the file says what the import must do.
            ParsedStatement? expected;
            try
            {
                expected = read(bytes);
            }
            catch (Exception e) when (e is StatementException or UnknownStatementFormatException)
            {
                expected = null;
            }

            vault.Store.Time.Advance(TimeSpan.FromSeconds(1));
            var import = importer.ImportAsync(session, bytes, new ImportRequest(format, mapping));
            ImportSummary? summary;
            try
            {
                // A generous bound: this catches hangs, not slowness.
                summary = await import.WaitAsync(TimeSpan.FromSeconds(20));
            }
            catch (Exception e) when (e is StatementException or UnknownStatementFormatException)
            {
                summary = null;
            }

            var after = (await importer.HistoryAsync(vault.Keys)).Count;
            var rowsAfter = (await importer.ProjectionAsync(session)).Count;
            if (summary is null)
            {
                Assert.Null(expected);
                Assert.Equal((before, rowsBefore), (after, rowsAfter));
            }
            else
            {
                Assert.NotNull(expected);
                Assert.Equal(expected.Lines.Count, summary.Parsed);
                Assert.Equal(summary.Parsed, summary.Added + summary.DuplicatesSkipped);
                Assert.Equal((before + 1, rowsBefore + summary.Added), (after, rowsAfter));
            }
        }, iter: 120, threads: 1);
    }
}
