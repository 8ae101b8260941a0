using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Symbolon.Contracts.Profile;
using Symbolon.Core.Backup;
using Symbolon.Core.Export;
using Symbolon.Core.Inbox;
using Symbolon.Core.Storage;
using Symbolon.Core.Vaults;
using Symbolon.Core.Webhooks;
using Symbolon.Server.Tests.VendorProtocol;

namespace Symbolon.Server.Tests.Backup;

/// <summary>
/// "Nothing lost": a backup restored into a fresh data directory gives back every row of every table of the model
/// (on either provider and across them), and the vendors keep working with the tokens they hold; the plain export
/// covers every table the same way, and a vault imported from it exports the same bytes.
/// </summary>
public sealed class WholeVaultBackupTests
{
    [Theory]
    [InlineData(StorageKind.Sqlite, StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres, StorageKind.Postgres)]
    [InlineData(StorageKind.Sqlite, StorageKind.Postgres)]
    [InlineData(StorageKind.Postgres, StorageKind.Sqlite)]
    public async Task A_restore_gives_back_every_row_of_every_table_and_the_vendor_keeps_working(StorageKind from, StorageKind to)
    {
        var (source, vendor, tokens) = await WholeVault.CreateAsync(from);
        using var sourceCleanup = new SymbolonApplicationFactory(source);
        byte[] backup;
        SortedDictionary<string, List<string>> before;
        await using (var offline = new OfflineStore(source))
        {
            // Unattended mode's host copy of the key must stay behind: it is set here so that its absence shows.
            await offline.RunAsync(async services =>
            {
                var db = services.GetRequiredService<SymbolonDbContext>();
                return await db.Vaults.ExecuteUpdateAsync(s => s.SetProperty(v => v.HostWrappedKey, new byte[48]));
            });
            backup = await offline.RunAsync(async services =>
            {
                using var keys = await services.GetRequiredService<VaultService>().UnlockAsync(SymbolonApplicationFactory.Passphrase);
                using var output = new MemoryStream();
                await services.GetRequiredService<BackupService>().WriteAsync(keys, output);
                return output.ToArray();
            });
            before = await offline.RunAsync(services => WholeVault.DumpAsync(services.GetRequiredService<SymbolonDbContext>()));
        }

        Assert.All(before, table => Assert.True(table.Value.Count > 0, $"the source has no row in {table.Key}"));
        Assert.Equal(-1, backup.AsSpan().IndexOf(Encoding.UTF8.GetBytes(WholeVault.Email)));
        Assert.Equal(-1, backup.AsSpan().IndexOf(Encoding.UTF8.GetBytes(vendor.ClientId)));

        var fresh = new SymbolonApplicationFactory(to) { KeepDataDirectory = true };
        await using (var offline = new OfflineStore(fresh))
        {
            await offline.RunAsync(services => services.GetRequiredService<BackupService>().RestoreAsync(new MemoryStream(backup), SymbolonApplicationFactory.Passphrase, isRecoveryKey: false));
            var after = await offline.RunAsync(services => WholeVault.DumpAsync(services.GetRequiredService<SymbolonDbContext>()));
            Assert.Equal(before.Keys, after.Keys);
            foreach (var (table, rows) in before)
            {
                Assert.True(rows.SequenceEqual(after[table]), $"{table} differs after the restore:\n  before: {string.Join("\n          ", rows)}\n  after:  {string.Join("\n          ", after[table])}");
            }

            var vault = await offline.RunAsync(services => services.GetRequiredService<SymbolonDbContext>().Vaults.AsNoTracking().SingleAsync());
            Assert.Null(vault.HostWrappedKey);
        }

        Assert.True(File.Exists(Path.Combine(fresh.DataDirectory, "keys", "oauth-server.json")));
        using var restored = new SymbolonApplicationFactory(fresh);
        fresh.Dispose();

        // The vendor's refresh token from before the backup still works, and so does what it gets.
        var refreshed = await restored.TokenRequestAsync(vendor, new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = tokens.RefreshToken! });
        Assert.True(refreshed.StatusCode == HttpStatusCode.OK, await refreshed.Content.ReadAsStringAsync());
        var renewed = await VendorFlow.ReadTokensAsync(refreshed);
        var owner = await WholeVault.UnlockAsync(restored);
        using var api = restored.CreateBearerClient(renewed.AccessToken);
        var profile = await api.GetAsync("/api/v1/profile");
        Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
        Assert.Contains(WholeVault.Email, await profile.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Its webhook secret still opens (the data-protection keys came along), and new changes get new sequence
        // numbers (PostgreSQL's identity sequences were moved past the restored rows).
        using (var scope = restored.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SymbolonDbContext>();
            var relationship = await db.Relationships.AsNoTracking().SingleAsync(r => r.ClientId == vendor.ClientId);
            Assert.Equal(vendor.WebhookSecret, scope.ServiceProvider.GetRequiredService<IWebhookSecretProtector>().Unprotect(relationship.WebhookSecretProtected!));
        }

        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Phone, "mobile", "+31 6 1234 5678"));
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Phone, "work", "+31 20 123 4567"));
    }

    [Theory]
    [InlineData(StorageKind.Sqlite, StorageKind.Postgres)]
    [InlineData(StorageKind.Postgres, StorageKind.Sqlite)]
    public async Task The_export_covers_every_table_and_a_vault_imported_from_it_exports_the_same_bytes(StorageKind from, StorageKind to)
    {
        var (source, _, _) = await WholeVault.CreateAsync(from);
        using var sourceCleanup = new SymbolonApplicationFactory(source);
        byte[] export;
        Dictionary<string, int> rowCounts;
        await using (var offline = new OfflineStore(source))
        {
            export = await offline.RunAsync(async services =>
            {
                using var keys = await services.GetRequiredService<VaultService>().UnlockAsync(SymbolonApplicationFactory.Passphrase);
                using var output = new MemoryStream();
                await services.GetRequiredService<VaultExporter>().WriteAsync(keys, output);
                return output.ToArray();
            });
            rowCounts = await offline.RunAsync(async services =>
            {
                var db = services.GetRequiredService<SymbolonDbContext>();
                return (await WholeVault.DumpAsync(db)).ToDictionary(t => t.Key, t => t.Value.Count);
            });
        }

        // Every table of the model is in a section of its own, under "tables", or left out with a reason.
        using (var document = JsonDocument.Parse(export))
        {
            var root = document.RootElement;
            Assert.Equal(2, root.GetProperty("formatVersion").GetInt32());
            var tables = root.GetProperty("tables");
            foreach (var (table, count) in rowCounts)
            {
                if (ExportTables.ExcludedTables.TryGetValue(table, out var reason))
                {
                    Assert.False(string.IsNullOrWhiteSpace(reason), table);
                    Assert.False(tables.TryGetProperty(table, out _), $"{table} is excluded but exported");
                }
                else if (ExportTables.Sections.TryGetValue(table, out var section))
                {
                    Assert.True(root.TryGetProperty(section, out _), $"{table}: no section {section}");
                }
                else
                {
                    Assert.True(tables.TryGetProperty(table, out var rows), $"{table} is neither exported nor excluded with a reason");
                    Assert.Equal(count, rows.GetArrayLength());
                }
            }

            Assert.Equal(rowCounts["records"], root.GetProperty("records").GetArrayLength());
            Assert.Equal(2, root.GetProperty("transactions")[0].GetProperty("chunks")[0].GetProperty("transactions").GetArrayLength());
            Assert.Equal("filled", tables.GetProperty("messages")[0].GetProperty("text").GetString());
            var agreement = tables.GetProperty("agreement_records")[0];
            Assert.StartsWith("{", agreement.GetProperty("signedContent").GetString(), StringComparison.Ordinal);
            Assert.False(tables.GetProperty("relationships")[0].TryGetProperty("pairwiseKey", out _));
            Assert.False(tables.GetProperty("relationships")[0].TryGetProperty("webhookSecretProtected", out _));
        }

        // The move: a new installation, a new passphrase; the vault's id, records, history and settings come along.
        const string newPassphrase = "a new passphrase for the new place";
        var target = new SymbolonApplicationFactory(to) { KeepDataDirectory = true };
        using var targetCleanup = target;
        await using (var offline = new OfflineStore(target))
        {
            var created = await offline.RunAsync(services => services.GetRequiredService<ExportImporter>().ImportAsync(new MemoryStream(export), newPassphrase));
            created.Keys.Dispose();
            var again = await offline.RunAsync(async services =>
            {
                using var keys = await services.GetRequiredService<VaultService>().UnlockAsync(newPassphrase);
                using var output = new MemoryStream();
                await services.GetRequiredService<VaultExporter>().WriteAsync(keys, output);
                return output.ToArray();
            });

            // Only the vault's own public keys differ: they are new. (The old ones stay where they were signed, as in
            // an agreement's signed bytes.)
            var (original, imported) = (Encoding.UTF8.GetString(export), Encoding.UTF8.GetString(again));
            using var originalVault = JsonDocument.Parse(export);
            using var importedVault = JsonDocument.Parse(again);
            foreach (var key in new[] { "signingPublicKey", "agreementPublicKey" })
            {
                var old = $"\"{key}\": \"{originalVault.RootElement.GetProperty("vault").GetProperty(key).GetString()}\"";
                var now = $"\"{key}\": \"{importedVault.RootElement.GetProperty("vault").GetProperty(key).GetString()}\"";
                Assert.NotEqual(old, now);
                Assert.Equal(1, original.Split(old).Length - 1);
                Assert.Equal(1, imported.Split(now).Length - 1);
                original = original.Replace(old, key, StringComparison.Ordinal);
                imported = imported.Replace(now, key, StringComparison.Ordinal);
            }

            Assert.Equal(original, imported);

            // The imported inbox rows came with their sequence numbers: the next item the database numbers follows them
            // (on PostgreSQL its identity counter was moved past them; else this insert takes a number already used).
            await offline.RunAsync(async services =>
            {
                var db = services.GetRequiredService<SymbolonDbContext>();
                var existing = await db.InboxItems.AsNoTracking().OrderByDescending(i => i.Sequence).FirstAsync();
                db.InboxItems.Add(new InboxItemEntity
                {
                    VaultId = existing.VaultId,
                    Id = Guid.CreateVersion7(),
                    RelationshipId = existing.RelationshipId,
                    Route = existing.Route,
                    Kind = existing.Kind,
                    ReceivedAt = existing.ReceivedAt,
                });
                await db.SaveChangesAsync();
                Assert.True(await db.InboxItems.MaxAsync(i => i.Sequence) > existing.Sequence);
                return 0;
            });
        }
    }

    [Fact]
    public async Task A_file_that_is_no_export_is_refused_with_a_problem_and_writes_nothing()
    {
        using var target = new SymbolonApplicationFactory();
        await using var offline = new OfflineStore(target);
        foreach (var (file, expected) in new[]
        {
            ("not json", "not JSON"),
            ("""{"format":"something.else"}""", "not a Symbolon export"),
            ("""{"format":"symbolon.export","formatVersion":3}""", "format version 3"),
            ("""{"format":"symbolon.export","formatVersion":2,"vault":{"id":"01a205c9-93b8-75ed-9f86-7551a1cb8992","createdAt":"2026-11-23T00:23:46+00:00"},"records":[{"id":"01a205c9-95cb-758f-8615-e9be686345ef","type":"profile.email","createdAt":"2026-11-23T00:23:46+00:00","versions":[{"version":1}]}]}""", "\"records\" section is damaged"),
        })
        {
            var problem = await Assert.ThrowsAsync<InvalidExportException>(() => offline.RunAsync(services =>
                services.GetRequiredService<ExportImporter>().ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(file)), "a passphrase long enough")));
            Assert.Equal(Contracts.Problems.ProblemCodes.InvalidExport, problem.Code);
            Assert.Contains(expected, problem.Detail, StringComparison.Ordinal);
            Assert.False(await offline.RunAsync(services => services.GetRequiredService<SymbolonDbContext>().Vaults.AnyAsync()));
        }
    }
}
