using BootShop.Data;
using BootShop.Shop;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace BootShop.Pages;

public sealed class IntentsModel(IDbContextFactory<ShopDb> dbs, OfferDesk offers, ExchangePoller poller) : PageModel
{
    public string? RegistrationError => poller.RegistrationError;

    public IReadOnlyList<SeenIntent> Intents { get; private set; } = [];

    /// <summary>The shop's offers by intent id.</summary>
    public IReadOnlyDictionary<string, ShopOffer> Offers { get; private set; } = new Dictionary<string, ShopOffer>();

    public ExchangeRegistration? Exchange { get; private set; }

    public string? ExchangeUrl { get; private set; }

    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostRetryAsync([FromForm] int id, CancellationToken cancellationToken)
    {
        try
        {
            await offers.RetryAsync(id, cancellationToken);
        }
        catch (Exception e) when (ShopErrors.Describe(e) is { } why)
        {
            Error = why;
            await LoadAsync(cancellationToken);
            return Page();
        }

        return RedirectToPage();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        Intents = await db.Intents.OrderByDescending(i => i.Id).Take(200).AsNoTracking().ToListAsync(cancellationToken);
        var ids = Intents.Select(i => i.IntentId).ToList();
        Offers = (await db.Offers.Where(o => ids.Contains(o.IntentId)).AsNoTracking().ToListAsync(cancellationToken)).ToDictionary(o => o.IntentId, StringComparer.Ordinal);
        ExchangeUrl = (await db.Settings.AsNoTracking().SingleOrDefaultAsync(cancellationToken))?.ExchangeUrl;
        Exchange = ExchangeUrl is null ? null : await db.Exchanges.AsNoTracking().SingleOrDefaultAsync(e => e.ExchangeUrl == ExchangeUrl, cancellationToken);
    }
}
