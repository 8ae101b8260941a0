using System.Text;
using Symbolon.Contracts.Statements;

namespace Symbolon.Core.Tests.Statements;

/// <summary>Realistic statements, as banks export them, with the values the tests check.</summary>
internal static class StatementSamples
{
    static StatementSamples() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>A US card export: MM/dd/yyyy, signed amounts with a point, quoted descriptions with commas.</summary>
    public const string UsCardCsv = """
        Transaction Date,Post Date,Description,Category,Type,Amount,Memo
        01/15/2025,01/16/2025,"STARBUCKS STORE 1234, SEATTLE",Food & Drink,Sale,-5.75,
        01/15/2025,01/16/2025,WHOLE FOODS MARKET #101,Groceries,Sale,-84.12,
        01/17/2025,01/18/2025,NETFLIX.COM,Entertainment,Sale,-15.49,
        01/20/2025,01/20/2025,Payment Thank You-Mobile,,Payment,"1,250.00",
        01/22/2025,01/23/2025,LATE FEE,Fees & Adjustments,Fee,-39.00,
        """;

    public static readonly CsvMapping UsCardMapping = new(Date: "Transaction Date", Amount: "Amount", Description: "Description", DateFormat: "MM/dd/yyyy", ThousandsSeparator: ",", DefaultCurrency: "USD", Account: "Chase Freedom");

    /// <summary>A German giro export: semicolons, dd.MM.yyyy, 1.234,56, Windows-1252 umlauts.</summary>
    public const string GermanGiroCsv = """
        Buchungstag;Valutadatum;Beguenstigter/Zahlungspflichtiger;Verwendungszweck;Betrag;Waehrung
        02.01.2025;02.01.2025;REWE Markt GmbH;REWE SAGT DANKE 4711;-23,47;EUR
        03.01.2025;03.01.2025;Bäckerei Müller;Kartenzahlung girocard;-4,20;EUR
        31.01.2025;31.01.2025;ACME Software GmbH;Gehalt Januar 2025;3.456,78;EUR
        31.01.2025;31.01.2025;Sparkasse;Kontoführungsentgelt;-6,90;EUR
        """;

    public static readonly CsvMapping GermanGiroMapping = new(
        Date: "Buchungstag", Amount: "Betrag", Description: "Verwendungszweck", Merchant: "Beguenstigter/Zahlungspflichtiger", Currency: "Waehrung",
        DateFormat: "dd.MM.yyyy", DecimalSeparator: ",", ThousandsSeparator: ".", Delimiter: ";", Encoding: "windows-1252", Account: "DE-Giro");

    /// <summary>A UK current account: dd/MM/yyyy, separate paid-out and paid-in columns, a running balance.</summary>
    public const string UkCurrentCsv = """
        Date,Description,Paid out,Paid in,Balance
        05/03/2025,COSTA COFFEE LONDON,3.10,,"1,996.90"
        05/03/2025,TFL TRAVEL CH,2.80,,"1,994.10"
        06/03/2025,SALARY ACME LTD,,"2,500.00","4,494.10"
        07/03/2025,TESCO STORES 2231,"1,045.67",,"3,448.43"
        """;

    public static readonly CsvMapping UkCurrentMapping = new(
        Date: "Date", Debit: "Paid out", Credit: "Paid in", Description: "Description", Balance: "Balance",
        DateFormat: "dd/MM/yyyy", ThousandsSeparator: ",", DefaultCurrency: "GBP", Account: "UK current");

    public const string Ofx1 = """
        OFXHEADER:100
        DATA:OFXSGML
        VERSION:102
        SECURITY:NONE
        ENCODING:USASCII
        CHARSET:1252
        COMPRESSION:NONE
        OLDFILEUID:NONE
        NEWFILEUID:NONE

        <OFX>
        <SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS><DTSERVER>20250210120000[-5:EST]<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>
        <BANKMSGSRSV1>
        <STMTTRNRS>
        <TRNUID>1
        <STATUS><CODE>0<SEVERITY>INFO</STATUS>
        <STMTRS>
        <CURDEF>USD
        <BANKACCTFROM><BANKID>121000248<ACCTID>4455667788<ACCTTYPE>CHECKING</BANKACCTFROM>
        <BANKTRANLIST>
        <DTSTART>20250201<DTEND>20250210
        <STMTTRN>
        <TRNTYPE>DEBIT
        <DTPOSTED>20250203120000[-5:EST]
        <TRNAMT>-4.50
        <FITID>2025020301
        <NAME>BLUE BOTTLE COFFEE
        <MEMO>POS PURCHASE
        </STMTTRN>
        <STMTTRN>
        <TRNTYPE>DEBIT
        <DTPOSTED>20250205
        <TRNAMT>-62.30
        <FITID>2025020502
        <NAME>SAFEWAY #1234
        </STMTTRN>
        <STMTTRN>
        <TRNTYPE>SRVCHG
        <DTPOSTED>20250209
        <TRNAMT>-12.00
        <FITID>2025020903
        <NAME>MONTHLY SERVICE FEE
        </STMTTRN>
        </BANKTRANLIST>
        <LEDGERBAL><BALAMT>1523.20<DTASOF>20250210</LEDGERBAL>
        </STMTRS>
        </STMTTRNRS>
        </BANKMSGSRSV1>
        </OFX>
        """;

    public const string Ofx2 = """
        <?xml version="1.0" encoding="UTF-8" standalone="no"?>
        <?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>
        <OFX>
          <CREDITCARDMSGSRSV1>
            <CCSTMTTRNRS>
              <TRNUID>0</TRNUID>
              <STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>
              <CCSTMTRS>
                <CURDEF>EUR</CURDEF>
                <CCACCTFROM><ACCTID>5100XXXXXXXX1234</ACCTID></CCACCTFROM>
                <BANKTRANLIST>
                  <DTSTART>20250301</DTSTART><DTEND>20250331</DTEND>
                  <STMTTRN><TRNTYPE>DEBIT</TRNTYPE><DTPOSTED>20250304</DTPOSTED><TRNAMT>-3.80</TRNAMT><FITID>CC-0001</FITID><NAME>Espresso House &amp; Co</NAME></STMTTRN>
                  <STMTTRN><TRNTYPE>DEBIT</TRNTYPE><DTPOSTED>20250310</DTPOSTED><TRNAMT>-9.99</TRNAMT><FITID>CC-0002</FITID><NAME>SPOTIFY</NAME><MEMO>Premium</MEMO></STMTTRN>
                  <STMTTRN><TRNTYPE>CREDIT</TRNTYPE><DTPOSTED>20250315</DTPOSTED><TRNAMT>50.00</TRNAMT><FITID>CC-0003</FITID><NAME>REFUND</NAME></STMTTRN>
                </BANKTRANLIST>
              </CCSTMTRS>
            </CCSTMTTRNRS>
          </CREDITCARDMSGSRSV1>
        </OFX>
        """;

    /// <summary>camt.053.001.02 with a batched entry (three TxDtls, amounts given) and two plain entries.</summary>
    public const string Camt053 = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
          <BkToCstmrStmt>
            <GrpHdr><MsgId>STMT-2025-04</MsgId><CreDtTm>2025-04-30T20:00:00</CreDtTm></GrpHdr>
            <Stmt>
              <Id>2025-04</Id>
              <Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>
              <Ntry>
                <Amt Ccy="EUR">42.50</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
                <BookgDt><Dt>2025-04-02</Dt></BookgDt><ValDt><Dt>2025-04-02</Dt></ValDt>
                <AcctSvcrRef>REF-0001</AcctSvcrRef>
                <NtryDtls><TxDtls>
                  <Refs><EndToEndId>E2E-A</EndToEndId></Refs>
                  <RltdPties><Cdtr><Nm>Stadtwerke Nord</Nm></Cdtr></RltdPties>
                  <RmtInf><Ustrd>Abschlag Strom April</Ustrd></RmtInf>
                </TxDtls></NtryDtls>
              </Ntry>
              <Ntry>
                <Amt Ccy="EUR">150.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
                <BookgDt><Dt>2025-04-05</Dt></BookgDt>
                <AcctSvcrRef>REF-0002</AcctSvcrRef>
                <NtryDtls>
                  <Btch><NbOfTxs>3</NbOfTxs></Btch>
                  <TxDtls><Refs><EndToEndId>B-1</EndToEndId></Refs><AmtDtls><TxAmt><Amt Ccy="EUR">100.00</Amt></TxAmt></AmtDtls><RltdPties><Cdtr><Nm>Landlord Schmidt</Nm></Cdtr></RltdPties><RmtInf><Ustrd>Miete Garage</Ustrd></RmtInf></TxDtls>
                  <TxDtls><Refs><EndToEndId>B-2</EndToEndId></Refs><AmtDtls><TxAmt><Amt Ccy="EUR">30.00</Amt></TxAmt></AmtDtls><RltdPties><Cdtr><Nm>Fitness First</Nm></Cdtr></RltdPties><RmtInf><Ustrd>Beitrag April</Ustrd></RmtInf></TxDtls>
                  <TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs><AmtDtls><TxAmt><Amt Ccy="EUR">20.00</Amt></TxAmt></AmtDtls><RltdPties><Cdtr><Nm>Kaffeerösterei Hansa</Nm></Cdtr></RltdPties><RmtInf><Ustrd>Kaffee Abo</Ustrd></RmtInf></TxDtls>
                </NtryDtls>
              </Ntry>
              <Ntry>
                <Amt Ccy="EUR">2800.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
                <BookgDt><Dt>2025-04-28</Dt></BookgDt>
                <AcctSvcrRef>REF-0003</AcctSvcrRef>
                <NtryDtls><TxDtls><RltdPties><Dbtr><Nm>ACME GmbH</Nm></Dbtr></RltdPties><RmtInf><Ustrd>Gehalt April</Ustrd></RmtInf></TxDtls></NtryDtls>
              </Ntry>
            </Stmt>
          </BkToCstmrStmt>
        </Document>
        """;

    /// <summary>camt.052.001.08: a report, status as a code, party names under Pty, DtTm dates, no entry reference.</summary>
    public const string Camt052 = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.08">
          <BkToCstmrAcctRpt>
            <GrpHdr><MsgId>RPT-1</MsgId><CreDtTm>2025-05-06T10:00:00</CreDtTm></GrpHdr>
            <Rpt>
              <Id>RPT-1</Id>
              <Acct><Id><Othr><Id>0012345678</Id></Othr></Id></Acct>
              <Ntry>
                <Amt Ccy="CHF">6.40</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
                <BookgDt><DtTm>2025-05-06T08:15:00</DtTm></BookgDt>
                <NtryDtls><TxDtls>
                  <Refs><AcctSvcrRef>TX-77</AcctSvcrRef></Refs>
                  <RltdPties><Cdtr><Pty><Nm>Migros Zürich HB</Nm></Pty></Cdtr></RltdPties>
                  <AddtlTxInf>Debit card purchase</AddtlTxInf>
                </TxDtls></NtryDtls>
              </Ntry>
            </Rpt>
          </BkToCstmrAcctRpt>
        </Document>
        """;

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text.ReplaceLineEndings("\n"));

    public static byte[] Windows1252(string text) => Encoding.GetEncoding(1252).GetBytes(text.ReplaceLineEndings("\r\n"));
}
