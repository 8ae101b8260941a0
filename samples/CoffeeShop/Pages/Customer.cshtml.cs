using CoffeeShop.Data;
using CoffeeShop.Shop;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Symbolon.Contracts.Vendor;

namespace CoffeeShop.Pages;

public sealed class CustomerModel(IDbContextFactory<ShopDb> dbs, CustomerSessions sessions, TimeProvider time) : PageModel
{
    public Customer Customer { get; private set; } = default!;

    public IReadOnlyList<AuthorizationDetail> Granted { get; private set; } = [];

    public IReadOnlyList<VendorField> Fields { get; private set; } = [];

    public IReadOnlyList<Sale> Sales { get; private set; } = [];

    public bool BalanceFromVault { get; private set; }

    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(int id, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var customer = await db.Customers.Include(c => c.Vault).SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (customer is null)
        {
            return NotFound();
        }

        Customer = customer;
        Sales = await db.Sales.Where(s => s.CustomerId == id).OrderByDescending(s => s.Id).ToListAsync(cancellationToken);
        if (customer.PermissionWithdrawnAt is not null)
        {
            Error = ShopErrors.PermissionWithdrawn;
            return Page();
        }

        var session = await sessions.GetAsync(id, cancellationToken);
        if (session is null)
        {
            return Page();
        }

        try
        {
            // What the grant allows now, as the vault says (the person may have narrowed it since the shop last looked).
            Granted = await session.GetGrantAsync(cancellationToken);
            if (Granted.Any(d => d.Actions.Contains(DataActions.Read) && d.Datatypes.Any(t => t.StartsWith("profile.", StringComparison.Ordinal))))
            {
                Fields = (await session.GetProfileAsync(cancellationToken)).Profile.Fields;
            }

            if (Granted.Any(d => d.Actions.Contains(DataActions.Read) && d.Datatypes.Contains(Datatypes.Loyalty)))
            {
                var loyalty = await session.GetLoyaltyAsync(cancellationToken);
                customer.StampBalance = loyalty.Balance;
                BalanceFromVault = true;
                await db.SaveChangesAsync(cancellationToken);
            }
        }
        catch (Exception e) when (ShopErrors.Describe(e) is { } message)
        {
            Error = message;
            if (ShopErrors.IsPermissionWithdrawn(e))
            {
                await sessions.MarkWithdrawnAsync(id, cancellationToken);
                customer.PermissionWithdrawnAt = time.GetUtcNow();
            }
        }

        return Page();
    }
}
