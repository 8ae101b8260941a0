// The baseline for Symbolon.Server's start time and idle memory: an empty ASP.NET Core app with the same SDK,
// runtime and build settings, so that the ratio shows what Symbolon itself adds.
// With --serve-file FILE --serve-path PATH (the vendor-read bench) it also answers GET PATH with the file's bytes as
// application/json: the bare endpoint Symbolon's vendor read is compared with, in a process of its own with the same
// runtime settings (server GC) as Symbolon.Server.
// With --relay true (the intents bench) it is a bare HTTP relay, the floor the intent exchange is compared with:
// POST /relay/{id} keeps the body in memory (201), GET /relay/{id}?after=N gives the next 100 bodies back as they came
// ({"offers":[...],"next":M}), POST /relay-publish?to=URL posts the body on to URL and answers once it was delivered.
using System.Collections.Concurrent;

var builder = WebApplication.CreateBuilder(args);
var file = builder.Configuration["serve-file"];
var path = builder.Configuration["serve-path"];
var relay = string.Equals(builder.Configuration["relay"], "true", StringComparison.OrdinalIgnoreCase);
if ((file is not null && path is not null) || relay)
{
    // Symbolon does not log each request either (its defaults quiet ASP.NET Core's per-request lines).
    builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
    builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
}

var app = builder.Build();
app.MapGet("/healthz", () => "Healthy");
if (file is not null && path is not null)
{
    var body = await File.ReadAllBytesAsync(file);
    app.MapGet(path, () => Results.Bytes(body, "application/json"));
}

if (relay)
{
    var bodies = new ConcurrentDictionary<string, List<byte[]>>(StringComparer.Ordinal);
    var forward = new HttpClient(new SocketsHttpHandler { UseProxy = false });
    app.MapPost("/relay/{id}", async (string id, HttpRequest request) =>
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var list = bodies.GetOrAdd(id, _ => []);
        int count;
        lock (list)
        {
            list.Add(buffer.ToArray());
            count = list.Count;
        }

        return Results.Json(new { offer_id = $"r{count}", received_at = TimeProvider.System.GetUtcNow() }, statusCode: 201);
    });
    app.MapGet("/relay/{id}", (string id, int? after) =>
    {
        var start = after ?? 0;
        byte[][] page;
        if (!bodies.TryGetValue(id, out var list))
        {
            page = [];
        }
        else
        {
            lock (list)
            {
                page = [.. list.Skip(start).Take(100)];
            }
        }

        using var output = new MemoryStream();
        output.Write("{\"offers\":["u8);
        for (var i = 0; i < page.Length; i++)
        {
            if (i > 0)
            {
                output.WriteByte((byte)',');
            }

            output.Write(page[i]);
        }

        output.Write(System.Text.Encoding.ASCII.GetBytes($"],\"next\":{start + page.Length}}}"));
        return Results.Bytes(output.ToArray(), "application/json");
    });
    app.MapPost("/relay-publish", async (string to, HttpRequest request) =>
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        using var content = new ByteArrayContent(buffer.ToArray());
        content.Headers.ContentType = new("application/json");
        using var response = await forward.PostAsync(new Uri(to), content);
        return Results.StatusCode(response.IsSuccessStatusCode ? 202 : 502);
    });
}

await app.RunAsync();
