using CoffeeShop.Data;
using CoffeeShop.Shop;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Symbolon.Contracts.Vendor;

namespace CoffeeShop.Pages;

public sealed class RequestsModel(IDbContextFactory<ShopDb> dbs, RequestDesk desk) : PageModel
{
    public IReadOnlyList<DataRequest> Requests { get; private set; } = [];

    public string? Message { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        Requests = await db.Requests.OrderByDescending(r => r.Id).Take(200).ToListAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostCheckAsync(CancellationToken cancellationToken)
    {
        var handled = await desk.CheckAllAsync(cancellationToken);
        Message = handled switch
        {
            0 => "No new requests.",
            1 => "Answered 1 new request.",
            _ => $"Answered {handled} new requests.",
        };
        await OnGetAsync(cancellationToken);
        return Page();
    }

    public static string KindText(string kind) => kind switch
    {
        RequestKinds.Access => "Copy of their data",
        RequestKinds.Rectification => "Correct their data",
        RequestKinds.Erasure => "Delete their data",
        RequestKinds.WithdrawConsent => "Stop marketing",
        RequestKinds.RestrictProcessing => "Restrict processing",
        RequestKinds.Service => "Service request",
        _ => kind,
    };
}
