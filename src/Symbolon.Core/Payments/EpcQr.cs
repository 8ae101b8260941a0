using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using QRCoder;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;
using ZXing;
using ZXing.Common;
using ZXing.QrCode;

namespace Symbolon.Core.Payments;

/// <summary>
/// One SEPA credit transfer as an EPC QR code carries it (EPC069-12, the "GiroCode"). <see cref="Amount"/> is 0 when the
/// code leaves the amount to the payer; <see cref="Currency"/> is always EUR. At most one of <see cref="Reference"/>
/// (structured, normally an ISO 11649 RF reference) and <see cref="Text"/> (unstructured remittance) is set.
/// </summary>
internal sealed record EpcTransfer(
    string Name,
    string Iban,
    string? Bic,
    decimal Amount,
    string Currency,
    string? Reference,
    string? Text,
    string? Purpose,
    string? Information);

/// <summary>
/// EPC069-12 "Quick Response code: guidelines to enable data capture for the initiation of a SEPA credit transfer":
/// builds the payload (through QRCoder's Girocode generator, version 002, UTF-8), draws it, reads it back strictly, and
/// decodes it from an uploaded picture (ImageSharp 2 for the image, ZXing.Net for the code).
/// </summary>
/// <remarks>
/// The payload is up to 12 lines separated by a line feed: service tag BCD, version, character set, identification SCT,
/// BIC, beneficiary name, IBAN, "EUR" + amount, purpose, structured reference, unstructured text, information for the
/// payer. Trailing empty lines are left out, as the guidelines ask, which also keeps the symbol small.
/// </remarks>
internal static partial class EpcQr
{
    /// <summary>The most bytes a payload may have (EPC069-12, section 3.4).</summary>
    public const int MaxPayloadBytes = 331;

    /// <summary>The most bytes an uploaded image may have.</summary>
    public const int MaxImageBytes = 5 * 1024 * 1024;

    /// <summary>The widest and tallest uploaded image read; larger ones are refused before any pixel is decoded.</summary>
    public const int MaxImageSide = 4000;

    /// <summary>How long reading one uploaded image may take, decoding and searching for the code together.</summary>
    public static readonly TimeSpan DecodeBudget = TimeSpan.FromSeconds(5);

    private static readonly SemaphoreSlim DecodeGate = new(1, 1);

    private const int MaxLines = 12;
    private const int MaxName = 70;
    private const int MaxReference = 35;
    private const int MaxText = 140;
    private const int MaxInformation = 70;
    private const decimal MinAmount = 0.01m;
    private const decimal MaxAmount = 999_999_999.99m;
    private const string NotEpc = "The QR code is not a SEPA credit transfer (EPC) code.";

    /// <summary>
    /// The decoders a picture may use: PNG, JPEG, GIF (first frame only) and BMP and WebP. TIFF, TGA and PBM are not
    /// registered, so their decoders are never reached by an upload.
    /// </summary>
    private static readonly Configuration ImageConfiguration = CreateImageConfiguration();

    /// <summary>
    /// The payload for <paramref name="transfer"/>: version 002 (the BIC is optional), character set 1 (UTF-8), the
    /// reference as structured remittance when there is one. Values are checked first, by field; the result is read
    /// back by <see cref="Parse"/>, so what is built is always what a bank app reads.
    /// </summary>
    public static string BuildPayload(EpcTransfer transfer)
    {
        var checkedTransfer = Check(transfer);
        string text;
        try
        {
            var girocode = new PayloadGenerator.Girocode(
                checkedTransfer.Iban,
                checkedTransfer.Bic,
                checkedTransfer.Name,
                checkedTransfer.Amount,
                checkedTransfer.Reference ?? checkedTransfer.Text ?? string.Empty,
                checkedTransfer.Reference is null ? PayloadGenerator.Girocode.TypeOfRemittance.Unstructured : PayloadGenerator.Girocode.TypeOfRemittance.Structured,
                checkedTransfer.Purpose ?? string.Empty,
                checkedTransfer.Information ?? string.Empty,
                PayloadGenerator.Girocode.GirocodeVersion.Version2,
                PayloadGenerator.Girocode.GirocodeEncoding.UTF_8);
            text = girocode.ToString();
        }
        catch (PayloadGenerator.Girocode.GirocodeException)
        {
            // Note: everything QRCoder checks was checked above, by field; this is a safety net, and its message is not
            // passed on because it is not worded for a person.
            throw new PaymentInputException("payload", "The transfer cannot be written as an EPC code.");
        }

        // QRCoder writes all twelve lines; EPC069-12 ends the payload after its last populated element.
        var payload = text.TrimEnd('\n');
        Parse(payload);
        return payload;
    }

    /// <summary>
    /// The payload drawn as a PNG QR code with error correction level M, which EPC069-12 requires, and the four-module
    /// quiet zone around it. The text is encoded as UTF-8 bytes, as its character set line says.
    /// </summary>
    public static byte[] RenderPng(string payload, int pixelsPerModule = 8)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pixelsPerModule, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pixelsPerModule, 40);
        using var generator = new QRCodeGenerator();

        // Note: forceUtf8, because QRCoder would otherwise write "ü" as one ISO 8859-1 byte, which a reader told
        // "character set 1" decodes as a broken UTF-8 sequence.
        using var data = generator.CreateQrCode(payload, QRCodeGenerator.ECCLevel.M, forceUtf8: true);
        return new PngByteQRCode(data).GetGraphic(pixelsPerModule, drawQuietZones: true);
    }

    /// <summary>
    /// Reads an EPC payload strictly: lines separated by LF or CRLF, every element checked as EPC069-12 specifies.
    /// Throws a <see cref="PaymentInputException"/> naming the field ("iban", "amount", "line 3") and why, never the value.
    /// </summary>
    public static EpcTransfer Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > 2 * MaxPayloadBytes)
        {
            throw new PaymentInputException("payload", $"An EPC code holds at most {MaxPayloadBytes} bytes.");
        }

        var body = text.Replace("\r\n", "\n", StringComparison.Ordinal);

        // Note: one line break after the last element is tolerated (QRCoder and some banks write it); more are not.
        if (body.EndsWith('\n'))
        {
            body = body[..^1];
        }

        var lines = body.Split('\n');
        if (lines.Length > MaxLines)
        {
            throw new PaymentInputException("payload", $"An EPC code has at most {MaxLines} lines.");
        }

        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Any(char.IsControl))
            {
                throw new PaymentInputException($"line {i + 1}", "The line holds a control character.");
            }
        }

        string Line(int number) => number <= lines.Length ? lines[number - 1] : string.Empty;

        if (Line(1) != "BCD")
        {
            throw new PaymentInputException("line 1", NotEpc + " Its first line is not the service tag BCD.");
        }

        var version = Line(2);
        if (version is not ("001" or "002"))
        {
            throw new PaymentInputException("line 2", "The EPC code's version is neither 001 nor 002.");
        }

        var encoding = Line(3) is [var digit and >= '1' and <= '8'] ? CharacterSet(digit - '0') : throw new PaymentInputException("line 3", "The character set is not a number from 1 to 8.");
        if (Line(4) != "SCT")
        {
            throw new PaymentInputException("line 4", "The identification is not SCT (SEPA credit transfer).");
        }

        if (lines.Length < 7)
        {
            throw new PaymentInputException("payload", "The EPC code ends before the beneficiary's IBAN.");
        }

        if (encoding.GetByteCount(text) > MaxPayloadBytes)
        {
            throw new PaymentInputException("payload", $"An EPC code holds at most {MaxPayloadBytes} bytes.");
        }

        string? bic = null;
        if (Line(5).Length > 0)
        {
            bic = Bic.TryNormalize(Line(5), out var normalized, out var bicError) ? normalized : throw new PaymentInputException("bic", bicError!);
        }
        else if (version == "001")
        {
            throw new PaymentInputException("bic", "Version 001 of the EPC code requires the BIC.");
        }

        var transfer = new EpcTransfer(
            Line(6),
            Iban.TryNormalize(Line(7), out var iban, out var ibanError) ? iban : throw new PaymentInputException("iban", ibanError!),
            bic,
            ParseAmount(Line(8)),
            "EUR",
            Line(10).Length > 0 ? Line(10) : null,
            Line(11).Length > 0 ? Line(11) : null,
            Line(9).Length > 0 ? Line(9) : null,
            Line(12).Length > 0 ? Line(12) : null);
        return CheckTexts(transfer);
    }

    /// <summary>
    /// Finds and reads the EPC code in an uploaded picture (PNG, JPEG, GIF, BMP or WebP). The upload is untrusted: at
    /// most <see cref="MaxImageBytes"/>, its size read from the header before any pixel is decoded, at most
    /// <see cref="MaxImageSide"/> pixels a side, and the whole read within <see cref="DecodeBudget"/>. A quick search
    /// comes first; the thorough one (ZXing's TryHarder) only if it finds nothing.
    /// </summary>
    public static EpcTransfer DecodeImage(ReadOnlyMemory<byte> image, CancellationToken ct) => DecodeImage(image, DecodeBudget, ct);

    /// <summary>As <see cref="DecodeImage(ReadOnlyMemory{byte}, CancellationToken)"/>, within <paramref name="budget"/>.</summary>
    internal static EpcTransfer DecodeImage(ReadOnlyMemory<byte> image, TimeSpan budget, CancellationToken ct)
    {
        if (image.IsEmpty)
        {
            throw new PaymentInputException("image", "The image is empty.");
        }

        if (image.Length > MaxImageBytes)
        {
            throw new PaymentInputException("image", $"The image is larger than {MaxImageBytes / (1024 * 1024)} MiB.");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (budget > TimeSpan.Zero)
        {
            timeout.CancelAfter(budget);
        }
        else
        {
            timeout.Cancel();
        }

        // One picture at a time in the process: decoding a large one takes about 80 MB and a core, and cannot be
        // interrupted inside ImageSharp or ZXing; a second upload waits (within its own budget) instead of doubling that.
        var entered = false;
        try
        {
            DecodeGate.Wait(timeout.Token);
            entered = true;
            var result = Find(image, timeout.Token) ?? throw new PaymentInputException("image", "No QR code was found in the image.");
            return Parse(Text(result));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new PaymentInputException("image", "Reading the image took too long; send a smaller or sharper picture of the code.");
        }
        finally
        {
            if (entered)
            {
                DecodeGate.Release();
            }
        }
    }

    /// <summary>The image's pixels as grey levels, then ZXing's QR reader over them: quick first, thorough second.</summary>
    private static Result? Find(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        if (IsAnimatedWebp(bytes.Span))
        {
            throw new PaymentInputException("image", "An animated WebP image cannot be read; send a still picture.");
        }

        var (luminance, width, height) = Luminance(bytes, ct);
        var source = new RGBLuminanceSource(luminance, width, height, RGBLuminanceSource.BitmapFormat.Gray8);
        var reader = new QRCodeReader();
        var hints = new Dictionary<DecodeHintType, object> { [DecodeHintType.CHARACTER_SET] = "ISO-8859-1" };
        ct.ThrowIfCancellationRequested();
        var result = reader.decode(new BinaryBitmap(new HybridBinarizer(source)), hints);
        if (result is not null)
        {
            return result;
        }

        ct.ThrowIfCancellationRequested();
        hints[DecodeHintType.TRY_HARDER] = true;
        result = reader.decode(new BinaryBitmap(new HybridBinarizer(source)), hints);
        if (result is not null)
        {
            return result;
        }

        // Last, a global threshold: it reads some evenly lit codes that the local one breaks up.
        ct.ThrowIfCancellationRequested();
        return reader.decode(new BinaryBitmap(new GlobalHistogramBinarizer(source)), hints);
    }

    private static (byte[] Luminance, int Width, int Height) Luminance(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        Image<Rgba32> picture;
        try
        {
            using (var header = new MemoryStream(bytes.ToArray(), writable: false))
            {
                var info = Image.Identify(ImageConfiguration, header)
                    ?? throw new PaymentInputException("image", "The file is not a PNG, JPEG, GIF, BMP or WebP image.");
                if (info.Width > MaxImageSide || info.Height > MaxImageSide)
                {
                    throw new PaymentInputException("image", $"The image is larger than {MaxImageSide} × {MaxImageSide} pixels.");
                }
            }

            ct.ThrowIfCancellationRequested();
            picture = Image.Load<Rgba32>(ImageConfiguration, bytes.Span);
        }
        catch (UnknownImageFormatException)
        {
            throw new PaymentInputException("image", "The file is not a PNG, JPEG, GIF, BMP or WebP image.");
        }
        catch (Exception e) when (e is not (PaymentInputException or OperationCanceledException or OutOfMemoryException))
        {
            // Note: ImageSharp 2's decoders answer some damaged files with other exceptions than ImageFormatException
            // (a JPEG without a frame header fails with a NullReferenceException while identified); an upload is
            // refused the same way whatever the decoder threw.
            throw new PaymentInputException("image", "The image is damaged and cannot be read.");
        }

        using (picture)
        {
            ct.ThrowIfCancellationRequested();
            var width = picture.Width;
            var height = picture.Height;
            var luminance = new byte[width * height];

            // Note: transparent pixels count as white paper, so a code drawn on a transparent background still reads.
            picture.ProcessPixelRows(rows =>
            {
                for (var y = 0; y < rows.Height; y++)
                {
                    var row = rows.GetRowSpan(y);
                    var target = luminance.AsSpan(y * width, width);
                    for (var x = 0; x < row.Length; x++)
                    {
                        var p = row[x];
                        var grey = ((p.R * 299) + (p.G * 587) + (p.B * 114)) / 1000;
                        target[x] = (byte)(((grey * p.A) + (255 * (255 - p.A))) / 255);
                    }
                }
            });
            return (luminance, width, height);
        }
    }

    /// <summary>
    /// The decoded text in the character set the payload's third line names. ZXing is told to read byte segments as
    /// ISO 8859-1, which maps each byte to the character of the same number, so the text gives back the code's exact
    /// bytes (numeric and alphanumeric segments are ASCII in every set); those are then decoded as declared. A code
    /// that names its own encoding (an ECI segment, symbology modifier 2, 4 or 6) was already decoded by it.
    /// </summary>
    private static string Text(Result result)
    {
        var text = result.Text ?? string.Empty;
        if (!text.StartsWith("BCD\n", StringComparison.Ordinal) && !text.StartsWith("BCD\r\n", StringComparison.Ordinal))
        {
            throw new PaymentInputException("image", NotEpc);
        }

        var eci = result.ResultMetadata?.TryGetValue(ResultMetadataType.SYMBOLOGY_IDENTIFIER, out var identifier) is true
            && identifier is string { Length: 3 } symbology && symbology[2] is '2' or '4' or '6';
        if (eci || text.Any(c => c > '\u00FF'))
        {
            return text;
        }

        // A line 3 that is not a character set is reported by Parse; until then the bytes are read as UTF-8.
        var lines = text.Split('\n', 4);
        var characterSet = lines.Length >= 3 && lines[2].TrimEnd('\r') is [var digit and >= '1' and <= '8'] ? digit - '0' : 1;
        return CharacterSet(characterSet).GetString(Encoding.Latin1.GetBytes(text));
    }

    /// <summary>The encodings EPC069-12 numbers 1 to 8.</summary>
    private static Encoding CharacterSet(int number) => number switch
    {
        1 => Encoding.UTF8,
        2 => Encoding.Latin1,
        3 => CodePagesEncodingProvider.Instance.GetEncoding(28592)!,
        4 => CodePagesEncodingProvider.Instance.GetEncoding(28594)!,
        5 => CodePagesEncodingProvider.Instance.GetEncoding(28595)!,
        6 => CodePagesEncodingProvider.Instance.GetEncoding(28597)!,

        // Note: .NET has no ISO 8859-10 (Nordic) code page, and guessing another would misread its letters.
        7 => throw new PaymentInputException("line 3", "Character set 7 (ISO 8859-10) is not supported; the code must use UTF-8 or another ISO 8859 set."),
        8 => CodePagesEncodingProvider.Instance.GetEncoding(28605)!,
        _ => throw new PaymentInputException("line 3", "The character set is not a number from 1 to 8."),
    };

    private static decimal ParseAmount(string line)
    {
        if (line.Length == 0)
        {
            return 0m;
        }

        var match = AmountPattern().Match(line);
        if (!match.Success || !decimal.TryParse(match.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
        {
            throw new PaymentInputException("amount", "The amount is not \"EUR\" followed by a number with a '.' and at most two decimals.");
        }

        return amount is >= MinAmount and <= MaxAmount
            ? amount
            : throw new PaymentInputException("amount", "The amount is not between 0.01 and 999999999.99 euros.");
    }

    /// <summary>Checks a transfer to be written: what <see cref="Parse"/> checks, and returns it normalized.</summary>
    private static EpcTransfer Check(EpcTransfer transfer)
    {
        ArgumentNullException.ThrowIfNull(transfer);
        if (transfer.Currency != "EUR")
        {
            throw new PaymentInputException("currency", "An EPC code transfers euros only.");
        }

        if (transfer.Amount is < MinAmount or > MaxAmount)
        {
            throw new PaymentInputException("amount", "The amount is not between 0.01 and 999999999.99 euros.");
        }

        if (decimal.Round(transfer.Amount, 2) != transfer.Amount)
        {
            throw new PaymentInputException("amount", "The amount has more than two decimals.");
        }

        string? bic = null;
        if (!string.IsNullOrEmpty(transfer.Bic))
        {
            bic = Bic.TryNormalize(transfer.Bic, out var normalized, out var bicError) ? normalized : throw new PaymentInputException("bic", bicError!);
        }

        var iban = Iban.TryNormalize(transfer.Iban, out var ibanNormalized, out var ibanError) ? ibanNormalized : throw new PaymentInputException("iban", ibanError!);
        foreach (var (field, value) in new[] { ("name", transfer.Name), ("reference", transfer.Reference), ("text", transfer.Text), ("purpose", transfer.Purpose), ("information", transfer.Information) })
        {
            if (value is not null && value.Any(char.IsControl))
            {
                throw new PaymentInputException(field, "The value holds a line break or another control character.");
            }
        }

        return CheckTexts(transfer with
        {
            Iban = iban,
            Bic = bic,
            Reference = string.IsNullOrEmpty(transfer.Reference) ? null : transfer.Reference,
            Text = string.IsNullOrEmpty(transfer.Text) ? null : transfer.Text,
            Purpose = string.IsNullOrEmpty(transfer.Purpose) ? null : transfer.Purpose,
            Information = string.IsNullOrEmpty(transfer.Information) ? null : transfer.Information,
        });
    }

    /// <summary>The free-text elements: name, purpose, reference XOR text, information.</summary>
    private static EpcTransfer CheckTexts(EpcTransfer transfer)
    {
        if (string.IsNullOrWhiteSpace(transfer.Name))
        {
            throw new PaymentInputException("name", "The beneficiary's name is missing.");
        }

        if (transfer.Name.Length > MaxName)
        {
            throw new PaymentInputException("name", $"The beneficiary's name has more than {MaxName} characters.");
        }

        if (transfer.Purpose is not null && (transfer.Purpose.Length > 4 || !transfer.Purpose.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c))))
        {
            throw new PaymentInputException("purpose", "The purpose is a code of at most 4 capital letters and digits.");
        }

        if (transfer.Reference is not null && transfer.Text is not null)
        {
            throw new PaymentInputException("reference", "An EPC code carries a structured reference or a text, not both.");
        }

        var reference = transfer.Reference;
        if (reference is not null)
        {
            if (reference.Length > MaxReference)
            {
                throw new PaymentInputException("reference", $"The structured reference has more than {MaxReference} characters.");
            }

            // A reference that starts as an ISO 11649 one must be one; other structured references pass as written.
            if (reference.StartsWith("RF", StringComparison.OrdinalIgnoreCase) && reference.Length >= 4 && char.IsAsciiDigit(reference[2]) && char.IsAsciiDigit(reference[3]))
            {
                reference = CreditorReference.IsValid(reference)
                    ? CreditorReference.Normalize(reference)
                    : throw new PaymentInputException("reference", "The RF creditor reference's check digits do not match: a character is mistyped.");
            }
        }

        if (transfer.Text is not null && transfer.Text.Length > MaxText)
        {
            throw new PaymentInputException("text", $"The remittance text has more than {MaxText} characters.");
        }

        if (transfer.Information is not null && transfer.Information.Length > MaxInformation)
        {
            throw new PaymentInputException("information", $"The information for the payer has more than {MaxInformation} characters.");
        }

        return transfer with { Reference = reference };
    }

    /// <summary>
    /// Whether the bytes are an animated WebP (RIFF, WEBP, an extended VP8X header with its animation flag). ImageSharp 2
    /// decodes every frame of one, and a few kilobytes of frames can ask for gigabytes of pixels.
    /// </summary>
    private static bool IsAnimatedWebp(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= 21
        && bytes[..4].SequenceEqual("RIFF"u8)
        && bytes[8..12].SequenceEqual("WEBP"u8)
        && bytes[12..16].SequenceEqual("VP8X"u8)
        && (bytes[20] & 0x02) != 0;

    private static Configuration CreateImageConfiguration()
    {
        var configuration = new Configuration(
            new PngConfigurationModule(),
            new JpegConfigurationModule(),
            new GifConfigurationModule(),
            new BmpConfigurationModule(),
            new WebpConfigurationModule());

        // A GIF's later frames are never needed to find a code; decoding them is memory an upload could ask for.
        configuration.ImageFormatsManager.SetDecoder(GifFormat.Instance, new GifDecoder { DecodingMode = FrameDecodingMode.First });
        return configuration;
    }

    [GeneratedRegex(@"^EUR([0-9]{1,9}(?:\.[0-9]{1,2})?)$", RegexOptions.CultureInvariant)]
    private static partial Regex AmountPattern();
}
