using CoffeeShop.Data;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CoffeeShop.Pages;

public sealed class CustomersModel(IDbContextFactory<ShopDb> dbs) : PageModel
{
    public IReadOnlyList<Customer> Customers { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        Customers = await db.Customers.OrderByDescending(c => c.Id).ToListAsync(cancellationToken);
    }

    /// <summary>The start of a pairwise identifier, enough to tell customers apart on screen.</summary>
    public static string Abbreviate(string subject) => subject.Length > 16 ? subject[..16] + "…" : subject;
}
