using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Symbolon.Contracts.Relationships;
using Symbolon.Core.Relationships;
using Symbolon.Server.Vault;

namespace Symbolon.Server.Relationships;

/// <summary>
/// Owner API for relationships: the vendors, their agreements and grants, consent receipts, the access log, and
/// one call to revoke a grant or end a relationship. None of it needs the vault's keys: a person can revoke while
/// the vault is locked.
/// </summary>
internal static class RelationshipEndpoints
{
    private static readonly JsonSerializerOptions Download = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static RouteGroupBuilder MapRelationshipEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/").WithTags("Relationships").RequireAuthorization(OwnerAuthentication.Policy);
        group.MapGet("/relationships", List).WithName("ListRelationships").WithSummary("Every vendor relationship, with its agreement, active grants and last access.");
        group.MapGet("/relationships/pages", ListPage).WithName("ListRelationshipsPaged").WithSummary("The relationships list one page at a time (limit, offset), in the same order, with the total.");
        group.MapGet("/relationships/{id:guid}", Get).WithName("GetRelationship").WithSummary("One relationship: its agreement and every grant, field by field.");
        group.MapPost("/relationships/{id:guid}/end", End).WithName("EndRelationship").WithSummary("Ends the relationship: every grant and token of the vendor stops working at once.");
        group.MapGet("/relationships/{id:guid}/agreement", GetAgreementRecord).WithName("DownloadAgreementRecord").WithSummary("The signed agreement record the relationship runs under, as a download.");
        group.MapGet("/relationships/{id:guid}/access-log", GetRelationshipAccessLog).WithName("GetRelationshipAccessLog").WithSummary("Every read and write of this vendor, newest first, paged.");
        group.MapGet("/grants/{id:guid}", GetGrant).WithName("GetOwnerGrant").WithSummary("One grant, field by field.");
        group.MapPost("/grants/{id:guid}/revoke", Revoke).WithName("RevokeGrant").WithSummary("Revokes a grant: its tokens stop working at once.");
        group.MapGet("/grants/{id:guid}/receipt", GetReceipt).WithName("DownloadConsentReceipt").WithSummary("The grant's consent receipt with the vault's Ed25519 signature and public key, as a download.");
        group.MapGet("/access-log", GetAccessLog).WithName("GetAccessLog").WithSummary("Every vendor read and write across all relationships, newest first, paged.");
        return group;
    }

    internal static async Task<Ok<IReadOnlyList<RelationshipSummary>>> List(ClaimsPrincipal user, RelationshipViews views, CancellationToken ct) =>
        TypedResults.Ok(await views.ListAsync(user.VaultId(), ct));

    internal static async Task<Ok<RelationshipPage>> ListPage(ClaimsPrincipal user, RelationshipViews views, CancellationToken ct, int? limit = null, int? offset = null) =>
        TypedResults.Ok(await views.ListPageAsync(user.VaultId(), limit ?? RelationshipViews.DefaultPageSize, offset ?? 0, ct));

    internal static async Task<Ok<RelationshipDetail>> Get(Guid id, ClaimsPrincipal user, RelationshipViews views, CancellationToken ct) =>
        TypedResults.Ok(await views.GetAsync(user.VaultId(), id, ct));

    internal static async Task<Ok<RelationshipDetail>> End(Guid id, ClaimsPrincipal user, GrantRevocation revocation, RelationshipViews views, CancellationToken ct)
    {
        await revocation.EndRelationshipAsync(user.VaultId(), id, ct);
        return TypedResults.Ok(await views.GetAsync(user.VaultId(), id, ct));
    }

    internal static async Task<FileContentHttpResult> GetAgreementRecord(Guid id, ClaimsPrincipal user, RelationshipViews views, CancellationToken ct)
    {
        var record = await views.AgreementRecordAsync(user.VaultId(), id, ct);
        return TypedResults.File(JsonSerializer.SerializeToUtf8Bytes(record, Download), "application/json", $"agreement-{record.Content.RecordId}.json");
    }

    internal static async Task<Ok<AccessLogPage>> GetRelationshipAccessLog(Guid id, ClaimsPrincipal user, RelationshipViews views, CancellationToken ct, int? limit = null, int? offset = null) =>
        TypedResults.Ok(await views.AccessLogAsync(user.VaultId(), id, limit ?? RelationshipViews.DefaultPageSize, offset ?? 0, ct));

    internal static async Task<Ok<AccessLogPage>> GetAccessLog(ClaimsPrincipal user, RelationshipViews views, CancellationToken ct, int? limit = null, int? offset = null) =>
        TypedResults.Ok(await views.AccessLogAsync(user.VaultId(), null, limit ?? RelationshipViews.DefaultPageSize, offset ?? 0, ct));

    internal static async Task<Ok<RelationshipGrant>> GetGrant(Guid id, ClaimsPrincipal user, RelationshipViews views, CancellationToken ct) =>
        TypedResults.Ok(await views.GetGrantAsync(user.VaultId(), id, ct));

    internal static async Task<Ok<RelationshipGrant>> Revoke(Guid id, ClaimsPrincipal user, GrantRevocation revocation, RelationshipViews views, CancellationToken ct)
    {
        await revocation.RevokeGrantAsync(user.VaultId(), id, ct);
        return TypedResults.Ok(await views.GetGrantAsync(user.VaultId(), id, ct));
    }

    internal static async Task<FileContentHttpResult> GetReceipt(Guid id, ClaimsPrincipal user, RelationshipViews views, CancellationToken ct)
    {
        var receipt = await views.ReceiptAsync(user.VaultId(), id, ct);
        return TypedResults.File(JsonSerializer.SerializeToUtf8Bytes(receipt, Download), "application/json", $"consent-receipt-{id}.json");
    }
}
