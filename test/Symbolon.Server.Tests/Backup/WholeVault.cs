using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Vendor;
using Symbolon.Core;
using Symbolon.Core.Backup;
using Symbolon.Core.Export;
using Symbolon.Core.Storage;
using Symbolon.Core.Vaults;
using Symbolon.Server.Storage;
using Symbolon.Server.Tests.VendorProtocol;

namespace Symbolon.Server.Tests.Backup;

/// <summary>
/// Core's services over a test host's storage without its host, as the CLI's local mode builds them: for work that
/// must not race the host's background jobs (restore, filling tables, comparing every row).
/// </summary>
internal sealed class OfflineStore : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public OfflineStore(SymbolonApplicationFactory factory)
    {
        var storage = new StorageOptions
        {
            DataDirectory = factory.DataDirectory,
            Provider = factory.PostgresConnectionString is null ? StorageOptions.SqliteProvider : StorageOptions.PostgresProvider,
            ConnectionString = factory.PostgresConnectionString,
        };
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(factory.Time);
        services.AddSingleton(storage);
        services.AddSingleton(new VaultSessionOptions { StartModulesOnUnlock = false });
        services.AddSymbolonStorage();
        services.AddSymbolonCore();
        _services = services.BuildServiceProvider();
    }

    public async Task<T> RunAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = _services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}

/// <summary>
/// A vault with a row in every table of the model: what a person's real use leaves (a vendor registered with a
/// webhook, an accepted agreement, a grant with refresh token, a vendor read, profile fields, a statement import),
/// then one generated row in each table still empty, found from the EF model, so that a table added later is filled
/// (and so checked) without anyone remembering to. Generated rows have valid foreign keys, and their sealed columns
/// are sealed the way the export opens them.
/// </summary>
internal static class WholeVault
{
    public const string Email = "ada@example.org";

    /// <summary>A populated source host, disposed with its storage kept; the vendor and its tokens from before.</summary>
    public static async Task<(SymbolonApplicationFactory Source, RegisteredVendor Vendor, VendorTokens Tokens)> CreateAsync(StorageKind storage)
    {
        var source = new SymbolonApplicationFactory(storage) { KeepDataDirectory = true };
        RegisteredVendor vendor;
        VendorTokens tokens;
        using (source)
        {
            var (owner, _) = await source.CreateVaultAsync();
            await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Email, "home", Email));
            vendor = await source.RegisterVendorAsync("Blue Door Coffee", webhookUri: "https://vendor.example/hooks");
            await source.AcceptAgreementAsync(vendor);
            tokens = await source.GrantAsync(owner, vendor, VendorFlow.Details([Datatypes.Email]));
            Assert.NotNull(tokens.RefreshToken);
            using (var api = source.CreateBearerClient(tokens.AccessToken))
            {
                Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/profile")).StatusCode);
            }

            await source.AccessLogAsync();
            var map = Uri.EscapeDataString("date=Buchungstag,amount=Betrag,description=Verwendungszweck,merchant=Beguenstigter/Zahlungspflichtiger,dateFormat=dd.MM.yyyy,decimal=comma,delimiter=semicolon,account=Giro");
            var import = await owner.PostAsync($"/owner/api/v1/imports?format=csv&fileName=jan.csv&map={map}", new ByteArrayContent(Encoding.UTF8.GetBytes("""
                Buchungstag;Verwendungszweck;Beguenstigter/Zahlungspflichtiger;Betrag
                02.01.2025;KARTENZAHLUNG WOMBAT-ROESTEREI;Wombat Kaffee;-3,40
                05.01.2025;Lohn Dezember;Firma GmbH;2.345,67
                """)));
            Assert.True(import.IsSuccessStatusCode, await import.Content.ReadAsStringAsync());
        }

        await using var offline = new OfflineStore(source);
        await offline.RunAsync(async services =>
        {
            using var keys = await services.GetRequiredService<VaultService>().UnlockAsync(SymbolonApplicationFactory.Passphrase);
            var db = services.GetRequiredService<SymbolonDbContext>();
            await FillEmptyTablesAsync(db, keys, source.Time.GetUtcNow());
            return 0;
        });
        return (source, vendor, tokens);
    }

    /// <summary>Every table's rows as text (sorted), bytes in hex, times in UTC; the columns a backup leaves out are left out.</summary>
    public static async Task<SortedDictionary<string, List<string>>> DumpAsync(SymbolonDbContext db)
    {
        var dump = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var type in db.Model.GetEntityTypes())
        {
            var table = type.GetTableName()!;
            var rows = new List<string>();
            foreach (var entity in await LoadAsync(db, type))
            {
                var entry = db.Entry(entity);
                rows.Add(string.Join(" | ", type.GetProperties()
                    .Where(p => !BackupTables.ExcludedColumns.ContainsKey(table + "." + p.Name))
                    .Select(p => p.Name + "=" + Format(entry.Property(p.Name).CurrentValue))));
            }

            rows.Sort(StringComparer.Ordinal);
            dump[table] = rows;
        }

        db.ChangeTracker.Clear();
        return dump;
    }

    private static string Format(object? value) => value switch
    {
        null => "null",
        byte[] bytes => Convert.ToHexString(bytes),
        DateTime time => DateTime.SpecifyKind(time, DateTimeKind.Utc).ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset time => time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString()!,
    };

    // The tables come from the model itself, not from the backup's or the export's lists: those are what is tested.
    private static async Task FillEmptyTablesAsync(SymbolonDbContext db, VaultKeys keys, DateTimeOffset now)
    {
        var pending = db.Model.GetEntityTypes().ToList();
        while (pending.Count > 0)
        {
            var type = pending.First(t => t.GetForeignKeys().All(k => k.PrincipalEntityType == t || !pending.Contains(k.PrincipalEntityType)));
            pending.Remove(type);
            if ((await LoadAsync(db, type)).Count > 0)
            {
                continue;
            }

            var entity = Activator.CreateInstance(type.ClrType)!;
            var shadow = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var property in type.GetProperties())
            {
                if (property.ValueGenerated != ValueGenerated.Never && property.IsPrimaryKey() && property.ClrType == typeof(long))
                {
                    continue;
                }

                Set(entity, property, shadow, Sample(property, now));
            }

            foreach (var key in type.GetForeignKeys())
            {
                var principal = (await LoadAsync(db, key.PrincipalEntityType))[0];
                for (var i = 0; i < key.Properties.Count; i++)
                {
                    Set(entity, key.Properties[i], shadow, db.Entry(principal).Property(key.PrincipalKey.Properties[i].Name).CurrentValue);
                }
            }

            var table = type.GetTableName()!;
            foreach (var property in type.GetProperties())
            {
                if (ExportTables.SealedColumns.TryGetValue(table + "." + property.Name, out var sealedColumn))
                {
                    sealedColumn.Seal(keys, entity, Encoding.UTF8.GetBytes(sealedColumn.Json ? """{"filled":true}""" : "filled"));
                }
            }

            db.ChangeTracker.Clear();
            var entry = db.Entry(entity);
            entry.State = EntityState.Added;
            foreach (var (name, value) in shadow)
            {
                entry.Property(name).CurrentValue = value;
            }

            await db.SaveChangesAsync();
            db.ChangeTracker.Clear();
        }
    }

    private static void Set(object entity, IProperty property, Dictionary<string, object?> shadow, object? value)
    {
        if (property.IsShadowProperty())
        {
            shadow[property.Name] = value;
        }
        else
        {
            ExportTables.SetValue(property, entity, value);
        }
    }

    // Every column gets a value, nullable ones included, so that a column a backup dropped shows as a difference.
    private static object Sample(IProperty property, DateTimeOffset now)
    {
        var type = Nullable.GetUnderlyingType(property.ClrType) ?? property.ClrType;
        return type switch
        {
            _ when type == typeof(string) => "filled"[..Math.Min(6, property.GetMaxLength() ?? 6)],
            _ when type == typeof(Guid) => Guid.CreateVersion7(now),
            _ when type == typeof(int) => 2,
            _ when type == typeof(long) => 2L,
            _ when type == typeof(bool) => true,
            _ when type == typeof(decimal) => 2.5m,
            _ when type == typeof(DateTimeOffset) => now,
            _ when type == typeof(DateTime) => now.UtcDateTime,
            _ when type == typeof(byte[]) => Encoding.UTF8.GetBytes("""{"filled":true}"""),
            _ when type.IsEnum => Enum.GetValues(type).GetValue(Enum.GetValues(type).Length - 1)!,
            _ => throw new InvalidOperationException($"No sample value for {property.DeclaringType.DisplayName()}.{property.Name} ({type.Name}): teach WholeVault.Sample the type."),
        };
    }

    private static async Task<List<object>> LoadAsync(SymbolonDbContext db, IEntityType type) =>
        await (Task<List<object>>)LoadMethod.MakeGenericMethod(type.ClrType).Invoke(null, [db])!;

    private static readonly MethodInfo LoadMethod = typeof(WholeVault).GetMethod(nameof(LoadTypeAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    private static async Task<List<object>> LoadTypeAsync<T>(SymbolonDbContext db)
        where T : class => [.. await db.Set<T>().ToListAsync()];

    /// <summary>The vault unlocked on a host through the owner API.</summary>
    public static async Task<HttpClient> UnlockAsync(SymbolonApplicationFactory factory, string passphrase = SymbolonApplicationFactory.Passphrase)
    {
        var owner = factory.CreateOwnerClient();
        var unlocked = await owner.PostAsJsonAsync("/owner/api/v1/vault/unlock", new Contracts.Vault.UnlockRequest(passphrase));
        Assert.True(unlocked.IsSuccessStatusCode, await unlocked.Content.ReadAsStringAsync());
        return owner;
    }
}
