namespace Symbolon.Contracts.LoyaltyCards;

/// <summary>
/// Barcode formats a kept loyalty card can carry, named as ZXing's <c>BarcodeFormat</c> names them, which is also how
/// Catima writes them in its CSV export (<c>barcodetype</c>).
/// </summary>
public static class BarcodeFormats
{
    /// <summary>QR code.</summary>
    public const string QrCode = "QR_CODE";

    /// <summary>Code 128.</summary>
    public const string Code128 = "CODE_128";

    /// <summary>EAN-13: 13 digits, the last a check digit.</summary>
    public const string Ean13 = "EAN_13";

    /// <summary>EAN-8: 8 digits, the last a check digit.</summary>
    public const string Ean8 = "EAN_8";

    /// <summary>UPC-A: 12 digits, the last a check digit.</summary>
    public const string UpcA = "UPC_A";

    /// <summary>UPC-E: 8 digits starting with 0 or 1, the last a check digit.</summary>
    public const string UpcE = "UPC_E";

    /// <summary>Code 39: upper-case letters, digits, space and <c>- . $ / + %</c>.</summary>
    public const string Code39 = "CODE_39";

    /// <summary>Code 93: the same characters as Code 39.</summary>
    public const string Code93 = "CODE_93";

    /// <summary>Codabar: digits and <c>- $ : / . +</c>, optionally between start/stop letters A–D.</summary>
    public const string Codabar = "CODABAR";

    /// <summary>Interleaved 2 of 5: an even number of digits.</summary>
    public const string Itf = "ITF";

    /// <summary>PDF417.</summary>
    public const string Pdf417 = "PDF_417";

    /// <summary>Aztec code.</summary>
    public const string Aztec = "AZTEC";

    /// <summary>Data Matrix.</summary>
    public const string DataMatrix = "DATA_MATRIX";

    /// <summary>Every format, in the order a person picks from (Catima's list, the common ones first).</summary>
    public static IReadOnlyList<string> All { get; } = [QrCode, Code128, Ean13, UpcA, Code39, Pdf417, Aztec, DataMatrix, Ean8, UpcE, Code93, Codabar, Itf];
}

/// <summary>A loyalty card the person already had, kept in the vault (shown as a barcode at the counter).</summary>
/// <param name="Id">The card's id (a UUIDv7).</param>
/// <param name="Store">The store or programme the card belongs to.</param>
/// <param name="CardNumber">The card number as printed on the card.</param>
/// <param name="BarcodeValue">What the barcode encodes when it differs from the card number; null when the barcode is the card number.</param>
/// <param name="BarcodeFormat">One of <see cref="BarcodeFormats"/>, or null for a card without a barcode.</param>
/// <param name="BarcodeEncoding">The character set the barcode was read with (<c>UTF-8</c>, <c>ISO-8859-1</c>), as Catima keeps it; null when unknown.</param>
/// <param name="Note">A note.</param>
/// <param name="ValidFrom">When the card becomes valid.</param>
/// <param name="Expiry">When the card expires.</param>
/// <param name="Balance">The balance on the card (points or money).</param>
/// <param name="BalanceCurrency">ISO 4217 code of the balance, or null when the balance is points.</param>
/// <param name="HeaderColor">The card's colour as <c>#RRGGBB</c>.</param>
/// <param name="Starred">Whether the card is starred (shown first).</param>
/// <param name="Archived">Whether the card is archived.</param>
/// <param name="LastUsed">When the card was last shown.</param>
/// <param name="Groups">The groups the card is in (Catima's groups).</param>
/// <param name="Version">The record version, for <c>expectedVersion</c>.</param>
/// <param name="UpdatedAt">When the card last changed.</param>
public sealed record LoyaltyCard(
    Guid Id,
    string Store,
    string CardNumber,
    string? BarcodeValue,
    string? BarcodeFormat,
    string? BarcodeEncoding,
    string? Note,
    DateTimeOffset? ValidFrom,
    DateTimeOffset? Expiry,
    decimal Balance,
    string? BalanceCurrency,
    string? HeaderColor,
    bool Starred,
    bool Archived,
    DateTimeOffset? LastUsed,
    IReadOnlyList<string> Groups,
    int Version,
    DateTimeOffset UpdatedAt)
{
    /// <summary>What the barcode encodes: <see cref="BarcodeValue"/> when set, else <see cref="CardNumber"/>.</summary>
    public string BarcodeContent => BarcodeValue ?? CardNumber;
}

/// <summary>A card to add, or the new state of a card to change. Only <see cref="Store"/> and <see cref="CardNumber"/> are required.</summary>
/// <param name="Store">The store or programme (1–200 characters).</param>
/// <param name="CardNumber">The card number (1–500 characters); the barcode's content unless <see cref="BarcodeValue"/> is set.</param>
/// <param name="BarcodeFormat">One of <see cref="BarcodeFormats"/>, or null for a card without a barcode.</param>
/// <param name="BarcodeValue">What the barcode encodes when it differs from the card number.</param>
/// <param name="BarcodeEncoding"><c>UTF-8</c> or <c>ISO-8859-1</c>, or null.</param>
/// <param name="Note">A note (at most 2,000 characters).</param>
/// <param name="ValidFrom">When the card becomes valid.</param>
/// <param name="Expiry">When the card expires; not before <see cref="ValidFrom"/>.</param>
/// <param name="Balance">The balance (points or money), zero or more.</param>
/// <param name="BalanceCurrency">ISO 4217 code (three capital letters) of the balance, or null for points.</param>
/// <param name="HeaderColor">The card's colour as <c>#RRGGBB</c>.</param>
/// <param name="Starred">Whether the card is starred.</param>
/// <param name="Archived">Whether the card is archived.</param>
/// <param name="LastUsed">When the card was last shown.</param>
/// <param name="Groups">Group names (each 1–100 characters).</param>
/// <param name="ExpectedVersion">On a change: refused (409) unless the card is still at this version.</param>
public sealed record LoyaltyCardInput(
    string Store,
    string CardNumber,
    string? BarcodeFormat = null,
    string? BarcodeValue = null,
    string? BarcodeEncoding = null,
    string? Note = null,
    DateTimeOffset? ValidFrom = null,
    DateTimeOffset? Expiry = null,
    decimal Balance = 0,
    string? BalanceCurrency = null,
    string? HeaderColor = null,
    bool Starred = false,
    bool Archived = false,
    DateTimeOffset? LastUsed = null,
    IReadOnlyList<string>? Groups = null,
    int? ExpectedVersion = null);

/// <summary>The outcome of importing a Catima CSV export: every card was added, or (on error) none.</summary>
/// <param name="Imported">How many cards were added.</param>
/// <param name="Cards">The cards added, in the file's order.</param>
public sealed record LoyaltyCardImportResult(int Imported, IReadOnlyList<LoyaltyCard> Cards);
