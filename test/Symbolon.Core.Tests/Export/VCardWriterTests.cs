using System.Text;
using System.Text.Json;
using Symbolon.Contracts.Profile;
using Symbolon.Core.Export;

namespace Symbolon.Core.Tests.Export;

public class VCardWriterTests
{
    private static readonly ChangeActor You = new("owner", null, "You");

    private static readonly ProfileDocument Ada = new(
    [
        Field(ProfileFieldKinds.Name, name: new PersonName("Ada", "Lovelace", "Augusta", "Hon.")),
        Field(ProfileFieldKinds.Email, "ada@example.org", "home"),
        Field(ProfileFieldKinds.Email, "ada@work.example", "Work"),
        Field(ProfileFieldKinds.Email, "ada@club.example", "club"),
        Field(ProfileFieldKinds.Phone, "+44 20 7946 0000", "home"),
        Field(ProfileFieldKinds.PostalAddress, label: "home", address: new PostalAddress("12 St James's Square", "London", null, "SW1Y 4JH", "GB")),
        Field(ProfileFieldKinds.BirthDate, "1990-04-23"),
        Field(ProfileFieldKinds.Language, "en-GB"),
        Field(ProfileFieldKinds.Preference, "no paper mail"),
    ]);

    [Fact]
    public void A_profile_becomes_a_vcard_4_with_crlf_lines()
    {
        var vcard = VCardWriter.ToVCard(Ada);

        Assert.Equal(
            "BEGIN:VCARD\r\n" +
            "VERSION:4.0\r\n" +
            "FN:Hon. Ada Augusta Lovelace\r\n" +
            "N:Lovelace;Ada;Augusta;Hon.;\r\n" +
            "EMAIL;TYPE=home:ada@example.org\r\n" +
            "EMAIL;TYPE=work:ada@work.example\r\n" +
            "EMAIL:ada@club.example\r\n" +
            "TEL;TYPE=home;VALUE=text:+44 20 7946 0000\r\n" +
            "ADR;TYPE=home:;;12 St James's Square;London;;SW1Y 4JH;GB\r\n" +
            "BDAY:19900423\r\n" +
            "LANG:en-GB\r\n" +
            "NOTE:no paper mail\r\n" +
            "END:VCARD\r\n",
            vcard);
    }

    [Fact]
    public void Without_a_name_the_first_email_stands_in_for_fn_and_n_is_left_out()
    {
        var vcard = VCardWriter.ToVCard(new ProfileDocument([Field(ProfileFieldKinds.Email, "ada@example.org"), Field(ProfileFieldKinds.Email, "b@example.org")]));

        Assert.Contains("\r\nFN:ada@example.org\r\n", vcard, StringComparison.Ordinal);
        Assert.DoesNotContain("\r\nN:", vcard, StringComparison.Ordinal);
    }

    [Fact]
    public void Further_names_become_nicknames()
    {
        var vcard = VCardWriter.ToVCard(new ProfileDocument(
        [
            Field(ProfileFieldKinds.Name, name: new PersonName("Ada", "Lovelace")),
            Field(ProfileFieldKinds.Name, name: new PersonName("Ada", "King")),
        ]));

        Assert.Contains("\r\nFN:Ada Lovelace\r\nN:Lovelace;Ada;;;\r\nNICKNAME:Ada King\r\n", vcard, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_values_escape_backslash_comma_semicolon_and_newlines()
    {
        var vcard = VCardWriter.ToVCard(new ProfileDocument(
        [
            Field(ProfileFieldKinds.Name, name: new PersonName("Ada, Countess", "Lovelace; King")),
            Field(ProfileFieldKinds.PostalAddress, address: new PostalAddress("Flat 2\nSt James's Sq, 12", "London", null, "SW1Y", "GB")),
            Field(ProfileFieldKinds.Preference, "a\\b, c; d\r\ne\nf"),
        ]));

        Assert.Contains("\r\nFN:Ada\\, Countess Lovelace\\; King\r\n", vcard, StringComparison.Ordinal);
        Assert.Contains("\r\nN:Lovelace\\; King;Ada\\, Countess;;;\r\n", vcard, StringComparison.Ordinal);
        Assert.Contains("\r\nADR:;;Flat 2\\nSt James's Sq\\, 12;London;;SW1Y;GB\r\n", vcard, StringComparison.Ordinal);
        Assert.Contains("\r\nNOTE:a\\\\b\\, c\\; d\\ne\\nf\r\n", vcard, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_line_ends_with_crlf_and_no_bare_cr_or_lf_is_left()
    {
        var vcard = VCardWriter.ToVCard(new ProfileDocument([Field(ProfileFieldKinds.Preference, "one\rtwo\nthree\r\nfour")]));

        var withoutCrlf = vcard.Replace("\r\n", "", StringComparison.Ordinal);
        Assert.DoesNotContain('\r', withoutCrlf);
        Assert.DoesNotContain('\n', withoutCrlf);
        Assert.EndsWith("END:VCARD\r\n", vcard, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plain ASCII text that goes on and on, well past the seventy-five octet limit of RFC 6350, twice over and more")]
    [InlineData("Zürich, Köln, Malmö, Łódź, São Paulo, Besançon, Genève, Århus, Göteborg, Düsseldorf, Kraków, Ærøskøbing")]
    [InlineData("☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕☕")]
    [InlineData("emoji 🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉 end")]
    [InlineData("x日本語のテキストは一文字が三オクテットなので行の折り返しが文字の途中に来やすい。日本語のテキストは一文字が三オクテットです。")]
    public void Long_lines_are_folded_at_75_octets_without_splitting_a_character(string note)
    {
        var vcard = VCardWriter.ToVCard(new ProfileDocument([Field(ProfileFieldKinds.Preference, note)]));
        var bytes = Encoding.UTF8.GetBytes(vcard);
        var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

        var physicalLines = SplitCrlf(bytes);
        Assert.All(physicalLines, line =>
        {
            Assert.InRange(line.Length, 0, 75);
            strict.GetString(line);
        });
        var noteStart = physicalLines.FindIndex(l => l.AsSpan().StartsWith("NOTE:"u8));
        var noteLines = physicalLines.Skip(noteStart).TakeWhile((l, i) => i == 0 || (l.Length > 0 && l[0] == ' ')).ToList();
        Assert.True(noteLines.Count >= 2, "the note should have been folded");
        Assert.All(noteLines.Skip(1), l => Assert.Equal((byte)' ', l[0]));
        Assert.All(noteLines.SkipLast(1), l => Assert.True(l.Length >= 72, "a fold should happen only when the next character does not fit"));

        // Unfolding (RFC 6350 section 3.2) gives back the logical line.
        var unfolded = vcard.Replace("\r\n ", "", StringComparison.Ordinal);
        Assert.Contains("\r\nNOTE:" + note.Replace(",", "\\,", StringComparison.Ordinal) + "\r\n", unfolded, StringComparison.Ordinal);
    }

    [Fact]
    public void A_line_of_exactly_75_octets_is_not_folded()
    {
        var note = new string('n', 75 - "NOTE:".Length);

        var vcard = VCardWriter.ToVCard(new ProfileDocument([Field(ProfileFieldKinds.Preference, note)]));

        Assert.Contains("\r\nNOTE:" + note + "\r\nEND:VCARD\r\n", vcard, StringComparison.Ordinal);
        Assert.DoesNotContain(VCardWriter.ToVCard(new ProfileDocument([Field(ProfileFieldKinds.Preference, note + "n")])), "\r\nNOTE:" + note + "n\r\n", StringComparison.Ordinal);
    }

    [Fact]
    public void The_jcard_follows_rfc_7095()
    {
        using var jcard = JsonDocument.Parse(VCardWriter.ToJCard(Ada));
        var root = jcard.RootElement;

        Assert.Equal(JsonValueKind.Array, root.ValueKind);
        Assert.Equal(2, root.GetArrayLength());
        Assert.Equal("vcard", root[0].GetString());
        var properties = root[1].EnumerateArray().Select(p => p.GetRawText()).ToList();
        string[] expected =
            [
                """["version",{},"text","4.0"]""",
                """["fn",{},"text","Hon. Ada Augusta Lovelace"]""",
                """["n",{},"text",["Lovelace","Ada","Augusta","Hon.",""]]""",
                """["email",{"type":"home"},"text","ada@example.org"]""",
                """["email",{"type":"work"},"text","ada@work.example"]""",
                """["email",{},"text","ada@club.example"]""",
                """["tel",{"type":"home"},"text","+44 20 7946 0000"]""",
                """["adr",{"type":"home"},"text",["","","12 St James's Square","London","","SW1Y 4JH","GB"]]""",
                """["bday",{},"date-and-or-time","1990-04-23"]""",
                """["lang",{},"language-tag","en-GB"]""",
                """["note",{},"text","no paper mail"]""",
            ];
        Assert.Equal(expected.Select(Compact), properties.Select(Compact));
    }

    [Fact]
    public void Jcard_values_are_plain_json_strings_without_vcard_escaping()
    {
        using var jcard = JsonDocument.Parse(VCardWriter.ToJCard(new ProfileDocument([Field(ProfileFieldKinds.Preference, "a\\b, c; d\ne ☕")])));

        var note = jcard.RootElement[1].EnumerateArray().Single(p => p[0].GetString() == "note");
        Assert.Equal("a\\b, c; d\ne ☕", note[3].GetString());
    }

    private static string Compact(string json)
    {
        using var document = JsonDocument.Parse(json);
        return JsonSerializer.Serialize(document.RootElement);
    }

    private static List<byte[]> SplitCrlf(byte[] bytes)
    {
        var lines = new List<byte[]>();
        var start = 0;
        for (var i = 0; i + 1 < bytes.Length; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n')
            {
                lines.Add(bytes[start..i]);
                start = i + 2;
                i++;
            }
        }

        Assert.Equal(bytes.Length, start);
        return lines;
    }

    private static ProfileField Field(string kind, string? text = null, string? label = null, PersonName? name = null, PostalAddress? address = null) =>
        new(Guid.CreateVersion7(), kind, label, text, name, address, 1, DateTimeOffset.UnixEpoch, You);
}
