using Symbolon.Core.Records;
using Symbolon.Core.Validation;
using Symbolon.Core.Vaults;

namespace Symbolon.Core.Relationships;

/// <summary>What a note record holds.</summary>
internal sealed record NoteValue(string Text);

/// <summary>
/// Notes vendors add to the vault (record type <c>note</c>), attributed to the vendor that wrote them. A vendor
/// reads back only its own notes: the person may let several vendors write notes without them reading each other's.
/// </summary>
internal sealed class VendorNotes(RecordStore records)
{
    public const int MaxLength = 4000;

    /// <summary>The note's text as stored (trimmed), or the validation problem.</summary>
    public static string CheckText(string text)
    {
        text = text.Trim();
        return text.Length is 0 or > MaxLength ? throw ValidationFailedException.For("text", $"A note is 1 to {MaxLength} characters.")
            : VendorText.HasUnsafeCharacter(text, multiLine: true) ? throw ValidationFailedException.For("text", VendorText.MultiLineReason)
            : text;
    }

    public async Task<CurrentRecord> AddAsync(VaultKeys keys, string clientId, string text, CancellationToken ct = default)
    {
        text = CheckText(text);
        return await records.CreateAsync(keys, DatatypeCatalog.NoteRecordType, VaultJson.Serialize(new NoteValue(text)), Actor.Vendor(clientId), ct);
    }

    /// <summary>
    /// The vendor's own notes, oldest first. A note counts as the vendor's while its current version is the vendor's;
    /// vendors can only append notes, so that is the version it wrote.
    /// </summary>
    public async Task<IReadOnlyList<(CurrentRecord Record, NoteValue Value)>> ListAsync(VaultKeys keys, string clientId, CancellationToken ct = default)
    {
        var all = await records.ListAsync(keys, DatatypeCatalog.NoteRecordType, ct);
        return [.. all
            .Where(r => r.Type == DatatypeCatalog.NoteRecordType && r.UpdatedBy.Kind == Actor.VendorKind && r.UpdatedBy.Id == clientId)
            .Select(r => (r, VaultJson.Deserialize<NoteValue>(r.Json)))];
    }
}
