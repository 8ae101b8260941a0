// The baseline for Symbolon.Server's start time and idle memory: an empty ASP.NET Core app with the same SDK,
// runtime and build settings, so that the ratio shows what Symbolon itself adds.
// With --serve-file FILE --serve-path PATH (the vendor-read bench) it also answers GET PATH with the file's bytes as
// application/json: the bare endpoint Symbolon's vendor read is compared with, in a process of its own with the same
// runtime settings (server GC) as Symbolon.Server.
var builder = WebApplication.CreateBuilder(args);
var file = builder.Configuration["serve-file"];
var path = builder.Configuration["serve-path"];
if (file is not null && path is not null)
{
    // Symbolon does not log each request either (its defaults quiet ASP.NET Core's per-request lines).
    builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
}

var app = builder.Build();
app.MapGet("/healthz", () => "Healthy");
if (file is not null && path is not null)
{
    var body = await File.ReadAllBytesAsync(file);
    app.MapGet(path, () => Results.Bytes(body, "application/json"));
}

await app.RunAsync();
