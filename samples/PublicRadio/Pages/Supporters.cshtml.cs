using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PublicRadio.Station;

namespace PublicRadio.Pages;

/// <summary>Who supports the station: counts, the total per month, and only the names supporters chose to share.</summary>
public sealed class SupportersModel(SupporterLedger ledger) : PageModel
{
    public SupportSummary Summary { get; private set; } = default!;

    public int? CaughtUp { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => Summary = await ledger.SummaryAsync(cancellationToken);

    public async Task<IActionResult> OnPostCatchUpAsync(CancellationToken cancellationToken)
    {
        CaughtUp = await ledger.CatchUpAsync(cancellationToken);
        Summary = await ledger.SummaryAsync(cancellationToken);
        return Page();
    }
}
