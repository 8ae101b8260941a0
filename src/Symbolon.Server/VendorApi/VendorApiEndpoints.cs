using Microsoft.AspNetCore.Http.HttpResults;
using OpenIddict.Abstractions;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Relationships;
using Symbolon.Core.Terms;
using Symbolon.Core.Vaults;
using Symbolon.Server.Errors;
using Symbolon.Server.OAuth;
using Symbolon.Server.Wallet;

namespace Symbolon.Server.VendorApi;

/// <summary>The vendor-facing API under <c>/api/v1</c> and the protocol metadata at <c>/.well-known/symbolon</c>.</summary>
internal static class VendorApiEndpoints
{
    public const string Prefix = "/api/v1";
    public const string MetadataPath = "/.well-known/symbolon";

    public static IEndpointRouteBuilder MapVendorApiEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet(MetadataPath, GetMetadataAsync)
            .WithName("SymbolonMetadata").WithSummary("The vault's protocol metadata: API base, datatypes, proffered agreements.");
        app.MapVendorOpenApi();

        // The agreement calls authenticate the client with its id and secret inside the handler.
        var clients = app.MapGroup(Prefix).DisableAntiforgery().WithMetadata(new VendorCredentialMetadata(VendorCredential.ClientSecret));
        clients.MapPost("/agreements", AcceptAgreementAsync)
            .WithName("AcceptAgreement").WithSummary("The client accepts one of the proffered agreements; returns the record signed by the vault.");
        clients.MapGet("/agreements/current", GetAgreementAsync)
            .WithName("GetAgreement").WithSummary("The signed agreement record the relationship runs under.");
        clients.MapPut("/agreements/{recordId:guid}/countersignature", CountersignAsync)
            .WithName("CountersignAgreement").WithSummary("Stores the client's Ed25519 countersignature of an agreement record.");

        var data = app.MapGroup(Prefix).DisableAntiforgery().RequireVendorToken().EnforceVendorGrants();
        data.MapGet("/grant", GetGrant)
            .WithName("GetGrant").WithSummary("What the access token's grant allows, as authorization_details.");
        data.MapGet("/profile", GetProfileAsync)
            .WithName("GetVendorProfile").WithSummary("The profile fields the grant allows this vendor to read, narrowed as granted.");
        data.MapVendorDataEndpoints();
        data.MapVendorWalletEndpoints();
        return app;
    }

    private static async Task<Ok<SymbolonMetadata>> GetMetadataAsync(HttpContext context, VaultService vaults, CancellationToken ct)
    {
        var issuer = AuthorizationEndpoints.IssuerOf(context);
        var vault = await vaults.FindAsync(ct);
        return TypedResults.Ok(new SymbolonMetadata(
            issuer,
            issuer + Prefix[1..] + "/",
            1,
            issuer + OAuthServer.RegistrationPath[1..],
            issuer + Prefix[1..] + "/agreements",
            DatatypeCatalog.Describe(),
            vault is null ? [] : AgreementRoster.ProfferedBy(vault.ProfferedAgreements),
            WebhookEventTypes.All)
        {
            OpenApiDocument = issuer + VendorOpenApi.Path[1..],
        });
    }

    private static async Task<IResult> AcceptAgreementAsync(
        AgreementAcceptance acceptance,
        HttpContext context,
        IOpenIddictApplicationManager applications,
        RelationshipService relationships,
        IVaultSessions sessions)
    {
        var relationship = await VendorAccess.AuthenticateClientAsync(context, applications, relationships);
        if (relationship is null)
        {
            return VendorAccess.ClientUnauthorized(context);
        }

        var keys = sessions.Get(relationship.VaultId).Keys;
        try
        {
            var record = await relationships.AcceptAgreementAsync(keys, relationship, acceptance, AuthorizationEndpoints.IssuerOf(context), context.RequestAborted);
            return TypedResults.Created($"{Prefix}/agreements/current", RelationshipService.ToContract(record));
        }
        catch (ProtocolViolationException e)
        {
            return AgreementRefused(e.Message);
        }
    }

    private static async Task<IResult> GetAgreementAsync(HttpContext context, IOpenIddictApplicationManager applications, RelationshipService relationships)
    {
        var relationship = await VendorAccess.AuthenticateClientAsync(context, applications, relationships);
        if (relationship is null)
        {
            return VendorAccess.ClientUnauthorized(context);
        }

        var record = await relationships.FindAgreementAsync(relationship, context.RequestAborted);
        return record is null
            ? TypedResults.Problem(ProblemCatalog.Create(ProblemCodes.RecordNotFound, 404, "No agreement yet.", "Accept one of the proffered agreements first (POST /api/v1/agreements)."))
            : TypedResults.Ok(RelationshipService.ToContract(record));
    }

    private static async Task<IResult> CountersignAsync(
        Guid recordId,
        AgreementCountersignature countersignature,
        HttpContext context,
        IOpenIddictApplicationManager applications,
        RelationshipService relationships)
    {
        var relationship = await VendorAccess.AuthenticateClientAsync(context, applications, relationships);
        if (relationship is null)
        {
            return VendorAccess.ClientUnauthorized(context);
        }

        try
        {
            var record = await relationships.CountersignAsync(relationship, recordId, countersignature.Signature, context.RequestAborted);
            return TypedResults.Ok(RelationshipService.ToContract(record));
        }
        catch (ProtocolViolationException e)
        {
            return AgreementRefused(e.Message);
        }
    }

    private static Ok<IReadOnlyList<AuthorizationDetail>> GetGrant(HttpContext context) =>
        TypedResults.Ok(GrantDetails.ToDetails(context.Caller().Grant ?? throw new InvalidOperationException("GET /grant takes a token, which always has a grant.")));

    private static async Task<IResult> GetProfileAsync(HttpContext context, TimeProvider time)
    {
        var caller = context.Caller();
        var readable = caller.Granted.Where(g => g.Allows(DataActions.Read) && DatatypeCatalog.Find(g.Datatype)?.IsProfile == true).Select(g => g.Datatype).ToList();
        if (readable.Count == 0)
        {
            await VendorAccessLog.AppendAsync(context, caller.Relationship, caller.Grant, DataActions.Read, ["profile"], allowed: false, StatusCodes.Status403Forbidden);
            return NotGranted("This grant does not allow reading any profile field.");
        }

        var disclosed = await VendorProfileCache.DiscloseAsync(context.RequestServices, caller.Relationship, caller.Granted, caller.Session, time.GetUtcNow(), context.RequestAborted);
        var etag = disclosed.ETag;
        context.Response.Headers.ETag = etag;
        context.Response.Headers.CacheControl = "private, no-cache";
        var notModified = context.Request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Select(t => t.Trim()).Contains(etag));
        await VendorAccessLog.AppendAsync(context, caller.Relationship, caller.Grant, DataActions.Read, readable, allowed: true, notModified ? 304 : 200);
        return notModified ? TypedResults.StatusCode(StatusCodes.Status304NotModified) : TypedResults.Bytes(disclosed.Body, "application/json");
    }

    internal static ProblemHttpResult NotGranted(string detail) =>
        TypedResults.Problem(ProblemCatalog.Create(ProblemCodes.NotGranted, StatusCodes.Status403Forbidden, "Not granted.", detail));

    private static ProblemHttpResult AgreementRefused(string detail) =>
        TypedResults.Problem(ProblemCatalog.Create(ProblemCodes.AgreementRefused, StatusCodes.Status400BadRequest, "The agreement was refused.", detail));
}
