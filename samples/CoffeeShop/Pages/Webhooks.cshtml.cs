using CoffeeShop.Data;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CoffeeShop.Pages;

public sealed class WebhooksModel(IDbContextFactory<ShopDb> dbs) : PageModel
{
    public IReadOnlyList<WebhookMessage> Messages { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        Messages = await db.Webhooks.OrderByDescending(w => w.Id).Take(200).ToListAsync(cancellationToken);
    }
}
