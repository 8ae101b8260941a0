using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using PublicRadio.Data;
using PublicRadio.Station;
using Symbolon.Contracts.Vendor;

namespace PublicRadio.Pages;

/// <summary>The stream: connect with Symbolon, then press play; stopping sends the hours to the listener's vault when they allowed it.</summary>
public sealed class ListenModel(IDbContextFactory<RadioDb> dbs, StationSettingsStore store, ConnectFlow connect, ListeningDesk desk, TimeProvider time) : PageModel
{
    public StationSettings Station { get; private set; } = default!;

    /// <summary>The listener this browser connected as, if any.</summary>
    public Listener? Listener { get; private set; }

    public ListeningSession? Playing { get; private set; }

    public IReadOnlyList<ListeningSession> Recent { get; private set; } = [];

    /// <summary>Hours listened in the last 7 days, and reported to the vault.</summary>
    public decimal HoursThisWeek { get; private set; }

    public bool SharesUsage { get; private set; }

    public string SuggestedVault => HttpContext.RequestServices.Options().Symbolon;

    public string? Error { get; private set; }

    public async Task OnGetAsync(string? connectError, CancellationToken cancellationToken)
    {
        Error = connectError;
        await LoadAsync(cancellationToken);
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
            catch (Exception e) when (RadioErrors.Describe(e) is { } message)
            {
                Error = message;
            }
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostPlayAsync(CancellationToken cancellationToken)
    {
        var listener = await CurrentAsync(cancellationToken);
        if (listener is null)
        {
            return RedirectToPage();
        }

        await desk.StartAsync(listener.Id, cancellationToken);
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostStopAsync(CancellationToken cancellationToken)
    {
        var listener = await CurrentAsync(cancellationToken);
        if (listener is not null)
        {
            await desk.StopAsync(listener.Id, cancellationToken);
        }

        return RedirectToPage();
    }

    private async Task<Listener?> CurrentAsync(CancellationToken cancellationToken)
    {
        if (!Guid.TryParseExact(Request.Cookies[ConnectFlow.ListenerCookie], "N", out var key))
        {
            return null;
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await db.Listeners.SingleOrDefaultAsync(l => l.Key == key, cancellationToken);
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Station = await store.GetAsync(cancellationToken);
        Listener = await CurrentAsync(cancellationToken);
        if (Listener is null)
        {
            return;
        }

        SharesUsage = ListenerSessions.Allows(Listener, Datatypes.Usage, DataActions.Append);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var sessions = (await db.Sessions.Where(s => s.ListenerId == Listener.Id).ToListAsync(cancellationToken)).OrderByDescending(s => s.Id).ToList();
        Playing = sessions.FirstOrDefault(s => s.EndedAt is null);
        Recent = [.. sessions.Where(s => s.EndedAt is not null).Take(10)];
        var weekAgo = time.GetUtcNow().AddDays(-7);
        HoursThisWeek = sessions.Where(s => s.EndedAt >= weekAgo).Sum(s => s.Hours ?? 0);
    }
}
