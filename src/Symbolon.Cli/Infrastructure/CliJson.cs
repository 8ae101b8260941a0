using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

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

    public static void Write<T>(CliEnvironment env, T value) => env.Out.WriteLine(JsonSerializer.Serialize(value, Output));
}
