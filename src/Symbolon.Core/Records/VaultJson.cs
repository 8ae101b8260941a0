using System.Text.Json;
using System.Text.Json.Serialization;

namespace Symbolon.Core.Records;

/// <summary>How record values are written before they are sealed: camelCase, nulls omitted, no indentation.</summary>
internal static class VaultJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,
    };

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    public static T Deserialize<T>(byte[] json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException("A record holds null.");
}
