using Microsoft.Data.Sqlite;
using Symbolon.Cli.Infrastructure;
using Symbolon.Contracts.Relationships;

namespace Symbolon.Cli.Tests;

/// <summary>
/// A vendor's name stored before the server refused control characters reaches the terminal with them made
/// visible: no escape sequence retitles the window or rewrites the screen, no bidirectional override reverses text.
/// </summary>
public sealed class VendorTextDisplayTests : IDisposable
{
    private const string Hostile = "Harbour\u001B]0;owned\u0007 Books\u202E\u009B2J";
    private const string Shown = "Harbour\\x1B]0;owned\\x07 Books\\u202E\\x9B2J";

    private readonly CliHarness _cli = new();

    [Fact]
    public async Task A_vendor_name_with_control_characters_stored_earlier_is_printed_with_them_escaped()
    {
        string clientId;
        await using (var server = await RunningServer.StartAsync(_cli.DataDirectory))
        {
            _cli.Environment["SYMBOLON_SERVER"] = server.Url.ToString();
            await _cli.InitAsync();
            using var vendor = await VendorOverHttp.RegisterAsync(server.Url, "Harbour Books");
            await vendor.GrantAsync(CliHarness.Passphrase, ["profile.email"], "Tell you when your book arrives");
            clientId = vendor.ClientId;
        }

        // As an older server stored it, before registration refused control characters.
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(_cli.DataDirectory, "symbolon.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE relationships SET VendorName = $name";
            command.Parameters.AddWithValue("$name", Hostile);
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        _cli.Environment.Remove("SYMBOLON_SERVER");
        foreach (var args in new[] { new[] { "relationships", "list" }, ["relationships", "show", clientId], ["receipts"] })
        {
            var output = (await _cli.RunWithPassphraseAsync(args)).Succeeded();
            Assert.Contains(Shown.Replace(" ", "", StringComparison.Ordinal), output.Stdout.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
            AssertNoControls(output.Stdout);
            AssertNoControls(output.Stderr);
        }

        // JSON output keeps the value (a script reads it exactly) with every such character escaped by JSON.
        var json = (await _cli.RunWithPassphraseAsync("relationships", "list", "--json")).Succeeded();
        AssertNoControls(json.Stdout);
        Assert.Equal(Hostile, Assert.Single(json.Json<List<RelationshipSummary>>()).VendorName);
    }

    [Theory]
    [InlineData("Blue Door Coffee", false, "Blue Door Coffee")]
    [InlineData("a\u001B[31mred", false, "a\\x1B[31mred")]
    [InlineData("line one\nline two\ttab", true, "line one\nline two\ttab")]
    [InlineData("line one\nline two\ttab", false, "line one\\x0Aline two\\x09tab")]
    [InlineData("over\rwrite", true, "over\\x0Dwrite")]
    [InlineData("\u2066isolate\u2069 \u202Aembed\u202C", false, "\\u2066isolate\\u2069 \\u202Aembed\\u202C")]
    [InlineData("caf\u00e9 \u2603", false, "caf\u00e9 \u2603")]
    public void Text_for_the_terminal_shows_controls_as_escapes(string text, bool keepLineBreaks, string shown) =>
        Assert.Equal(shown, Display.Safe(text, keepLineBreaks));

    public void Dispose() => _cli.Dispose();

    private static void AssertNoControls(string text) =>
        Assert.DoesNotContain(text, c => (char.IsControl(c) && c is not '\n' and not '\r' and not '\t') || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069');
}
