using QRCoder;

namespace Symbolon.Server.Card;

/// <summary>The card's QR code, drawn by QRCoder: SVG for the page, PNG for the download.</summary>
internal static class CardQr
{
    // Note: level M restores up to 15% of a damaged or glare-struck code, which a phone screen at a counter needs,
    // while keeping the modules large for a payload of about 60 characters.
    private static QRCodeData Encode(string payload)
    {
        using var generator = new QRCodeGenerator();
        return generator.CreateQrCode(payload, QRCodeGenerator.ECCLevel.M);
    }

    public static string Svg(string payload)
    {
        using var data = Encode(payload);
        return new SvgQRCode(data).GetGraphic(new System.Drawing.Size(280, 280), "#111111", "#ffffff", drawQuietZones: true, SvgQRCode.SizingMode.ViewBoxAttribute);
    }

    public static byte[] Png(string payload, int pixelsPerModule = 12)
    {
        using var data = Encode(payload);
        return new PngByteQRCode(data).GetGraphic(pixelsPerModule);
    }
}
