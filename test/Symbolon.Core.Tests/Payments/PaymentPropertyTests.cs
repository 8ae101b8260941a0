using CsCheck;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Symbolon.Core.Payments;

namespace Symbolon.Core.Tests.Payments;

/// <summary>Whatever arrives (typed, pasted, scanned, uploaded), the payment checks accept it or say why; they never crash.</summary>
public class PaymentPropertyTests
{
    private static readonly string[] EpcTokens =
        ["BCD", "001", "002", "1", "2", "7", "SCT", "COBADEFFXXX", "DEUTDEFF", "Franz Mustermann", "Jörg", "DE89370400440532013000", "DE89", "EUR12.30", "EUR", "EUR0.001",
         "GDDS", "RF18539007547034", "RF19", "Rechnung", "\n", "\n", "\n", "\r\n", "\r", " ", "ß", "\u0000"];

    private static readonly string[] ReferenceTokens = ["RF18", "rf18", "5390", "0754", "7034", "RF71", "2348", "231", "RF", " ", " ", "\n", "x", "+", "EREF", "0", "A"];

    [Fact]
    public void Any_EPC_payload_is_read_or_refused_by_field()
    {
        var valid = "BCD\n002\n1\nSCT\nCOBADEFFXXX\nFranz Mustermann\nDE89370400440532013000\nEUR12.30\n\nRF18539007547034";
        var gen = Gen.OneOf(
            Gen.OneOf(EpcTokens).Array[0, 40].Select(string.Concat),
            Gen.Select(Gen.Int[0, 9], Gen.OneOf(EpcTokens)).Select((line, token) =>
            {
                var lines = valid.Split('\n');
                lines[line] = token;
                return string.Join('\n', lines);
            }),
            Gen.String);
        gen.Sample(text =>
        {
            try
            {
                var transfer = EpcQr.Parse(text);
                Assert.True(Iban.TryNormalize(transfer.Iban, out _, out _));
            }
            catch (PaymentInputException e)
            {
                var (field, reasons) = Assert.Single(e.Errors);
                Assert.False(string.IsNullOrWhiteSpace(field));
                Assert.EndsWith(".", Assert.Single(reasons), StringComparison.Ordinal);
            }
        }, iter: 3000);
    }

    [Fact]
    public void Any_IBAN_input_is_accepted_only_with_its_country_length_and_check_digits()
    {
        var gen = Gen.OneOf(
            Gen.String,
            Gen.OneOf(Gen.Char["A-Z0-9 -"]).Array[0, 40].Select(c => new string(c)),
            Gen.Select(Gen.Int[0, 21], Gen.Char["0-9A-Z"]).Select((at, c) => string.Concat("DE89370400440532013000".AsSpan(0, at), c.ToString(), "DE89370400440532013000".AsSpan(at + 1))));
        gen.Sample(input =>
        {
            if (Iban.TryNormalize(input, out var iban, out var error))
            {
                Assert.Null(error);
                Assert.Equal(Iban.LengthFor(iban[..2]), iban.Length);
                Assert.Equal(1, Iban.Mod97(string.Concat(iban.AsSpan(4), iban.AsSpan(0, 4))));
            }
            else
            {
                Assert.NotNull(error);
                Assert.Equal("", iban);
            }
        }, iter: 5000);
    }

    [Fact]
    public void FindIn_returns_only_valid_normalized_references() =>
        Gen.OneOf(ReferenceTokens).Array[0, 30].Select(string.Concat).Sample(text =>
        {
            var found = CreditorReference.FindIn(text);
            Assert.All(found, r => Assert.True(CreditorReference.IsValid(r)));
            Assert.All(found, r => Assert.Equal(CreditorReference.Normalize(r), r));
            Assert.Equal(found.Count, found.Distinct().Count());
        }, iter: 5000);

    [Fact]
    public void Any_damaged_image_is_read_or_refused_as_an_image()
    {
        var png = EpcQr.RenderPng(EpcQr.BuildPayload(new EpcTransfer("Franz Mustermann", "DE89370400440532013000", null, 1m, "EUR", null, null, null, null)), pixelsPerModule: 2);
        using var image = Image.Load<Rgba32>(png);
        var samples = new List<byte[]> { png };
        foreach (var save in new Action<Stream>[] { s => image.SaveAsJpeg(s), s => image.SaveAsGif(s), s => image.SaveAsBmp(s), s => image.SaveAsWebp(s) })
        {
            using var stream = new MemoryStream();
            save(stream);
            samples.Add(stream.ToArray());
        }

        var gen = Gen.Select(Gen.Int[0, samples.Count - 1], Gen.Select(Gen.Int[0, 2], Gen.Int, Gen.Byte).Array[1, 8]).Select((which, edits) =>
        {
            var bytes = samples[which].ToList();
            foreach (var (kind, position, value) in edits)
            {
                var at = (int)((uint)position % (uint)Math.Max(bytes.Count, 1));
                switch (kind)
                {
                    case 0 when bytes.Count > 0: bytes.RemoveAt(at); break;
                    case 1: bytes.Insert(at, value); break;
                    default: if (bytes.Count > 0) { bytes[at] = value; } break;
                }
            }

            return bytes.ToArray();
        });
        gen.Sample(bytes =>
        {
            try
            {
                EpcQr.DecodeImage(bytes, CancellationToken.None);
            }
            catch (PaymentInputException e)
            {
                Assert.NotEmpty(Assert.Single(e.Errors).Value);
            }
        }, iter: 300);
    }
}
