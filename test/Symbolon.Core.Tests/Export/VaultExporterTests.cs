using System.Text.Json;
using Symbolon.Contracts.Profile;
using Symbolon.Core.Records;
using Symbolon.Core.Tests.Infrastructure;

namespace Symbolon.Core.Tests.Export;

public class VaultExporterTests
{
    [Fact]
    public async Task The_export_is_deterministic()
    {
        await using var vault = await TestVault.CreateAsync();
        await SeedAsync(vault);

        var first = await vault.ExportAsync();
        vault.Store.Time.Advance(TimeSpan.FromHours(1));
        var second = await vault.ExportAsync();

        Assert.NotEmpty(first);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task The_export_has_the_documented_shape_and_every_record_and_version()
    {
        await using var vault = await TestVault.CreateAsync();
        var (email, name, deleted, purged) = await SeedAsync(vault);
        var row = await vault.Store.VaultRowAsync();

        using var export = JsonDocument.Parse(await vault.ExportAsync());
        var root = export.RootElement;

        Assert.Equal("symbolon.export", root.GetProperty("format").GetString());
        Assert.Equal(2, root.GetProperty("formatVersion").GetInt32());
        var vaultElement = root.GetProperty("vault");
        Assert.Equal(vault.Id, vaultElement.GetProperty("id").GetGuid());
        Assert.Equal(TestStore.Start, vaultElement.GetProperty("createdAt").GetDateTimeOffset());
        Assert.Equal(row.SigningPublicKey, System.Buffers.Text.Base64Url.DecodeFromChars(vaultElement.GetProperty("signingPublicKey").GetString()));
        Assert.Equal(row.AgreementPublicKey, System.Buffers.Text.Base64Url.DecodeFromChars(vaultElement.GetProperty("agreementPublicKey").GetString()));

        var records = root.GetProperty("records").EnumerateArray().ToList();
        Assert.Equal(new[] { email, name, deleted }.Order(), records.Select(r => r.GetProperty("id").GetGuid()));
        Assert.DoesNotContain(records, r => r.GetProperty("id").GetGuid() == purged);

        var emailRecord = records.Single(r => r.GetProperty("id").GetGuid() == email);
        Assert.Equal("profile.email", emailRecord.GetProperty("type").GetString());
        Assert.Equal(TestStore.Start, emailRecord.GetProperty("createdAt").GetDateTimeOffset());
        Assert.False(emailRecord.TryGetProperty("deletedAt", out _));
        var emailVersions = emailRecord.GetProperty("versions").EnumerateArray().ToList();
        Assert.Equal([1, 2], emailVersions.Select(v => v.GetProperty("version").GetInt32()));
        Assert.Equal(["create", "update"], emailVersions.Select(v => v.GetProperty("operation").GetString()));
        Assert.Equal(["ada@example.org", "ada@lovelace.example"], emailVersions.Select(v => v.GetProperty("data").GetProperty("text").GetString()));
        Assert.Equal("home", emailVersions[0].GetProperty("data").GetProperty("label").GetString());
        Assert.Equal("owner", emailVersions[0].GetProperty("actor").GetProperty("kind").GetString());
        Assert.False(emailVersions[0].GetProperty("actor").TryGetProperty("id", out _));
        Assert.Equal("vendor", emailVersions[1].GetProperty("actor").GetProperty("kind").GetString());
        Assert.Equal("coffee-shop", emailVersions[1].GetProperty("actor").GetProperty("id").GetString());
        Assert.Equal(TestStore.Start.AddMinutes(1), emailVersions[1].GetProperty("changedAt").GetDateTimeOffset());

        var nameData = records.Single(r => r.GetProperty("id").GetGuid() == name).GetProperty("versions")[0].GetProperty("data");
        Assert.Equal("Ada", nameData.GetProperty("name").GetProperty("given").GetString());
        Assert.Equal("Lovelace", nameData.GetProperty("name").GetProperty("family").GetString());

        var tombstone = records.Single(r => r.GetProperty("id").GetGuid() == deleted);
        Assert.Equal(TestStore.Start.AddMinutes(2), tombstone.GetProperty("deletedAt").GetDateTimeOffset());
        var tombstoneVersions = tombstone.GetProperty("versions").EnumerateArray().ToList();
        Assert.Equal(["create", "delete"], tombstoneVersions.Select(v => v.GetProperty("operation").GetString()));
        Assert.Equal("+31 20 123 4567", tombstoneVersions[0].GetProperty("data").GetProperty("text").GetString());
        Assert.False(tombstoneVersions[1].TryGetProperty("data", out _));
    }

    [Fact]
    public async Task An_empty_vault_exports_an_empty_record_list()
    {
        await using var vault = await TestVault.CreateAsync();

        using var export = JsonDocument.Parse(await vault.ExportAsync());

        Assert.Equal(0, export.RootElement.GetProperty("records").GetArrayLength());
        Assert.Equal(vault.Id, export.RootElement.GetProperty("vault").GetProperty("id").GetGuid());
    }

    /// <summary>An email with two versions, a name, a deleted phone and a purged preference.</summary>
    internal static async Task<(Guid Email, Guid Name, Guid Deleted, Guid Purged)> SeedAsync(TestVault vault)
    {
        var email = await vault.AddTextAsync(ProfileFieldKinds.Email, "ada@example.org", "home");
        var name = await vault.AddAsync(new ProfileFieldInput(ProfileFieldKinds.Name, Name: new PersonName("Ada", "Lovelace")));
        var phone = await vault.AddTextAsync(ProfileFieldKinds.Phone, "+31 20 123 4567");
        var preference = await vault.AddTextAsync(ProfileFieldKinds.Preference, "no paper mail");
        vault.Store.Time.Advance(TimeSpan.FromMinutes(1));
        await vault.UpdateAsync(email.Id, new ProfileFieldUpdate("home", "ada@lovelace.example"), Actor.Vendor("coffee-shop"));
        vault.Store.Time.Advance(TimeSpan.FromMinutes(1));
        await vault.DeleteAsync(phone.Id);
        await vault.DeleteAsync(preference.Id);
        using var session = vault.Store.Open();
        await session.Records.PurgeAsync(vault.Id, preference.Id);
        return (email.Id, name.Id, phone.Id, preference.Id);
    }
}
