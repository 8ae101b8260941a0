using BootShop.Data;
using BootShop.Shop;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace BootShop.Pages;

public sealed class OrdersModel(IDbContextFactory<ShopDb> dbs, OrderDesk orders) : PageModel
{
    public IReadOnlyList<Order> Orders { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostConnectAsync([FromForm] int id, CancellationToken cancellationToken)
    {
        // ConnectAsync keeps what went wrong on the order; the page shows it.
        await orders.ConnectAsync(id, cancellationToken);
        return RedirectToPage();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        Orders = await db.Orders.OrderByDescending(o => o.Id).Take(200).AsNoTracking().ToListAsync(cancellationToken);
    }
}
