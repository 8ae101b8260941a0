using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Symbolon.Contracts.Vault;
using Symbolon.Core.Backup;
using Symbolon.Core.Export;
using Symbolon.Core.Records;
using Symbolon.Core.Vaults;
using Symbolon.Server.Vault;

namespace Symbolon.Server.Export;

/// <summary>Owner API for taking everything out: the JSON export, the encrypted backup, and purging tombstones.</summary>
internal static class ExportEndpoints
{
    public static RouteGroupBuilder MapExportEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/").WithTags("Export").RequireAuthorization(OwnerAuthentication.Policy);
        group.MapGet("/export", Export).WithName("ExportVault").WithSummary("The whole vault as plain JSON (format symbolon.export v2, see docs/export-format.md).");
        group.MapGet("/backup", Backup).WithName("BackupVault").WithSummary("An encrypted backup file; restore it with `symbolon restore`.");
        group.MapPost("/purge", Purge).WithName("PurgeDeleted").WithSummary("Removes deleted records and their histories for good.");
        return group;
    }

    internal static async Task Export(VaultSession session, VaultExporter exporter, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        var keys = session.Keys;
        http.Response.ContentType = "application/json; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"symbolon-export-{Stamp(time)}.json\"";
        http.Response.Headers.CacheControl = "no-store";
        await exporter.WriteAsync(keys, http.Response.Body, ct);
    }

    internal static async Task Backup(VaultSession session, BackupService backups, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        var keys = session.Keys;
        http.Response.ContentType = "application/octet-stream";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"symbolon-{Stamp(time)}.symbolon-backup\"";
        http.Response.Headers.CacheControl = "no-store";

        // Note: the backup writer uses synchronous stream writes inside its encrypting stream, which Kestrel
        // forbids on the response body, so it is written to a buffered temporary file first.
        var temp = Path.GetTempFileName();
        try
        {
            await using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous))
            {
                await backups.WriteAsync(keys, file, ct);
            }

            await using var read = new FileStream(temp, FileMode.Open, FileAccess.Read, FileShare.None, 64 * 1024, FileOptions.Asynchronous);
            http.Response.ContentLength = read.Length;
            await read.CopyToAsync(http.Response.Body, ct);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    internal static async Task<Ok<PurgeResponse>> Purge(ClaimsPrincipal user, RecordStore records, CancellationToken ct) =>
        TypedResults.Ok(new PurgeResponse(await records.PurgeDeletedAsync(user.VaultId(), ct)));

    private static string Stamp(TimeProvider time) => time.GetUtcNow().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
}
