using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Symbolon.Contracts.Profile;
using Symbolon.Server.Tests.VendorProtocol;

namespace Symbolon.Server.Tests;

/// <summary>Export and backup through the owner API, on both storage providers.</summary>
public sealed class ExportApiTests
{
    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task The_export_holds_every_record_and_version_and_is_the_same_bytes_twice(StorageKind storage)
    {
        using var app = new SymbolonApplicationFactory(storage);
        var (owner, created) = await app.CreateVaultAsync();
        var email = await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Email, "home", "first@example.org"));
        await owner.PutAsJsonAsync($"/owner/api/v1/profile/fields/{email.Id}", new ProfileFieldUpdate("home", "second@example.org"), SymbolonApplicationFactory.Json);
        var phone = await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Phone, "work", "+1 555 0100"));
        await owner.DeleteAsync($"/owner/api/v1/profile/fields/{phone.Id}");

        // A relationship with its agreement: rows of the tables the export writes column by column, onto the response.
        var vendor = await app.RegisterVendorAsync();
        await app.AcceptAgreementAsync(vendor);

        var response = await owner.GetAsync("/owner/api/v1/export");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        var first = await response.Content.ReadAsByteArrayAsync();
        var second = await owner.GetByteArrayAsync("/owner/api/v1/export");
        Assert.Equal(first, second);

        var export = JsonDocument.Parse(first).RootElement;
        Assert.Equal("symbolon.export", export.GetProperty("format").GetString());
        Assert.Equal(2, export.GetProperty("formatVersion").GetInt32());
        Assert.Equal(created.VaultId, export.GetProperty("vault").GetProperty("id").GetGuid());
        var records = export.GetProperty("records").EnumerateArray().ToList();
        Assert.Equal(2, records.Count);
        var emailRecord = records.Single(r => r.GetProperty("id").GetGuid() == email.Id);
        Assert.Equal("profile.email", emailRecord.GetProperty("type").GetString());
        Assert.Equal(["first@example.org", "second@example.org"], emailRecord.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("data").GetProperty("text").GetString()));
        var phoneRecord = records.Single(r => r.GetProperty("id").GetGuid() == phone.Id);
        Assert.True(phoneRecord.TryGetProperty("deletedAt", out _));
        Assert.Equal("delete", phoneRecord.GetProperty("versions")[1].GetProperty("operation").GetString());
        Assert.Equal("Blue Door Coffee", Assert.Single(export.GetProperty("tables").GetProperty("relationships").EnumerateArray()).GetProperty("vendorName").GetString());
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task A_backup_downloads_as_an_encrypted_file(StorageKind storage)
    {
        using var app = new SymbolonApplicationFactory(storage);
        var (owner, _) = await app.CreateVaultAsync();
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Preference, Text: "NARWHAL-PREFERENCE"));

        var response = await owner.GetAsync("/owner/api/v1/backup");
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType!.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal("SYMBOLON-BACKUP1"u8.ToArray(), bytes[..16]);
        Assert.Equal(bytes.Length, response.Content.Headers.ContentLength);
        Assert.True(bytes.AsSpan().IndexOf("NARWHAL"u8) < 0);
    }
}
