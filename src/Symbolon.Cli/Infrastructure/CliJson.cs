using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Symbolon.Core.Validation;

namespace Symbolon.Cli.Infrastructure;

internal static class CliJson
{
    /// <summary>The owner API's JSON: web defaults (camelCase), nulls left out.</summary>
    public static JsonSerializerOptions Wire { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>JSON printed for people and scripts: as on the wire, indented, and with letters such as é left as they are.</summary>
    public static JsonSerializerOptions Output { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write<T>(CliEnvironment env, T value) => env.Out.WriteLine(Escaped(JsonSerializer.Serialize(value, Output)));

    /// <summary>
    /// The relaxed encoder leaves bidirectional overrides as they are; in JSON they can only stand inside strings,
    /// where <c>\u202E</c> means the same, so they are escaped too and JSON on a terminal reads as it is. (Other
    /// control characters are escaped by the serializer; line breaks and tabs outside strings are the indentation.)
    /// </summary>
    private static string Escaped(string json)
    {
        if (!json.Any(IsEscaped))
        {
            return json;
        }

        var escaped = new StringBuilder(json.Length + 16);
        foreach (var c in json)
        {
            if (IsEscaped(c))
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                escaped.Append(c);
            }
        }

        return escaped.ToString();
    }

    private static bool IsEscaped(char c) => VendorText.IsUnsafe(c) && c is not '\n' and not '\r' and not '\t';
}
