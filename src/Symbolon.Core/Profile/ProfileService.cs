using Microsoft.EntityFrameworkCore;
using Symbolon.Contracts.Profile;
using Symbolon.Core.Records;
using Symbolon.Core.Storage;
using Symbolon.Core.Validation;
using Symbolon.Core.Vaults;

namespace Symbolon.Core.Profile;

/// <summary>The person's profile: each field value is its own versioned record of type <c>profile.&lt;kind&gt;</c>.</summary>
internal sealed class ProfileService(RecordStore records, SymbolonDbContext db, TimeProvider time)
{
    public const string TypePrefix = "profile.";

    public static string RecordType(string kind) => TypePrefix + kind;

    public static string KindOf(string recordType) => recordType[TypePrefix.Length..];

    public async Task<ProfileDocument> GetAsync(VaultKeys keys, CancellationToken ct = default)
    {
        var current = await records.ListAsync(keys, TypePrefix, ct);
        var fields = current
            .Select(ToField)
            .OrderBy(f => IndexOfKind(f.Kind))
            .ThenBy(f => f.Id)
            .ToList();
        var names = await VendorNamesAsync(keys.VaultId, fields.Select(f => f.UpdatedBy), ct);
        return new ProfileDocument([.. fields.Select(f => f with { UpdatedBy = Named(f.UpdatedBy, names) })]);
    }

    public async Task<ProfileField> GetFieldAsync(VaultKeys keys, Guid id, CancellationToken ct = default)
    {
        var record = await records.FindAsync(keys, id, ct);
        if (record is null || !record.Type.StartsWith(TypePrefix, StringComparison.Ordinal))
        {
            throw new RecordNotFoundException(id);
        }

        var field = ToField(record);
        return field with { UpdatedBy = Named(field.UpdatedBy, await VendorNamesAsync(keys.VaultId, [field.UpdatedBy], ct)) };
    }

    public async Task<ProfileField> AddAsync(VaultKeys keys, ProfileFieldInput input, Actor actor, CancellationToken ct = default)
    {
        var value = ProfileValidator.Normalize(input.Kind, input.Label, input.Text, input.Name, input.Address, time);
        if (input.Kind == ProfileFieldKinds.BirthDate && (await records.ListAsync(keys, RecordType(ProfileFieldKinds.BirthDate), ct)).Count > 0)
        {
            throw ValidationFailedException.For("kind", "The profile already has a birth date; change that one instead.");
        }

        var record = await records.CreateAsync(keys, RecordType(input.Kind), VaultJson.Serialize(value), actor, ct);
        return ToField(record);
    }

    public async Task<ProfileField> UpdateAsync(VaultKeys keys, Guid id, ProfileFieldUpdate update, Actor actor, CancellationToken ct = default)
    {
        var existing = await GetFieldAsync(keys, id, ct);
        var value = ProfileValidator.Normalize(existing.Kind, update.Label, update.Text, update.Name, update.Address, time);
        var record = await records.UpdateAsync(keys, id, VaultJson.Serialize(value), actor, update.ExpectedVersion, ct);
        return ToField(record);
    }

    public async Task DeleteAsync(VaultKeys keys, Guid id, Actor actor, int? expectedVersion = null, CancellationToken ct = default)
    {
        await GetFieldAsync(keys, id, ct);
        await records.DeleteAsync(keys, id, actor, expectedVersion, ct);
    }

    public async Task<ProfileFieldHistory> HistoryAsync(VaultKeys keys, Guid id, CancellationToken ct = default)
    {
        var (head, versions) = await records.HistoryAsync(keys, id, ct);
        if (!head.Type.StartsWith(TypePrefix, StringComparison.Ordinal))
        {
            throw new RecordNotFoundException(id);
        }

        return await NamedAsync(keys.VaultId, ToHistory(head.Id, head.Type, head.DeletedAt is not null, versions), ct);
    }

    /// <summary>The history of every profile field, deleted ones included, in profile order.</summary>
    public async Task<IReadOnlyList<ProfileFieldHistory>> HistoryAllAsync(VaultKeys keys, CancellationToken ct = default)
    {
        var heads = await records.ListHeadsAsync(keys.VaultId, TypePrefix, ct);
        var result = new List<ProfileFieldHistory>(heads.Count);
        foreach (var head in heads)
        {
            var (_, versions) = await records.HistoryAsync(keys, head.Id, ct);
            result.Add(await NamedAsync(keys.VaultId, ToHistory(head.Id, head.Type, head.DeletedAt is not null, versions), ct));
        }

        return [.. result.OrderBy(h => IndexOfKind(h.Kind)).ThenBy(h => h.FieldId)];
    }

    public static ChangeActor Describe(Actor actor) =>
        actor.Kind == Actor.OwnerKind ? new ChangeActor(actor.Kind, null, "You") : new ChangeActor(actor.Kind, actor.Id, actor.Id ?? "A vendor");

    /// <summary>The names the vendors among these actors registered with (their relationships'), by client id.</summary>
    private async Task<Dictionary<string, string>> VendorNamesAsync(Guid vaultId, IEnumerable<ChangeActor> actors, CancellationToken ct)
    {
        var ids = actors.Where(a => a.Kind == Actor.VendorKind && a.Id is not null).Select(a => a.Id!).Distinct().ToList();
        return ids.Count == 0
            ? []
            : await db.Relationships.AsNoTracking().Where(r => r.VaultId == vaultId && ids.Contains(r.ClientId)).ToDictionaryAsync(r => r.ClientId, r => r.VendorName, StringComparer.Ordinal, ct);
    }

    private static ChangeActor Named(ChangeActor actor, Dictionary<string, string> names) =>
        actor.Id is { } id && names.TryGetValue(id, out var name) ? actor with { DisplayName = name } : actor;

    private async Task<ProfileFieldHistory> NamedAsync(Guid vaultId, ProfileFieldHistory history, CancellationToken ct)
    {
        var names = await VendorNamesAsync(vaultId, history.Versions.Select(v => v.Actor), ct);
        return names.Count == 0 ? history : history with { Versions = [.. history.Versions.Select(v => v with { Actor = Named(v.Actor, names) })] };
    }

    private static ProfileFieldHistory ToHistory(Guid id, string type, bool deleted, IReadOnlyList<RecordVersion> versions) => new(
        id,
        KindOf(type),
        deleted,
        [.. versions.Select(v =>
        {
            var value = v.Json is null ? null : VaultJson.Deserialize<ProfileValue>(v.Json);
            return new ProfileFieldVersion(v.Version, v.ChangedAt, v.Operation, Describe(v.Actor), value?.Label, value?.Text, value?.Name, value?.Address);
        })]);

    private static ProfileField ToField(CurrentRecord record)
    {
        var value = VaultJson.Deserialize<ProfileValue>(record.Json);
        return new ProfileField(record.Id, KindOf(record.Type), value.Label, value.Text, value.Name, value.Address, record.Version, record.UpdatedAt, Describe(record.UpdatedBy));
    }

    private static int IndexOfKind(string kind)
    {
        var index = ProfileFieldKinds.All.ToList().IndexOf(kind);
        return index < 0 ? int.MaxValue : index;
    }
}
