using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Symbolon.Contracts.Requests;
using Symbolon.Core.Requests;
using Symbolon.Core.Storage;
using Symbolon.Server.Vault;

namespace Symbolon.Server.Requests;

/// <summary>
/// Owner API for requests to vendors: send, list, read the thread, reply or close, change the due date, download a
/// vendor's attachment, and the daily summary.
/// </summary>
internal static class RequestEndpoints
{
    public static RouteGroupBuilder MapRequestEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/requests").WithTags("Requests").RequireAuthorization(OwnerAuthentication.Policy);
        group.MapGet("/", ListAsync).WithName("ListRequests").WithSummary("Every request sent to vendors, newest first, with status, due date and overdue flag; filter by relationshipId.");
        group.MapPost("/", CreateAsync).WithName("CreateRequest").WithSummary("Sends a vendor a typed request (access, rectification, erasure, withdraw_consent, restrict_processing, service); the vendor hears of it by webhook.");
        group.MapGet("/summary", GetSummaryAsync).WithName("GetRequestSummary").WithSummary("The latest daily summary of open and overdue requests; 204 before the first one.");
        group.MapGet("/{id:guid}", GetAsync).WithName("GetRequest").WithSummary("One request with its whole thread.");
        group.MapPost("/{id:guid}/replies", ReplyAsync).WithName("ReplyToRequest").WithSummary("The person replies (for example answers the vendor's question) and/or closes the request.");
        group.MapPut("/{id:guid}/due", SetDueAsync).WithName("SetRequestDue").WithSummary("Changes or removes one request's due date.");
        group.MapGet("/{id:guid}/attachments/{attachmentId:guid}", DownloadAsync).WithName("DownloadRequestAttachment").WithSummary("A file a vendor attached, as a download.");
        return group;
    }

    public static IServiceCollection AddRequests(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RequestOptions>().Bind(configuration.GetSection("Requests"));
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<RequestOptions>>().Value);
        services.AddScoped<RequestService>();
        services.AddHostedService<RequestSummaryJob>();
        return services;
    }

    internal static async Task<Ok<IReadOnlyList<RequestSummary>>> ListAsync(ClaimsPrincipal user, VaultKeyRing ring, RequestService requests, TimeProvider time, CancellationToken ct, Guid? relationshipId = null)
    {
        var now = time.GetUtcNow();
        var views = await requests.ListAsync(ring.KeysFor(user), relationshipId, ct);
        return TypedResults.Ok<IReadOnlyList<RequestSummary>>([.. views.Select(v => requests.ToSummary(v, now)).OrderByDescending(s => s.SentAt)]);
    }

    internal static async Task<Created<RequestDetail>> CreateAsync(RequestInput input, ClaimsPrincipal user, VaultKeyRing ring, RequestService requests, TimeProvider time, CancellationToken ct)
    {
        var view = await requests.CreateAsync(ring.KeysFor(user), input, ct);
        return TypedResults.Created($"/owner/api/v1/requests/{view.Entity.Id}", requests.ToDetail(view, time.GetUtcNow()));
    }

    internal static async Task<Ok<RequestDetail>> GetAsync(Guid id, ClaimsPrincipal user, VaultKeyRing ring, RequestService requests, TimeProvider time, CancellationToken ct) =>
        TypedResults.Ok(requests.ToDetail(await requests.GetAsync(ring.KeysFor(user), id, ct), time.GetUtcNow()));

    internal static async Task<Ok<RequestDetail>> ReplyAsync(Guid id, OwnerRequestReplyInput input, ClaimsPrincipal user, VaultKeyRing ring, RequestService requests, TimeProvider time, CancellationToken ct) =>
        TypedResults.Ok(requests.ToDetail(await requests.ReplyAsOwnerAsync(ring.KeysFor(user), id, input, ct), time.GetUtcNow()));

    internal static async Task<Ok<RequestDetail>> SetDueAsync(Guid id, RequestDueInput input, ClaimsPrincipal user, VaultKeyRing ring, RequestService requests, TimeProvider time, CancellationToken ct) =>
        TypedResults.Ok(requests.ToDetail(await requests.SetDueAsync(ring.KeysFor(user), id, input.DueAt, ct), time.GetUtcNow()));

    internal static async Task<Results<Ok<RequestDailySummary>, NoContent>> GetSummaryAsync(ClaimsPrincipal user, VaultKeyRing ring, SymbolonDbContext db, CancellationToken ct) =>
        await RequestDailySummaries.LatestAsync(db, ring.KeysFor(user).VaultId, ct) is { } summary ? TypedResults.Ok(summary) : TypedResults.NoContent();

    /// <summary>
    /// The vendor chose the file's name and type, so it is only ever a download: never rendered in the web app's
    /// origin (Content-Disposition attachment, nosniff, and a sandboxing CSP for good measure).
    /// </summary>
    internal static async Task<FileContentHttpResult> DownloadAsync(Guid id, Guid attachmentId, HttpContext context, ClaimsPrincipal user, VaultKeyRing ring, RequestService requests, CancellationToken ct)
    {
        var (value, _) = await requests.GetAttachmentAsync(ring.KeysFor(user), id, attachmentId, ct);
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'";
        return TypedResults.File(value.Content, value.ContentType, value.FileName);
    }
}
