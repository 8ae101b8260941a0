// The baseline for Symbolon.Server's start time and idle memory: an empty ASP.NET Core app with the same SDK,
// runtime and build settings, so that the ratio shows what Symbolon itself adds.
var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapGet("/healthz", () => "Healthy");
await app.RunAsync();
