using CoffeeShop.Data;
using CoffeeShop.Shop;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CoffeeShop.Pages;

public sealed class CounterModel : PageModel
{
    private readonly CounterDesk _counter;
    private readonly IDbContextFactory<ShopDb> _dbs;

    public CounterModel(CounterDesk counter, IDbContextFactory<ShopDb> dbs)
    {
        _counter = counter;
        _dbs = dbs;
    }

    public string? Error { get; private set; }

    public string? Card { get; private set; }

    public IReadOnlyList<CounterVisit> Recent { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostAsync([FromForm] string? card, CancellationToken cancellationToken)
    {
        try
        {
            var visit = await _counter.ScanAsync(card ?? "", cancellationToken);
            return Redirect($"/counter/visits/{visit}");
        }
        catch (Exception e) when (ShopErrors.Describe(e) is { } message)
        {
            Error = message;
            Card = card;
            await LoadAsync(cancellationToken);
            return Page();
        }
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        await using var db = await _dbs.CreateDbContextAsync(cancellationToken);
        Recent = await db.Visits.OrderByDescending(v => v.Id).Take(8).ToListAsync(cancellationToken);
    }
}
