using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Symbolon.Contracts.Vault;
using Symbolon.Core.Storage;
using Symbolon.Core.Validation;

namespace Symbolon.Core.Vaults;

/// <summary>
/// The person's idle time: after that long without them (no page, owner API call or CLI command; vendors do not
/// count), the server locks the vault by itself, so that its keys do not stay in memory while nobody is there. The
/// default is 30 minutes; "never" keeps it unlocked until it is locked or the server stops (which locks it too).
/// </summary>
internal sealed class AutoLock(SymbolonDbContext db, AutoLockOptions options)
{
    public const int MaxMinutes = 24 * 60;

    public async Task<AutoLockSetting> GetAsync(Guid vaultId, CancellationToken ct = default)
    {
        var stored = await db.Vaults.AsNoTracking().Where(v => v.Id == vaultId).Select(v => v.AutoLockMinutes).SingleAsync(ct);
        return ToSetting(stored);
    }

    /// <summary>Sets the idle time: <paramref name="minutes"/> from 1 to a day, or null for never.</summary>
    public async Task<AutoLockSetting> SetAsync(Guid vaultId, int? minutes, CancellationToken ct = default)
    {
        if (minutes is < 1 or > MaxMinutes)
        {
            throw ValidationFailedException.For("minutes", $"From 1 to {MaxMinutes.ToString(CultureInfo.InvariantCulture)} minutes, or never.");
        }

        var vault = await db.Vaults.SingleAsync(v => v.Id == vaultId, ct);
        vault.AutoLockMinutes = minutes ?? 0;
        await db.SaveChangesAsync(ct);
        return ToSetting(vault.AutoLockMinutes);
    }

    /// <summary>The idle time after which the vault locks, or null for never.</summary>
    public static TimeSpan? IdleLimit(int? stored, AutoLockOptions options) => ToSetting(stored, options).Minutes is { } minutes ? TimeSpan.FromMinutes(minutes) : null;

    private AutoLockSetting ToSetting(int? stored) => ToSetting(stored, options);

    private static AutoLockSetting ToSetting(int? stored, AutoLockOptions options) => stored switch
    {
        null => new AutoLockSetting(options.DefaultMinutes > 0 ? options.DefaultMinutes : null, IsDefault: true),
        0 => new AutoLockSetting(null, IsDefault: false),
        var minutes => new AutoLockSetting(minutes, IsDefault: false),
    };
}

/// <summary>
/// The idle time of a vault whose person chose none (<c>AutoLock:DefaultMinutes</c>, 30; 0 for never). An operator
/// may set it; the person's own choice always wins.
/// </summary>
internal sealed class AutoLockOptions
{
    public const int Default = 30;

    public int DefaultMinutes { get; set; } = Default;
}
