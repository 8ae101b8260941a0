using System.Text;
using Symbolon.Contracts.Statements;
using Symbolon.Core.Statements;
using static Symbolon.Core.Tests.Statements.StatementSamples;

namespace Symbolon.Core.Tests.Statements;

public class StatementReaderTests
{
    [Fact]
    public void A_US_card_export_reads_with_signed_amounts_and_quoted_commas()
    {
        var lines = CsvStatementReader.Read(Utf8(UsCardCsv), UsCardMapping).Lines;

        Assert.Equal(
            [
                (new DateOnly(2025, 1, 15), -5.75m, "STARBUCKS STORE 1234, SEATTLE", "USD", "Chase Freedom"),
                (new DateOnly(2025, 1, 15), -84.12m, "WHOLE FOODS MARKET #101", "USD", "Chase Freedom"),
                (new DateOnly(2025, 1, 17), -15.49m, "NETFLIX.COM", "USD", "Chase Freedom"),
                (new DateOnly(2025, 1, 20), 1250.00m, "Payment Thank You-Mobile", "USD", "Chase Freedom"),
                (new DateOnly(2025, 1, 22), -39.00m, "LATE FEE", "USD", "Chase Freedom"),
            ],
            lines.Select(l => (l.Date, l.Amount, l.Description, l.Currency, l.Account)));
    }

    [Fact]
    public void A_German_export_in_Windows_1252_reads_comma_decimals_thousands_points_and_umlauts()
    {
        var lines = CsvStatementReader.Read(Windows1252(GermanGiroCsv), GermanGiroMapping).Lines;

        Assert.Equal([-23.47m, -4.20m, 3456.78m, -6.90m], lines.Select(l => l.Amount));
        Assert.Equal("Bäckerei Müller", lines[1].Merchant);
        Assert.Equal(new DateOnly(2025, 1, 31), lines[2].Date);

        // Auto-detection finds Windows-1252 too: the file is not valid UTF-8.
        var auto = CsvStatementReader.Read(Windows1252(GermanGiroCsv), GermanGiroMapping with { Encoding = "auto" }).Lines;
        Assert.Equal("Bäckerei Müller", auto[1].Merchant);
    }

    [Fact]
    public void Debit_and_credit_columns_become_signed_amounts_with_the_balance_kept()
    {
        var lines = CsvStatementReader.Read(Utf8(UkCurrentCsv), UkCurrentMapping).Lines;

        Assert.Equal([-3.10m, -2.80m, 2500.00m, -1045.67m], lines.Select(l => l.Amount));
        Assert.Equal([1996.90m, 1994.10m, 4494.10m, 3448.43m], lines.Select(l => l.Balance!.Value));
        Assert.All(lines, l => Assert.Equal("GBP", l.Currency));
    }

    [Theory]
    [InlineData(UsCardCsv, "Transaction Date", "Amount", "Description", "MM/dd/yyyy", ".", ",")]
    [InlineData(GermanGiroCsv, "Buchungstag", "Betrag", "Verwendungszweck", "dd.MM.yyyy", ",", ";")]
    [InlineData(UkCurrentCsv, "Date", null, "Description", "dd/MM/yyyy", ".", ",")]
    public void The_suggested_mapping_recognises_each_bank_from_its_headers(string csv, string date, string? amount, string description, string dateFormat, string decimalSeparator, string delimiter)
    {
        var preview = CsvStatementReader.Preview(Utf8(csv));

        Assert.Equal((date, amount, description, dateFormat, decimalSeparator, delimiter),
            (preview.Suggested.Date, preview.Suggested.Amount, preview.Suggested.Description, preview.Suggested.DateFormat, preview.Suggested.DecimalSeparator, preview.Suggested.Delimiter));
        Assert.True(preview.Rows.Count >= 4);
        if (amount is null)
        {
            Assert.Equal(("Paid out", "Paid in", "Balance"), (preview.Suggested.Debit, preview.Suggested.Credit, preview.Suggested.Balance));
        }

        // The suggestion imports as it is.
        Assert.NotEmpty(CsvStatementReader.Read(Utf8(csv), preview.Suggested).Lines);
    }

    [Fact]
    public void OFX_1_SGML_with_unclosed_leaf_elements_reads_every_transaction()
    {
        var statement = OfxStatementReader.Read(Utf8(Ofx1));

        Assert.Equal(
            [
                ("4455667788", new DateOnly(2025, 2, 3), -4.50m, "2025020301", "BLUE BOTTLE COFFEE POS PURCHASE", "BLUE BOTTLE COFFEE", "USD"),
                ("4455667788", new DateOnly(2025, 2, 5), -62.30m, "2025020502", "SAFEWAY #1234", "SAFEWAY #1234", "USD"),
                ("4455667788", new DateOnly(2025, 2, 9), -12.00m, "2025020903", "MONTHLY SERVICE FEE", "MONTHLY SERVICE FEE", "USD"),
            ],
            statement.Lines.Select(l => (l.Account, l.Date, l.Amount, l.Reference!, l.Description, l.Merchant!, l.Currency)));
    }

    [Fact]
    public void OFX_2_XML_credit_card_statement_reads_with_entities_decoded()
    {
        var lines = OfxStatementReader.Read(Utf8(Ofx2)).Lines;

        Assert.Equal(["Espresso House & Co", "SPOTIFY Premium", "REFUND"], lines.Select(l => l.Description));
        Assert.Equal([-3.80m, -9.99m, 50.00m], lines.Select(l => l.Amount));
        Assert.All(lines, l => Assert.Equal(("5100XXXXXXXX1234", "EUR"), (l.Account, l.Currency)));
    }

    [Fact]
    public void A_camt_053_batched_entry_becomes_one_transaction_per_TxDtls()
    {
        var lines = CamtStatementReader.Read(Utf8(Camt053)).Lines;

        Assert.Equal(
            [
                (new DateOnly(2025, 4, 2), -42.50m, "Abschlag Strom April", "Stadtwerke Nord", "REF-0001"),
                (new DateOnly(2025, 4, 5), -100.00m, "Miete Garage", "Landlord Schmidt", "B-1"),
                (new DateOnly(2025, 4, 5), -30.00m, "Beitrag April", "Fitness First", "B-2"),
                (new DateOnly(2025, 4, 5), -20.00m, "Kaffee Abo", "Kaffeerösterei Hansa", "REF-0002#3"),
                (new DateOnly(2025, 4, 28), 2800.00m, "Gehalt April", "ACME GmbH", "REF-0003"),
            ],
            lines.Select(l => (l.Date, l.Amount, l.Description, l.Merchant!, l.Reference!)));
        Assert.All(lines, l => Assert.Equal(("DE89370400440532013000", "EUR"), (l.Account, l.Currency)));
    }

    [Fact]
    public void A_camt_053_structured_creditor_reference_is_part_of_the_description()
    {
        var camt = Camt053
            .Replace("<RmtInf><Ustrd>Abschlag Strom April</Ustrd></RmtInf>",
                "<RmtInf><Ustrd>Abschlag Strom April</Ustrd><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>RF18539007547034</Ref></CdtrRefInf></Strd></RmtInf>", StringComparison.Ordinal)
            .Replace("<RmtInf><Ustrd>Gehalt April</Ustrd></RmtInf>",
                "<RmtInf><Strd><CdtrRefInf><Ref>RF712348231</Ref></CdtrRefInf></Strd></RmtInf>", StringComparison.Ordinal);

        var lines = CamtStatementReader.Read(Utf8(camt)).Lines;

        Assert.Equal("Abschlag Strom April RF18539007547034", lines[0].Description);
        Assert.Equal("RF712348231", lines[^1].Description);
    }

    [Fact]
    public void A_camt_052_version_8_report_reads_names_under_Pty_and_DtTm_dates()
    {
        var line = Assert.Single(CamtStatementReader.Read(Utf8(Camt052)).Lines);

        Assert.Equal(("0012345678", new DateOnly(2025, 5, 6), -6.40m, "CHF", "Debit card purchase", "Migros Zürich HB", "TX-77"),
            (line.Account, line.Date, line.Amount, line.Currency, line.Description, line.Merchant, line.Reference));
    }

    [Fact]
    public void Formats_are_recognised_from_the_content()
    {
        Assert.Equal(
            [StatementFormats.Ofx, StatementFormats.Ofx, StatementFormats.Camt, StatementFormats.Camt, StatementFormats.Csv],
            new[] { Ofx1, Ofx2, Camt053, Camt052, UsCardCsv }.Select(s => StatementImporter.Detect(Utf8(s))));
    }

    public static TheoryData<string, string, string> BrokenFiles() => new()
    {
        // name, file, expected message
        { "csv-wrong-date", UsCardCsv.Replace("01/17/2025", "2025-01-17", StringComparison.Ordinal), "line 4: column 'Transaction Date' is not a date in the format MM/dd/yyyy." },
        { "csv-wrong-amount", UsCardCsv.Replace("-15.49", "-15.4x9", StringComparison.Ordinal), "line 4: column 'Amount' is not an amount with '.' as decimal separator." },
        { "csv-missing-field", UsCardCsv.Replace("01/22/2025,01/23/2025,LATE FEE,Fees & Adjustments,Fee,-39.00,", "01/22/2025,01/23/2025,LATE FEE", StringComparison.Ordinal), "line 6: the row has 3 fields; column 'Amount' is field 6." },
        { "csv-unclosed-quote", UsCardCsv.Replace("\"STARBUCKS STORE 1234, SEATTLE\"", "\"STARBUCKS STORE 1234, SEATTLE", StringComparison.Ordinal), "quote" },
        { "csv-unknown-column", UsCardCsv.Replace("Transaction Date", "Trans Date", StringComparison.Ordinal), "line 1: the date column 'Transaction Date' is not in the file's header row." },
        { "ofx-truncated", Ofx1[..Ofx1.IndexOf("<NAME>SAFEWAY", StringComparison.Ordinal)], "(truncated)" },
        { "ofx-duplicate-fitid", Ofx1.Replace("2025020502", "2025020301", StringComparison.Ordinal), "line 30 (STMTTRN): FITID repeats the id of the transaction at line 22" },
        { "ofx-wrong-date", Ofx1.Replace("<DTPOSTED>20250205", "<DTPOSTED>2025-02-05", StringComparison.Ordinal), "line 30 (STMTTRN): DTPOSTED is not a date" },
        { "ofx2-truncated", Ofx2[..^40], "not well-formed XML" },
        { "ofx-no-statement", "OFXHEADER:100\n\n<OFX><SIGNONMSGSRSV1></SIGNONMSGSRSV1></OFX>", "no bank or credit-card statement" },
        { "camt-truncated", Camt053[..(Camt053.Length / 2)], "not well-formed XML" },
        { "camt-wrong-date", Camt053.Replace("<Dt>2025-04-05</Dt>", "<Dt>05.04.2025</Dt>", StringComparison.Ordinal), "Document/BkToCstmrStmt/Stmt[1]/Ntry[2]/BookgDt: is not an ISO date" },
        { "camt-batch-sum", Camt053.Replace(">30.00<", ">31.00<", StringComparison.Ordinal), "Ntry[2]/NtryDtls: the amounts of its TxDtls do not add up" },
        { "camt-duplicate-ref", Camt053.Replace("REF-0003", "REF-0001", StringComparison.Ordinal), "Ntry[3]: its bank reference repeats the one of Document/BkToCstmrStmt/Stmt[1]/Ntry[1]" },
        { "camt-no-direction", Camt053.Replace("<CdtDbtInd>CRDT</CdtDbtInd>", "", StringComparison.Ordinal), "Ntry[3]/CdtDbtInd: is missing" },
    };

    [Theory]
    [MemberData(nameof(BrokenFiles))]
    public void A_broken_file_is_refused_with_where_and_what(string name, string file, string expected)
    {
        var mapping = name.StartsWith("csv", StringComparison.Ordinal) ? UsCardMapping : null;
        var e = Assert.Throws<StatementException>(() => Parse(Utf8(file), mapping));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_declared_UTF_8_that_is_not_is_refused_naming_the_line()
    {
        var e = Assert.Throws<StatementException>(() => CsvStatementReader.Read(Windows1252(GermanGiroCsv), GermanGiroMapping with { Encoding = "utf-8" }));

        Assert.Equal("line 3: the file is not valid UTF-8; choose Windows-1252 or ISO-8859-1 as its encoding.", e.Message);
    }

    [Fact]
    public void Errors_name_the_line_and_column_but_never_the_value()
    {
        var csv = UsCardCsv.Replace("-84.12", "SECRET-VALUE-42", StringComparison.Ordinal);
        var e = Assert.Throws<StatementException>(() => CsvStatementReader.Read(Utf8(csv), UsCardMapping));

        Assert.Equal("line 3: column 'Amount' is not an amount with '.' as decimal separator.", e.Message);
        Assert.DoesNotContain("SECRET", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_rules_set_categories()
    {
        var lines = CsvStatementReader.Read(Utf8(UsCardCsv), UsCardMapping).Lines;
        CategoryRules.Default().Apply(lines);

        Assert.Equal(["coffee", "groceries", "subscriptions", "uncategorized", "fees"], lines.Select(l => l.Category));
    }

    private static ParsedStatement Parse(byte[] file, CsvMapping? mapping) => StatementImporter.Detect(file) switch
    {
        StatementFormats.Ofx => OfxStatementReader.Read(file),
        StatementFormats.Camt => CamtStatementReader.Read(file),
        _ => CsvStatementReader.Read(file, mapping ?? UsCardMapping),
    };

    internal static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);
}
