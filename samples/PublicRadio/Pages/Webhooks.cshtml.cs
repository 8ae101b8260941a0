using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using PublicRadio.Data;

namespace PublicRadio.Pages;

/// <summary>The verified webhook deliveries, newest first.</summary>
public sealed class WebhooksModel(IDbContextFactory<RadioDb> dbs) : PageModel
{
    public IReadOnlyList<WebhookMessage> Messages { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        Messages = await db.Webhooks.OrderByDescending(w => w.Id).Take(100).ToListAsync(cancellationToken);
    }
}
