using CoffeeShop.Data;
using CoffeeShop.Shop;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Symbolon.Contracts.Vendor;

namespace CoffeeShop.Pages;

public sealed class VisitModel(IDbContextFactory<ShopDb> dbs, Till till, CustomerSessions sessions) : PageModel
{
    public CounterVisit Visit { get; private set; } = default!;

    public Customer? Customer { get; private set; }

    public string? CustomerName { get; private set; }

    public IReadOnlyList<Sale> Sales { get; private set; } = [];

    public string? Message { get; private set; }

    public bool MessageIsError { get; private set; }

    /// <summary>True when the message says the sale is queued until the customer opens their vault (they are away).</summary>
    public bool MessageIsQueued { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid key, CancellationToken cancellationToken) =>
        await LoadAsync(key, cancellationToken) ? Page() : NotFound();

    public async Task<IActionResult> OnPostRingUpAsync(Guid key, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(key, cancellationToken) || Customer is null)
        {
            return NotFound();
        }

        var quantities = Menu.Items.ToDictionary(i => i.Id, i => int.TryParse(Request.Form[$"qty-{i.Id}"], out var q) ? q : 0, StringComparer.Ordinal);
        try
        {
            var sale = await till.RingUpAsync(Customer.Id, quantities, Request.Form["payment"].ToString(), cancellationToken);
            Report(sale);
        }
        catch (ArgumentException e)
        {
            (Message, MessageIsError) = (e.Message.Split(" (Parameter", 2)[0], true);
        }

        await LoadAsync(key, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostFreeCoffeeAsync(Guid key, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(key, cancellationToken) || Customer is null)
        {
            return NotFound();
        }

        var sale = await till.GiveFreeCoffeeAsync(Customer.Id, cancellationToken);
        Report(sale);
        await LoadAsync(key, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostRetryAsync(Guid key, int sale, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(key, cancellationToken) || Customer is null || Sales.All(s => s.Id != sale))
        {
            return NotFound();
        }

        var pushed = await till.PushAsync(sale, cancellationToken);
        Report(pushed);
        await LoadAsync(key, cancellationToken);
        return Page();
    }

    private void Report(Sale sale) =>
        (Message, MessageIsError, MessageIsQueued) = sale.Error is null ? (Till.Confirmation(sale), false, sale.QueuedAt is not null) : (sale.Error, true, false);

    private async Task<bool> LoadAsync(Guid key, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var visit = await db.Visits.Include(v => v.Customer).SingleOrDefaultAsync(v => v.Key == key, cancellationToken);
        if (visit is null)
        {
            return false;
        }

        Visit = visit;
        Customer = visit.Customer;
        if (Customer is not null)
        {
            Sales = (await db.Sales.Where(s => s.CustomerId == Customer.Id).OrderByDescending(s => s.Id).Take(20).ToListAsync(cancellationToken))
                .Where(s => s.At >= visit.StartedAt).ToList();
            CustomerName ??= await NameAsync(Customer, cancellationToken);
        }

        return true;
    }

    /// <summary>The customer's name, when they let the shop read it; the counter works without it.</summary>
    private async Task<string?> NameAsync(Customer customer, CancellationToken cancellationToken)
    {
        if (customer.PermissionWithdrawnAt is not null || !CustomerSessions.Granted(customer).Any(d => d.Datatypes.Contains(Datatypes.Name) && d.Actions.Contains(DataActions.Read)))
        {
            return null;
        }

        var session = await sessions.GetAsync(customer.Id, cancellationToken);
        if (session is null)
        {
            return null;
        }

        try
        {
            var profile = await session.GetProfileAsync(cancellationToken);
            return profile.Profile.Fields.Where(f => f.Datatype == Datatypes.Name).Select(FieldText.Of).FirstOrDefault();
        }
        catch (Exception e) when (ShopErrors.Describe(e) is not null)
        {
            return null;
        }
    }
}
