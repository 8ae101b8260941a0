using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Symbolon.Contracts.LoyaltyCards;
using Symbolon.Core.LoyaltyCards;
using Symbolon.Core.Records;
using Symbolon.Core.Vaults;
using Symbolon.Server.Vault;

namespace Symbolon.Server.LoyaltyCards;

/// <summary>Owner API for the loyalty cards the person already had: add, change, delete, and Catima CSV in and out.</summary>
internal static class LoyaltyCardEndpoints
{
    public static RouteGroupBuilder MapLoyaltyCardEndpoints(this IEndpointRouteBuilder routes)
    {
        var cards = routes.MapGroup("/loyalty-cards").WithTags("Loyalty cards").RequireAuthorization(OwnerAuthentication.Policy);
        cards.MapGet("/", List).WithName("ListLoyaltyCards").WithSummary("Every kept loyalty card, starred first, then by store.");
        cards.MapPost("/", Add).WithName("AddLoyaltyCard").WithSummary("Adds a card; the card number must fit its barcode format.");
        cards.MapGet("/{id:guid}", Get).WithName("GetLoyaltyCard").WithSummary("One card.");
        cards.MapPut("/{id:guid}", Update).WithName("UpdateLoyaltyCard").WithSummary("Changes a card; the old values stay in its history.");
        cards.MapDelete("/{id:guid}", Delete).WithName("DeleteLoyaltyCard").WithSummary("Deletes a card; it stays in history until purged.");
        cards.MapPost("/import/catima", Import).WithName("ImportCatimaCsv")
            .WithSummary("Imports a Catima export (the body: its .zip as application/zip, or catima.csv as text/csv; at most 16 MiB): every card or, on any error, none.")
            .Accepts<string>(CatimaCsv.MediaType, "application/zip");
        cards.MapGet("/export/catima", Export).WithName("ExportCatimaCsv").WithSummary("Every card as a Catima CSV export, which Catima imports.");
        return cards;
    }

    internal static async Task<Ok<IReadOnlyList<LoyaltyCard>>> List(VaultSession session, LoyaltyCardService cards, CancellationToken ct) =>
        TypedResults.Ok(await cards.ListAsync(session.Keys, ct));

    internal static async Task<Created<LoyaltyCard>> Add(LoyaltyCardInput input, VaultSession session, LoyaltyCardService cards, CancellationToken ct)
    {
        var card = await cards.AddAsync(session.Keys, input, Actor.Owner, ct);
        return TypedResults.Created($"/owner/api/v1/loyalty-cards/{card.Id}", card);
    }

    internal static async Task<Ok<LoyaltyCard>> Get(Guid id, VaultSession session, LoyaltyCardService cards, CancellationToken ct) =>
        TypedResults.Ok(await cards.GetAsync(session.Keys, id, ct));

    internal static async Task<Ok<LoyaltyCard>> Update(Guid id, LoyaltyCardInput input, VaultSession session, LoyaltyCardService cards, CancellationToken ct) =>
        TypedResults.Ok(await cards.UpdateAsync(session.Keys, id, input, Actor.Owner, ct));

    internal static async Task<NoContent> Delete(Guid id, int? expectedVersion, VaultSession session, LoyaltyCardService cards, CancellationToken ct)
    {
        await cards.DeleteAsync(session.Keys, id, Actor.Owner, expectedVersion, ct);
        return TypedResults.NoContent();
    }

    internal static async Task<Ok<LoyaltyCardImportResult>> Import(HttpRequest request, VaultSession session, LoyaltyCardService cards, CancellationToken ct)
    {
        var keys = session.Keys;

        // The CSV parser reads synchronously, which Kestrel forbids on the request body; the body (at most the owner
        // API's limit) is read into memory first.
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, ct);
        body.Position = 0;
        return TypedResults.Ok(await cards.ImportCatimaAsync(keys, body, Actor.Owner, ct));
    }

    internal static async Task<FileContentHttpResult> Export(VaultSession session, LoyaltyCardService cards, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        var csv = await cards.ExportCatimaAsync(session.Keys, ct);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.File(csv, CatimaCsv.MediaType + "; charset=utf-8", ExportFileName(time));
    }

    internal static string ExportFileName(TimeProvider time) =>
        $"catima-{time.GetUtcNow().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.csv";
}
