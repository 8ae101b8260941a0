using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Symbolon.Contracts.Requests;
using Symbolon.Core.Requests;
using Symbolon.Core.Storage;
using Symbolon.Core.Vaults;
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

    /// <summary>The server's side of requests (Core's <c>AddRequests</c> registers the service): due-date options and the daily summary.</summary>
    public static IServiceCollection AddRequestJobs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RequestOptions>().Bind(configuration.GetSection("Requests"));
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<RequestOptions>>().Value);
        services.AddHostedService<RequestSummaryJob>();
        return services;
    }

    internal static async Task<Ok<IReadOnlyList<RequestSummary>>> ListAsync(VaultSession session, RequestService requests, TimeProvider time, CancellationToken ct, Guid? relationshipId = null)
    {
        var now = time.GetUtcNow();
        var views = await requests.ListAsync(session.Keys, relationshipId, ct);
        return TypedResults.Ok<IReadOnlyList<RequestSummary>>([.. views.Select(v => requests.ToSummary(v, now)).OrderByDescending(s => s.SentAt)]);
    }

    internal static async Task<Created<RequestDetail>> CreateAsync(RequestInput input, VaultSession session, RequestService requests, TimeProvider time, CancellationToken ct)
    {
        var view = await requests.CreateAsync(session.Keys, input, ct);
        return TypedResults.Created($"/owner/api/v1/requests/{view.Entity.Id}", requests.ToDetail(view, time.GetUtcNow()));
    }

    internal static async Task<Ok<RequestDetail>> GetAsync(Guid id, VaultSession session, RequestService requests, TimeProvider time, CancellationToken ct) =>
        TypedResults.Ok(requests.ToDetail(await requests.GetAsync(session.Keys, id, ct), time.GetUtcNow()));

    internal static async Task<Ok<RequestDetail>> ReplyAsync(Guid id, OwnerRequestReplyInput input, VaultSession session, RequestService requests, TimeProvider time, CancellationToken ct) =>
        TypedResults.Ok(requests.ToDetail(await requests.ReplyAsOwnerAsync(session.Keys, id, input, ct), time.GetUtcNow()));

    internal static async Task<Ok<RequestDetail>> SetDueAsync(Guid id, RequestDueInput input, VaultSession session, RequestService requests, TimeProvider time, CancellationToken ct) =>
        TypedResults.Ok(requests.ToDetail(await requests.SetDueAsync(session.Keys, id, input.DueAt, ct), time.GetUtcNow()));

    internal static async Task<Results<Ok<RequestDailySummary>, NoContent>> GetSummaryAsync(VaultSession session, SymbolonDbContext db, CancellationToken ct) =>
        await RequestDailySummaries.LatestAsync(db, session.Keys.VaultId, ct) is { } summary ? TypedResults.Ok(summary) : TypedResults.NoContent();

    /// <summary>
    /// The vendor chose the file's name and type, so it is only ever a download: never rendered in the web app's
    /// origin (Content-Disposition attachment, nosniff, and a sandboxing CSP for good measure).
    /// </summary>
    internal static async Task<FileContentHttpResult> DownloadAsync(Guid id, Guid attachmentId, HttpContext context, VaultSession session, RequestService requests, CancellationToken ct)
    {
        var (value, _) = await requests.GetAttachmentAsync(session.Keys, id, attachmentId, ct);
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'";
        return TypedResults.File(value.Content, value.ContentType, value.FileName);
    }
}
