using BootShop.Data;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace BootShop.Pages;

public sealed class CatalogModel(IDbContextFactory<ShopDb> dbs) : PageModel
{
    public IReadOnlyList<Product> Products { get; private set; } = [];

    public IReadOnlyList<DeliveryArea> Areas { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        Products = await db.Products.Include(p => p.Stock).OrderBy(p => p.Id).AsNoTracking().ToListAsync(cancellationToken);
        Areas = await db.DeliveryAreas.OrderBy(a => a.Id).AsNoTracking().ToListAsync(cancellationToken);
    }
}
