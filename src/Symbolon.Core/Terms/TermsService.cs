using Microsoft.EntityFrameworkCore;
using Symbolon.Contracts.Terms;
using Symbolon.Core.Storage;
using Symbolon.Core.Validation;

namespace Symbolon.Core.Terms;

/// <summary>Which standard agreements the person proffers to vendors.</summary>
internal sealed class TermsService(SymbolonDbContext db)
{
    public async Task<ProfferedTerms> GetAsync(Guid vaultId, CancellationToken ct = default)
    {
        var vault = await db.Vaults.SingleAsync(v => v.Id == vaultId, ct);
        var proffered = AgreementRoster.ProfferedBy(vault.ProfferedAgreements).Select(a => a.Id).ToHashSet();
        return new ProfferedTerms([.. AgreementRoster.All.Select(a => new TermsOption(a.Id, a.Title, a.Text, a.TextSha256, proffered.Contains(a.Id)))]);
    }

    /// <summary>
    /// Sets the proffered agreements. Vendors that already accepted one keep their signed record; from now on
    /// only the proffered ones can be accepted or named in a new authorization request.
    /// </summary>
    public async Task<ProfferedTerms> SetAsync(Guid vaultId, IReadOnlyList<string> ids, CancellationToken ct = default)
    {
        if (ids.Count == 0)
        {
            throw ValidationFailedException.For("proffered", "Proffer at least one agreement; without one no vendor can relate to you.");
        }

        var unknown = ids.FirstOrDefault(id => AgreementRoster.Find(id) is null);
        if (unknown is not null)
        {
            throw ValidationFailedException.For("proffered", $"Unknown agreement; choose from {string.Join(", ", AgreementRoster.All.Select(a => a.Id))}.");
        }

        var vault = await db.Vaults.SingleAsync(v => v.Id == vaultId, ct);
        vault.ProfferedAgreements = string.Join(',', AgreementRoster.All.Select(a => a.Id).Where(ids.Contains));
        await db.SaveChangesAsync(ct);
        return await GetAsync(vaultId, ct);
    }
}
