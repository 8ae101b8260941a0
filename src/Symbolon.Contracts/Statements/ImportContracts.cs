namespace Symbolon.Contracts.Statements;

/// <summary>The statement formats the importer reads.</summary>
public static class StatementFormats
{
    /// <summary>Comma- or semicolon-separated values, read through a <see cref="CsvMapping"/>.</summary>
    public const string Csv = "csv";

    /// <summary>OFX/QFX 1.x (SGML) and 2.x (XML) bank and credit-card statements.</summary>
    public const string Ofx = "ofx";

    /// <summary>ISO 20022 camt.053 (statement) and camt.052 (intraday report).</summary>
    public const string Camt = "camt";

    /// <summary>Every format, as accepted by the <c>format</c> hint.</summary>
    public static IReadOnlyList<string> All { get; } = [Csv, Ofx, Camt];
}

/// <summary>
/// How to read a bank's CSV export. Columns are named by their header text, or by their 1-based position
/// (<c>#3</c>) when the file has no header row. Either <see cref="Amount"/> or <see cref="Debit"/>/<see cref="Credit"/> is set.
/// </summary>
/// <param name="Date">The booking-date column.</param>
/// <param name="Amount">A signed amount column (negative for money going out).</param>
/// <param name="Debit">A column of money going out (its values are taken as outgoing whatever their sign).</param>
/// <param name="Credit">A column of money coming in.</param>
/// <param name="Description">The description (purpose, memo, booking text) column.</param>
/// <param name="Merchant">The payee, merchant or counterparty column.</param>
/// <param name="Currency">The currency column; when absent <see cref="DefaultCurrency"/> applies.</param>
/// <param name="Balance">The running balance column, kept with each transaction.</param>
/// <param name="Reference">A bank reference that identifies a transaction, used to recognise it again.</param>
/// <param name="DateFormat">A .NET date format, for example <c>dd.MM.yyyy</c> or <c>yyyy-MM-dd</c>.</param>
/// <param name="DecimalSeparator">"." or ",".</param>
/// <param name="ThousandsSeparator">"", ".", ",", " " or "'".</param>
/// <param name="Delimiter">The field delimiter: ",", ";", "|" or "\t".</param>
/// <param name="Encoding"><c>auto</c> (UTF-8 when the file is valid UTF-8, else Windows-1252), <c>utf-8</c>, <c>windows-1252</c> or <c>iso-8859-1</c>.</param>
/// <param name="HasHeader">Whether the first row holds column names.</param>
/// <param name="DefaultCurrency">ISO 4217 code used when no currency column is mapped.</param>
/// <param name="Account">A name for the account the file belongs to (transactions are matched per account).</param>
public sealed record CsvMapping(
    string? Date = null,
    string? Amount = null,
    string? Debit = null,
    string? Credit = null,
    string? Description = null,
    string? Merchant = null,
    string? Currency = null,
    string? Balance = null,
    string? Reference = null,
    string DateFormat = "yyyy-MM-dd",
    string DecimalSeparator = ".",
    string ThousandsSeparator = "",
    string Delimiter = ",",
    string Encoding = "auto",
    bool HasHeader = true,
    string DefaultCurrency = "EUR",
    string Account = "default");

/// <summary>A named CSV mapping, so that the next file from the same bank imports in one step.</summary>
/// <param name="Name">The profile's name, unique in the vault (for example "My bank giro").</param>
/// <param name="Mapping">How to read the bank's files.</param>
public sealed record ImportProfile(string Name, CsvMapping Mapping);

/// <summary>The head of a CSV file and the mapping the importer would suggest for it.</summary>
/// <param name="Headers">The column names (or <c>#1</c>, <c>#2</c> ... without a header row).</param>
/// <param name="Rows">Up to the first ten data rows, as text.</param>
/// <param name="Suggested">The suggested mapping (delimiter, encoding, formats and columns guessed from the file).</param>
public sealed record CsvPreview(IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows, CsvMapping Suggested);

/// <summary>What one import added to one account.</summary>
/// <param name="Account">The account as the file names it (an IBAN, an account id, or the CSV mapping's account name).</param>
/// <param name="Added">Transactions added.</param>
/// <param name="DuplicatesSkipped">Transactions already in the vault, not added again.</param>
public sealed record ImportAccountCount(string Account, int Added, int DuplicatesSkipped);

/// <summary>The outcome of an import. An import with any error adds nothing and is answered with a problem instead.</summary>
/// <param name="ImportId">The import's id.</param>
/// <param name="ImportedAt">When it was imported.</param>
/// <param name="Format">The format read (<see cref="StatementFormats"/>).</param>
/// <param name="FileName">The uploaded file's name, when given.</param>
/// <param name="Parsed">Transactions read from the file.</param>
/// <param name="Added">Transactions added.</param>
/// <param name="DuplicatesSkipped">Transactions already in the vault (by bank reference, else by date, amount and description).</param>
/// <param name="Accounts">The same counts per account.</param>
public sealed record ImportSummary(
    Guid ImportId,
    DateTimeOffset ImportedAt,
    string Format,
    string? FileName,
    int Parsed,
    int Added,
    int DuplicatesSkipped,
    IReadOnlyList<ImportAccountCount> Accounts);

/// <summary>One transaction from an imported statement.</summary>
/// <param name="Id">A stable id: the import's id and the transaction's position in it.</param>
/// <param name="Date">The booking date.</param>
/// <param name="Amount">Signed amount: negative for money going out.</param>
/// <param name="Currency">ISO 4217 code.</param>
/// <param name="Description">The statement's text for it.</param>
/// <param name="Merchant">The merchant, payee or counterparty, when the statement names one.</param>
/// <param name="Category">The category its rules gave it (for example <c>coffee</c>), or <c>uncategorized</c>.</param>
/// <param name="Account">The account it belongs to.</param>
/// <param name="ImportId">The import that added it.</param>
public sealed record TransactionItem(
    string Id,
    DateOnly Date,
    decimal Amount,
    string Currency,
    string Description,
    string? Merchant,
    string Category,
    string Account,
    Guid ImportId);

/// <summary>One page of transactions, newest first.</summary>
/// <param name="Items">The transactions.</param>
/// <param name="NextCursor">Pass as <c>cursor</c> for the next page; null on the last page.</param>
public sealed record TransactionPage(IReadOnlyList<TransactionItem> Items, string? NextCursor);

/// <summary>Money in and out in one currency, over the transactions a filter selects.</summary>
/// <param name="Currency">ISO 4217 code.</param>
/// <param name="Count">Transactions in this currency.</param>
/// <param name="In">The sum of positive amounts (money coming in).</param>
/// <param name="Out">The sum of negative amounts (money going out), itself negative.</param>
public sealed record TransactionCurrencyTotal(string Currency, int Count, decimal In, decimal Out);

/// <summary>The size and sums of the transactions a filter selects.</summary>
/// <param name="Count">How many transactions match.</param>
/// <param name="First">The earliest booking date among them.</param>
/// <param name="Last">The latest booking date among them.</param>
/// <param name="Currencies">Money in and out per currency.</param>
public sealed record TransactionTotalsResponse(int Count, DateOnly? First, DateOnly? Last, IReadOnlyList<TransactionCurrencyTotal> Currencies);
