using System.Globalization;
using System.Text;
using Spectre.Console;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Vault;
using Symbolon.Core.Validation;

namespace Symbolon.Cli.Infrastructure;

/// <summary>How values are written for people: times in the local zone, names and addresses on one line.</summary>
internal static class Display
{
    /// <summary>Below this many columns, wide tables (profile fields, tokens) are written as two-line entries.</summary>
    public const int WideTableWidth = 110;

    public static string Time(DateTimeOffset value, TimeProvider time) =>
        TimeZoneInfo.ConvertTime(value, time.LocalTimeZone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset? value, TimeProvider time, string none = "") => value is { } v ? Time(v, time) : none;

    public static string Value(string? text, PersonName? name, PostalAddress? address) =>
        name?.Display ?? (address is null ? text : Address(address)) ?? "";

    public static string Value(ProfileField field) => Value(field.Text, field.Name, field.Address);

    public static string Address(PostalAddress address)
    {
        var town = string.Join(' ', new[] { address.PostalCode, address.Locality }.Where(p => !string.IsNullOrWhiteSpace(p)));
        return string.Join(", ", new[] { address.Street, town, address.Region, address.Country }.Where(p => !string.IsNullOrWhiteSpace(p)));
    }

    public static string Kdf(KdfDescription kdf) =>
        string.Create(CultureInfo.InvariantCulture, $"{kdf.Algorithm}, {kdf.MemoryKiB / 1024} MiB, {kdf.Iterations} passes, {kdf.Parallelism} lane{(kdf.Parallelism == 1 ? "" : "s")}");

    public static string Size(long bytes) => bytes < 1024
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KiB");

    /// <summary>
    /// A table cell: plain text, never read as Spectre markup (values may hold brackets), with control characters
    /// made visible (<see cref="Safe"/>).
    /// </summary>
    public static Text Cell(string? value) => new(Safe(value));

    /// <summary>
    /// Text as it may reach a terminal. Values come from vendors (names, messages, notes, receipts) and may have been
    /// stored before the server refused control characters; written raw, an escape sequence could retitle the window,
    /// rewrite lines already shown or hide text, and a bidirectional override could make a name read backwards. Each
    /// such character is shown as an escape instead (<c>\x1B</c>, <c>\u202E</c>); line breaks and tabs stay when
    /// <paramref name="keepLineBreaks"/> is true.
    /// </summary>
    public static string Safe(string? value, bool keepLineBreaks = false)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        if (!value.Any(c => IsEscaped(c, keepLineBreaks)))
        {
            return value;
        }

        var safe = new StringBuilder(value.Length + 16);
        foreach (var c in value)
        {
            if (!IsEscaped(c, keepLineBreaks))
            {
                safe.Append(c);
            }
            else if (c <= '\u00FF')
            {
                safe.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}");
            }
            else
            {
                safe.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
        }

        return safe.ToString();
    }

    private static bool IsEscaped(char c, bool keepLineBreaks) => VendorText.IsUnsafe(c) && !(keepLineBreaks && c is '\n' or '\t');

    /// <summary>Names and values, aligned, one per line (plain text, so that scripts can read it too).</summary>
    public static void Facts(TextWriter output, IReadOnlyList<(string Name, string Value)> facts)
    {
        var width = facts.Max(f => f.Name.Length) + 2;
        foreach (var (name, value) in facts)
        {
            output.WriteLine((name + ":").PadRight(width) + Safe(value));
        }
    }

    /// <summary>Runs <paramref name="work"/> under a spinner on standard error, when that is a terminal and <paramref name="show"/> allows.</summary>
    public static async Task<T> WithStatusAsync<T>(CliEnvironment env, string status, Func<Task<T>> work, bool show = true)
    {
        if (!show || !env.IsErrorTerminal)
        {
            return await work();
        }

        return await env.ErrorConsole.Status().StartAsync(status, _ => work());
    }

    public static async Task WithStatusAsync(CliEnvironment env, string status, Func<Task> work, bool show = true) =>
        await WithStatusAsync(env, status, async () =>
        {
            await work();
            return true;
        }, show);
}
