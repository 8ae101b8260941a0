using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Symbolon.Contracts.Profile;
using Symbolon.Core.Export;
using Symbolon.Core.Profile;
using Symbolon.Core.Records;
using Symbolon.Core.Vaults;
using Symbolon.Server.Vault;

namespace Symbolon.Server.Profile;

/// <summary>Owner API for the profile: fields, their histories, and vCard/jCard exports.</summary>
internal static class ProfileEndpoints
{
    public static RouteGroupBuilder MapProfileEndpoints(this IEndpointRouteBuilder routes)
    {
        var profile = routes.MapGroup("/profile").WithTags("Profile").RequireAuthorization(OwnerAuthentication.Policy);
        profile.MapGet("/", GetProfile).WithName("GetProfile").WithSummary("The current profile: every field with its version.");
        profile.MapPost("/fields", AddField).WithName("AddProfileField").WithSummary("Adds a field (a name, an email address, a postal address ...).");
        profile.MapGet("/fields/{id:guid}", GetField).WithName("GetProfileField").WithSummary("One current field.");
        profile.MapPut("/fields/{id:guid}", UpdateField).WithName("UpdateProfileField").WithSummary("Changes a field; the old value stays in its history.");
        profile.MapDelete("/fields/{id:guid}", DeleteField).WithName("DeleteProfileField").WithSummary("Deletes a field; it stays in history until purged.");
        profile.MapGet("/fields/{id:guid}/history", GetFieldHistory).WithName("GetProfileFieldHistory").WithSummary("Every version of one field: who changed what, when.");
        profile.MapGet("/history", GetHistory).WithName("GetProfileHistory").WithSummary("The history of every field, deleted ones included.");
        profile.MapGet("/vcard", GetVCard).WithName("GetProfileVCard").WithSummary("The profile as a vCard 4.0 (RFC 6350).");
        profile.MapGet("/jcard", GetJCard).WithName("GetProfileJCard").WithSummary("The profile as a jCard (RFC 7095).");
        return profile;
    }

    internal static async Task<Ok<ProfileDocument>> GetProfile(VaultSession session, ProfileService profile, CancellationToken ct) =>
        TypedResults.Ok(await profile.GetAsync(session.Keys, ct));

    internal static async Task<Created<ProfileField>> AddField(ProfileFieldInput input, VaultSession session, ProfileService profile, CancellationToken ct)
    {
        var field = await profile.AddAsync(session.Keys, input, Actor.Owner, ct);
        return TypedResults.Created($"/owner/api/v1/profile/fields/{field.Id}", field);
    }

    internal static async Task<Ok<ProfileField>> GetField(Guid id, VaultSession session, ProfileService profile, CancellationToken ct) =>
        TypedResults.Ok(await profile.GetFieldAsync(session.Keys, id, ct));

    internal static async Task<Ok<ProfileField>> UpdateField(Guid id, ProfileFieldUpdate update, VaultSession session, ProfileService profile, CancellationToken ct) =>
        TypedResults.Ok(await profile.UpdateAsync(session.Keys, id, update, Actor.Owner, ct));

    internal static async Task<NoContent> DeleteField(Guid id, int? expectedVersion, VaultSession session, ProfileService profile, CancellationToken ct)
    {
        await profile.DeleteAsync(session.Keys, id, Actor.Owner, expectedVersion, ct);
        return TypedResults.NoContent();
    }

    internal static async Task<Ok<ProfileFieldHistory>> GetFieldHistory(Guid id, VaultSession session, ProfileService profile, CancellationToken ct) =>
        TypedResults.Ok(await profile.HistoryAsync(session.Keys, id, ct));

    internal static async Task<Ok<IReadOnlyList<ProfileFieldHistory>>> GetHistory(VaultSession session, ProfileService profile, CancellationToken ct) =>
        TypedResults.Ok(await profile.HistoryAllAsync(session.Keys, ct));

    internal static async Task<FileContentHttpResult> GetVCard(VaultSession session, ProfileService profile, CancellationToken ct)
    {
        var document = await profile.GetAsync(session.Keys, ct);
        return TypedResults.File(Encoding.UTF8.GetBytes(VCardWriter.ToVCard(document)), VCardWriter.VCardMediaType + "; charset=utf-8", "profile.vcf");
    }

    internal static async Task<FileContentHttpResult> GetJCard(VaultSession session, ProfileService profile, CancellationToken ct)
    {
        var document = await profile.GetAsync(session.Keys, ct);
        return TypedResults.File(Encoding.UTF8.GetBytes(VCardWriter.ToJCard(document)), VCardWriter.JCardMediaType, "profile.jcard.json");
    }
}
