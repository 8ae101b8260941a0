using System.Net;
using System.Text;
using System.Text.Json;
using Symbolon.Contracts.Statements;

namespace Symbolon.Server.Tests;

/// <summary>The import that streams its progress: rows read and stored while it runs, then the summary or the problem.</summary>
public sealed class ImportProgressApiTests
{
    [Fact]
    public async Task A_long_statement_reports_rows_read_and_stored_before_its_summary()
    {
        using var app = new SymbolonApplicationFactory();
        var (owner, _) = await app.CreateVaultAsync();
        var csv = new StringBuilder("Date,Description,Amount\n");
        for (var i = 0; i < 50_000; i++)
        {
            csv.Append("2025-01-").Append(((i % 28) + 1).ToString("00", System.Globalization.CultureInfo.InvariantCulture)).Append(",CARD PAYMENT ").Append(i).Append(",-1.25\n");
        }

        var lines = await StreamAsync(owner, "/owner/api/v1/imports/stream?fileName=long.csv", Encoding.UTF8.GetBytes(csv.ToString()));

        var parse = lines.Where(l => l.Stage == "parse").ToList();
        var store = lines.Where(l => l.Stage == "store").ToList();
        Assert.True(parse.Count >= 3, $"{parse.Count} parse lines");
        Assert.True(store.Count >= 2, $"{store.Count} store lines");
        Assert.Equal(parse.Select(l => l.Rows), parse.Select(l => l.Rows).Order());
        Assert.Contains(parse, l => l.Rows is > 0 and < 50_000 && l.BytesRead < l.TotalBytes);
        Assert.Equal(50_000, parse[^1].Rows);
        Assert.Equal(50_000, store.Max(l => l.Rows));
        Assert.True(lines.IndexOf(parse[^1]) < lines.IndexOf(store[0]));
        var summary = Assert.Single(lines, l => l.Summary is not null).Summary!;
        Assert.Same(lines[^1].Summary, summary);
        Assert.Equal((50_000, 50_000, "long.csv"), (summary.Parsed, summary.Added, summary.FileName));
    }

    [Fact]
    public async Task A_broken_statement_ends_the_stream_with_the_problem_and_imports_nothing()
    {
        using var app = new SymbolonApplicationFactory();
        var (owner, _) = await app.CreateVaultAsync();

        var lines = await StreamAsync(owner, "/owner/api/v1/imports/stream", Encoding.UTF8.GetBytes("Date,Description,Amount\n2025-01-01,COFFEE,-3.40\n2025-13-45,SECRETSHOP,-1.00\n"));

        var problem = lines[^1].Problem!;
        Assert.Equal("SYM2001", problem.Code);
        Assert.Contains("Line 3", problem.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRETSHOP", problem.Detail, StringComparison.Ordinal);
        var history = await owner.GetStringAsync("/owner/api/v1/imports");
        Assert.Equal("[]", history);

        var anonymous = app.CreateOwnerClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/owner/api/v1/imports/stream", new ByteArrayContent("x"u8.ToArray()))).StatusCode);
    }

    private static async Task<List<ImportProgressLine>> StreamAsync(HttpClient owner, string uri, byte[] body)
    {
        var response = await owner.PostAsync(uri, new ByteArrayContent(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonSerializer.Deserialize<ImportProgressLine>(l, SymbolonApplicationFactory.Json)!)];
    }
}
