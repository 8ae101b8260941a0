using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using PublicRadio.Data;
using PublicRadio.Station;

namespace PublicRadio.Pages;

/// <summary>The station's name and address, how it can be paid, the vaults it registered with and its listeners.</summary>
public sealed class SettingsModel(IDbContextFactory<RadioDb> dbs, StationSettingsStore store, PaymentDesk payments, StationKeyStore keys) : PageModel
{
    public StationSettings Settings { get; private set; } = default!;

    public IReadOnlyList<VaultRegistration> Vaults { get; private set; } = [];

    public IReadOnlyList<Listener> Listeners { get; private set; } = [];

    public string PublicKey => System.Buffers.Text.Base64Url.EncodeToString(keys.PublicKey);

    public string? Error { get; private set; }

    public string? Message { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostSaveAsync([FromForm] StationSettings input, CancellationToken cancellationToken)
    {
        Error = Check(input);
        if (Error is null)
        {
            await store.SaveAsync(input, cancellationToken);
            Message = "Saved. Publish the payment details to send them to the listeners' vaults.";
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostPublishAsync(CancellationToken cancellationToken)
    {
        var published = await payments.PublishToAllAsync(cancellationToken);
        Message = string.Create(CultureInfo.InvariantCulture, $"Published to {published} listener vault(s). A changed IBAN waits for each listener's approval.");
        await LoadAsync(cancellationToken);
        return Page();
    }

    /// <summary>
    /// Checks what the station can check itself, in words that never repeat the value; the vault checks the IBAN's
    /// mod-97 digits and the rest again when the details are published.
    /// </summary>
    private static string? Check(StationSettings input)
    {
        if (string.IsNullOrWhiteSpace(input.Name) || input.Name.Trim().Length > 100)
        {
            return "The station's name must be 1 to 100 characters.";
        }

        if (!Uri.TryCreate(input.PublicUrl?.Trim(), UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            return "The public address must be an absolute http or https address.";
        }

        if (string.IsNullOrWhiteSpace(input.LegalName) || input.LegalName.Trim().Length > 70)
        {
            return "The legal name must be 1 to 70 characters (the EPC QR code's limit).";
        }

        var iban = (input.Iban ?? "").Replace(" ", "", StringComparison.Ordinal);
        if (iban.Length is < 15 or > 34 || !iban.All(char.IsAsciiLetterOrDigit))
        {
            return "The IBAN must be 15 to 34 letters and digits.";
        }

        if (!string.IsNullOrWhiteSpace(input.Bic) && input.Bic.Trim().Length is not (8 or 11))
        {
            return "The BIC must be 8 or 11 characters.";
        }

        if (string.IsNullOrWhiteSpace(input.Offers) || input.Offers.Trim().Length > 500)
        {
            return "What the station offers must be 1 to 500 characters.";
        }

        var amounts = (input.SuggestedAmounts ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (amounts.Length is 0 or > 5 || PaymentDesk.ParseAmounts(input.SuggestedAmounts ?? "").Count != amounts.Length)
        {
            return "Suggested amounts must be 1 to 5 numbers, separated by commas (3, 5, 10).";
        }

        return null;
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Settings = await store.GetAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        Vaults = await db.Vaults.OrderBy(v => v.Id).ToListAsync(cancellationToken);
        Listeners = await db.Listeners.OrderBy(l => l.Id).ToListAsync(cancellationToken);
    }
}
