using QRCoder;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using Symbolon.Core.Payments;

namespace Symbolon.Core.Tests.Payments;

public class EpcQrTests
{
    private static readonly EpcTransfer WithReference = new(
        "Franz Mustermann", "DE89370400440532013000", "COBADEFFXXX", 12.3m, "EUR", "RF18539007547034", null, null, null);

    private static readonly EpcTransfer WithUmlauts = new(
        "Jörg Müßig-Äpfelbäck & Söhne", "AT611904300234573201", null, 1234.56m, "EUR", null, "Rechnung Nr. 4711 – Öl & Gas", "GDDS", "Danke für Ihre Zahlung ♥");

    [Fact]
    public void The_payload_has_the_EPC069_12_elements_in_order_and_ends_after_the_last_populated_one()
    {
        Assert.Equal(
            "BCD\n002\n1\nSCT\nCOBADEFFXXX\nFranz Mustermann\nDE89370400440532013000\nEUR12.30\n\nRF18539007547034",
            EpcQr.BuildPayload(WithReference));
        Assert.Equal(
            "BCD\n002\n1\nSCT\n\nJörg Müßig-Äpfelbäck & Söhne\nAT611904300234573201\nEUR1234.56\nGDDS\n\nRechnung Nr. 4711 – Öl & Gas\nDanke für Ihre Zahlung ♥",
            EpcQr.BuildPayload(WithUmlauts));
    }

    [Fact]
    public void Building_normalizes_the_IBAN_BIC_and_reference()
    {
        var payload = EpcQr.BuildPayload(WithReference with { Iban = "de89 3704 0044 0532 0130 00", Bic = "coba de ff xxx", Reference = "rf18 5390 0754 7034" });

        Assert.Equal(WithReference, EpcQr.Parse(payload));
    }

    [Theory]
    [InlineData("currency", "An EPC code transfers euros only.")]
    [InlineData("amount", "The amount is not between 0.01 and 999999999.99 euros.")]
    [InlineData("amount", "The amount has more than two decimals.")]
    [InlineData("iban", "The check digits do not match: a character is mistyped.")]
    [InlineData("bic", "A BIC has 8 or 11 characters.")]
    [InlineData("name", "The beneficiary's name is missing.")]
    [InlineData("name", "The value holds a line break or another control character.")]
    [InlineData("reference", "An EPC code carries a structured reference or a text, not both.")]
    [InlineData("reference", "The RF creditor reference's check digits do not match: a character is mistyped.")]
    [InlineData("text", "The remittance text has more than 140 characters.")]
    [InlineData("purpose", "The purpose is a code of at most 4 capital letters and digits.")]
    public void Building_refuses_invalid_values_by_field(string field, string reason)
    {
        var transfer = (field, reason) switch
        {
            ("currency", _) => WithReference with { Currency = "USD" },
            ("amount", var r) when r.Contains("between", StringComparison.Ordinal) => WithReference with { Amount = 0m },
            ("amount", _) => WithReference with { Amount = 1.234m },
            ("iban", _) => WithReference with { Iban = "DE88370400440532013000" },
            ("bic", _) => WithReference with { Bic = "COBADEF" },
            ("name", var r) when r.Contains("missing", StringComparison.Ordinal) => WithReference with { Name = " " },
            ("name", _) => WithReference with { Name = "Franz\nEUR999" },
            ("reference", var r) when r.Contains("both", StringComparison.Ordinal) => WithReference with { Text = "Invoice" },
            ("reference", _) => WithReference with { Reference = "RF19539007547034" },
            ("text", _) => WithUmlauts with { Text = new string('x', 141) },
            ("purpose", _) => WithUmlauts with { Purpose = "GOODS" },
            _ => throw new InvalidOperationException(),
        };

        var e = Assert.Throws<PaymentInputException>(() => EpcQr.BuildPayload(transfer));

        Assert.Equal([reason], e.Errors[field]);
    }

    [Fact]
    public void A_payload_over_331_bytes_is_refused()
    {
        // 140 characters of two UTF-8 bytes each, with a full name and information: well over 331 bytes.
        var transfer = WithUmlauts with { Name = new string('Ä', 70), Text = new string('ß', 140), Information = new string('Ö', 70) };

        var e = Assert.Throws<PaymentInputException>(() => EpcQr.BuildPayload(transfer));

        Assert.Equal(["An EPC code holds at most 331 bytes."], e.Errors["payload"]);
    }

    [Theory]
    [InlineData(nameof(WithReference))]
    [InlineData(nameof(WithUmlauts))]
    public void A_built_code_drawn_as_PNG_decodes_to_the_same_transfer(string which)
    {
        var transfer = which == nameof(WithReference) ? WithReference : WithUmlauts;

        var png = EpcQr.RenderPng(EpcQr.BuildPayload(transfer));

        Assert.Equal(transfer, EpcQr.DecodeImage(png, CancellationToken.None));
    }

    [Fact]
    public void A_code_in_a_larger_JPEG_photo_with_a_margin_decodes()
    {
        using var code = Image.Load<Rgba32>(EpcQr.RenderPng(EpcQr.BuildPayload(WithUmlauts), pixelsPerModule: 4));
        using var photo = new Image<Rgba32>(1600, 1200, new Rgba32(235, 230, 220));
        photo.Mutate(p => p.DrawImage(code, new Point(500, 300), 1f));
        using var jpeg = new MemoryStream();
        photo.SaveAsJpeg(jpeg);

        Assert.Equal(WithUmlauts, EpcQr.DecodeImage(jpeg.ToArray(), CancellationToken.None));
    }

    [Fact]
    public void Parse_reads_CRLF_version_001_an_empty_amount_and_a_trailing_line_break()
    {
        var transfer = EpcQr.Parse("BCD\r\n001\r\n1\r\nSCT\r\nBFSWDE33BER\r\nWikimedia Foerdergesellschaft\r\nDE33100205000001194700\r\n\r\n\r\n\r\nSpende fuer Wikipedia\r\n");

        Assert.Equal(new EpcTransfer("Wikimedia Foerdergesellschaft", "DE33100205000001194700", "BFSWDE33BER", 0m, "EUR", null, "Spende fuer Wikipedia", null, null), transfer);
    }

    [Theory]
    [InlineData(1, "BCX", "line 1")]
    [InlineData(2, "003", "line 2")]
    [InlineData(3, "9", "line 3")]
    [InlineData(3, "7", "line 3")]
    [InlineData(4, "SCX", "line 4")]
    [InlineData(5, "COBADEF", "bic")]
    [InlineData(6, "", "name")]
    [InlineData(6, "Franz Mustermann Franz Mustermann Franz Mustermann Franz Mustermann Fra", "name")]
    [InlineData(7, "DE89370400440532013001", "iban")]
    [InlineData(7, "", "iban")]
    [InlineData(8, "EUR1.234", "amount")]
    [InlineData(8, "EUR0.00", "amount")]
    [InlineData(8, "EUR1000000000", "amount")]
    [InlineData(8, "USD12.30", "amount")]
    [InlineData(8, "EUR12,30", "amount")]
    [InlineData(8, "12.30", "amount")]
    [InlineData(9, "GOODS", "purpose")]
    [InlineData(10, "RF19539007547034", "reference")]
    [InlineData(10, "123456789012345678901234567890123456", "reference")]
    [InlineData(6, "Franz\rMustermann", "line 6")]
    public void Parse_names_the_field_at_fault_and_never_the_value(int line, string value, string field)
    {
        var lines = "BCD\n002\n1\nSCT\nCOBADEFFXXX\nFranz Mustermann\nDE89370400440532013000\nEUR12.30\n\nRF18539007547034".Split('\n');
        lines[line - 1] = value;

        var e = Assert.Throws<PaymentInputException>(() => EpcQr.Parse(string.Join('\n', lines)));

        Assert.Equal(field, Assert.Single(e.Errors).Key);
        if (value.Length > 3)
        {
            Assert.DoesNotContain(value, e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Parse_refuses_version_001_without_a_BIC_both_remittances_long_texts_and_thirteen_lines()
    {
        const string Head = "BCD\n002\n1\nSCT\n\nFranz Mustermann\nDE89370400440532013000\nEUR1\n\n";

        Assert.Equal("bic", Field("BCD\n001\n1\nSCT\n\nFranz Mustermann\nDE89370400440532013000"));
        Assert.Equal("reference", Field(Head + "RF18539007547034\nInvoice 7"));
        Assert.Equal("text", Field(Head + "\n" + new string('t', 141)));
        Assert.Equal("information", Field(Head + "\n\n" + new string('i', 71)));
        Assert.Equal("payload", Field(Head + "\n\nInfo\nextra"));
        Assert.Equal("payload", Field("BCD\n002\n1\nSCT\n\nFranz Mustermann"));
        Assert.Equal("payload", Field(Head + "\n" + new string('ß', 140) + "\n" + new string('ß', 70)));
        Assert.Equal("line 3", Field("BCD\n002\n\nSCT\n\nFranz Mustermann\nDE89370400440532013000"));

        static string Field(string payload) => Assert.Single(Assert.Throws<PaymentInputException>(() => EpcQr.Parse(payload)).Errors).Key;
    }

    [Fact]
    public void Parse_accepts_a_national_structured_reference_and_ISO_8859_character_sets()
    {
        var transfer = EpcQr.Parse("BCD\n002\n2\nSCT\n\nFranz Mustermann\nFI2112345600000785\nEUR5\n\n1234561");

        Assert.Equal(("1234561", 5m), (transfer.Reference, transfer.Amount));
    }

    [Fact]
    public void A_code_in_ISO_8859_1_is_decoded_in_the_character_set_it_declares()
    {
        // QRCoder writes text it can as ISO 8859-1 bytes unless told to use UTF-8: "ü" is then one byte, 0xFC.
        const string Payload = "BCD\n002\n2\nSCT\n\nJörg Müßig\nDE89370400440532013000\nEUR5\n\n\nMiete Küche";
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(Payload, QRCodeGenerator.ECCLevel.M);
        var png = new PngByteQRCode(data).GetGraphic(8);

        var transfer = EpcQr.DecodeImage(png, CancellationToken.None);

        Assert.Equal(("Jörg Müßig", "Miete Küche"), (transfer.Name, transfer.Text));
    }

    [Fact]
    public void A_code_that_names_UTF_8_in_an_ECI_segment_decodes()
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(EpcQr.BuildPayload(WithUmlauts), QRCodeGenerator.ECCLevel.M, forceUtf8: true, utf8BOM: false, eciMode: QRCodeGenerator.EciMode.Utf8);
        var png = new PngByteQRCode(data).GetGraphic(8);

        Assert.Equal(WithUmlauts, EpcQr.DecodeImage(png, CancellationToken.None));
    }

    [Fact]
    public void An_upload_over_5_MB_is_refused_before_it_is_read()
    {
        var e = Assert.Throws<PaymentInputException>(() => EpcQr.DecodeImage(new byte[(5 * 1024 * 1024) + 1], CancellationToken.None));

        Assert.Equal(["The image is larger than 5 MiB."], e.Errors["image"]);
    }

    [Fact]
    public void An_image_over_4000_pixels_a_side_is_refused_from_its_header()
    {
        using var image = new Image<L8>(4001, 16);
        using var png = new MemoryStream();
        image.SaveAsPng(png);

        var e = Assert.Throws<PaymentInputException>(() => EpcQr.DecodeImage(png.ToArray(), CancellationToken.None));

        Assert.Equal(["The image is larger than 4000 × 4000 pixels."], e.Errors["image"]);
    }

    [Theory]
    [InlineData("text")]
    [InlineData("empty")]
    [InlineData("tiff")]
    public void A_file_that_is_not_a_supported_image_is_refused(string kind)
    {
        byte[] bytes = kind switch
        {
            "text" => "BCD\n002\n1\nSCT\n"u8.ToArray(),
            "empty" => [],
            _ => Tiff(),
        };

        var e = Assert.Throws<PaymentInputException>(() => EpcQr.DecodeImage(bytes, CancellationToken.None));

        Assert.Equal(kind == "empty" ? "The image is empty." : "The file is not a PNG, JPEG, GIF, BMP or WebP image.", e.Errors["image"].Single());

        static byte[] Tiff()
        {
            using var image = new Image<L8>(8, 8);
            using var tiff = new MemoryStream();
            image.SaveAsTiff(tiff);
            return tiff.ToArray();
        }
    }

    [Fact]
    public void A_damaged_image_is_refused()
    {
        var png = EpcQr.RenderPng(EpcQr.BuildPayload(WithReference));

        var e = Assert.Throws<PaymentInputException>(() => EpcQr.DecodeImage(png.AsMemory(0, png.Length / 2), CancellationToken.None));

        Assert.Equal(["The image is damaged and cannot be read."], e.Errors["image"]);
    }

    [Fact]
    public void An_animated_WebP_is_refused()
    {
        var header = new byte[30];
        "RIFF"u8.CopyTo(header);
        "WEBPVP8X"u8.CopyTo(header.AsSpan(8));
        header[20] = 0x02;

        var e = Assert.Throws<PaymentInputException>(() => EpcQr.DecodeImage(header, CancellationToken.None));

        Assert.Equal(["An animated WebP image cannot be read; send a still picture."], e.Errors["image"]);
    }

    [Fact]
    public void A_photo_without_a_code_says_so()
    {
        using var image = new Image<Rgba32>(640, 480);
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < row.Length; x++)
                {
                    row[x] = new Rgba32((byte)(x / 3), (byte)(y / 2), (byte)((x + y) / 5));
                }
            }
        });
        using var png = new MemoryStream();
        image.SaveAsPng(png);

        var e = Assert.Throws<PaymentInputException>(() => EpcQr.DecodeImage(png.ToArray(), CancellationToken.None));

        Assert.Equal(["No QR code was found in the image."], e.Errors["image"]);
    }

    [Fact]
    public void A_QR_code_that_is_not_an_EPC_code_says_so()
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode("https://example.org/pay?iban=DE89370400440532013000", QRCodeGenerator.ECCLevel.M);
        var png = new PngByteQRCode(data).GetGraphic(8);

        var e = Assert.Throws<PaymentInputException>(() => EpcQr.DecodeImage(png, CancellationToken.None));

        Assert.Equal(["The QR code is not a SEPA credit transfer (EPC) code."], e.Errors["image"]);
    }

    [Fact]
    public void An_image_not_read_within_the_budget_is_refused_as_too_slow()
    {
        var png = EpcQr.RenderPng(EpcQr.BuildPayload(WithReference));

        var e = Assert.Throws<PaymentInputException>(() => EpcQr.DecodeImage(png, TimeSpan.Zero, CancellationToken.None));

        Assert.Equal(["Reading the image took too long; send a smaller or sharper picture of the code."], e.Errors["image"]);
        Assert.Equal(WithReference, EpcQr.DecodeImage(png, TimeSpan.FromSeconds(30), CancellationToken.None));
    }

    [Fact]
    public void A_caller_cancellation_is_not_reported_as_a_bad_image()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => EpcQr.DecodeImage(EpcQr.RenderPng(EpcQr.BuildPayload(WithReference)), cancelled.Token));
    }
}
