using BootShop.Data;
using BootShop.Shop;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace BootShop.Pages;

public sealed class SettingsModel(
    IDbContextFactory<ShopDb> dbs,
    ShopSettingsStore store,
    ExchangePoller poller,
    VendorKeyStore keys) : PageModel
{
    public ShopSettings Settings { get; private set; } = default!;

    public ExchangeRegistration? Registration { get; private set; }

    public string SignKey => keys.PublicKeys.Sign;

    public string BoxKey => keys.PublicKeys.Offer;

    public string KeyFile => keys.Path;

    public string? Error { get; private set; }

    public string? Done { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Error = poller.RegistrationError;
        await LoadAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostSaveAsync([FromForm] string? name, [FromForm] string? publicUrl, [FromForm] string? exchangeUrl, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > 100)
        {
            Error = "The shop's name must be 1 to 100 characters.";
        }
        else if (!IsWebAddress(publicUrl, out var url))
        {
            Error = "The public address must be an absolute http or https address.";
        }
        else if (!string.IsNullOrWhiteSpace(exchangeUrl) && !IsWebAddress(exchangeUrl, out _))
        {
            Error = "The exchange's address must be an absolute http or https address, or empty for none.";
        }
        else
        {
            await store.SaveAsync(name, url!.AbsoluteUri, exchangeUrl, cancellationToken);
            Done = "Saved. A new exchange is registered at on the shop's next round.";
            poller.Nudge();
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostPollAsync(CancellationToken cancellationToken) =>
        await RoundAsync("Read the exchange's feeds.", cancellationToken);

    private async Task<IActionResult> RoundAsync(string done, CancellationToken cancellationToken)
    {
        var error = await poller.RunOnceAsync(cancellationToken);
        if (error is null)
        {
            Done = done;
        }
        else
        {
            Error = error;
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    private static bool IsWebAddress(string? text, out Uri? url) =>
        Uri.TryCreate(text?.Trim(), UriKind.Absolute, out url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp);

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Settings = await store.GetAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        Registration = Settings.ExchangeUrl is null ? null : await db.Exchanges.AsNoTracking().SingleOrDefaultAsync(e => e.ExchangeUrl == Settings.ExchangeUrl, cancellationToken);
    }
}
