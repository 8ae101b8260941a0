using CoffeeShop.Data;
using CoffeeShop.Shop;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CoffeeShop.Pages;

public sealed class SettingsModel(IDbContextFactory<ShopDb> dbs, ShopSettingsStore store, ConnectFlow connect, IOptions<ShopOptions> options) : PageModel
{
    public ShopSettings Settings { get; private set; } = default!;

    public IReadOnlyList<VaultRegistration> Vaults { get; private set; } = [];

    public string SuggestedVault => options.Value.Symbolon;

    public string? Error { get; private set; }

    public bool Saved { get; private set; }

    public async Task OnGetAsync(string? connectError, CancellationToken cancellationToken)
    {
        Error = connectError;
        await LoadAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostSaveAsync([FromForm] string? name, [FromForm] string? location, [FromForm] string? publicUrl, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > 100)
        {
            Error = "The shop's name must be 1 to 100 characters.";
        }
        else if (string.IsNullOrWhiteSpace(location) || location.Trim().Length > 300)
        {
            Error = "The address on receipts must be 1 to 300 characters.";
        }
        else if (!Uri.TryCreate(publicUrl?.Trim(), UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            Error = "The public address must be an absolute http or https address.";
        }
        else
        {
            await store.SaveAsync(name, location, url.AbsoluteUri, cancellationToken);
            Saved = true;
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostConnectAsync([FromForm] string? vault, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(vault?.Trim(), UriKind.Absolute, out var vaultUrl) || (vaultUrl.Scheme != Uri.UriSchemeHttps && vaultUrl.Scheme != Uri.UriSchemeHttp))
        {
            Error = "The vault address must be an absolute http or https address.";
        }
        else
        {
            try
            {
                return Redirect((await connect.BeginAsync(vaultUrl, Response, cancellationToken)).AbsoluteUri);
            }
            catch (Exception e) when (ShopErrors.Describe(e) is { } message)
            {
                Error = message;
            }
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Settings = await store.GetAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        Vaults = await db.Vaults.OrderBy(v => v.Id).ToListAsync(cancellationToken);
    }
}
