using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Symbolon.Core.AccessTokens;
using Symbolon.Core.Tests.Infrastructure;
using Symbolon.Core.Validation;

namespace Symbolon.Core.Tests.AccessTokens;

public class AccessTokenServiceTests
{
    private static readonly string[] SqliteSuffixes = ["", "-wal"];

    [Fact]
    public async Task A_token_is_shown_once_and_stored_only_as_its_hash()
    {
        await using var vault = await TestVault.CreateAsync();
        using var session = vault.Store.Open();
        var tokens = new AccessTokenService(session.Db, vault.Store.Time);

        var issued = await tokens.CreateAsync(vault.Id, "  backup script  ");

        Assert.StartsWith(AccessTokenService.Prefix, issued.Secret, StringComparison.Ordinal);
        Assert.Equal("backup script", issued.Name);
        Assert.Equal(7, issued.Id.Version);
        Assert.Equal(TestStore.Start + AccessTokenService.DefaultLifetime, issued.ExpiresAt);
        var row = await session.Db.AccessTokens.AsNoTracking().SingleAsync();
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(issued.Secret!)), row.SecretHash);
        Assert.Null(Assert.Single(await tokens.ListAsync(vault.Id)).Secret);

        await session.Db.Database.CloseConnectionAsync();
        SqliteFiles(vault.Store).ForEach(bytes => Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(issued.Secret!))));
    }

    [Fact]
    public async Task Validate_finds_a_live_token_and_records_its_use_once_a_minute()
    {
        await using var vault = await TestVault.CreateAsync();
        using var session = vault.Store.Open();
        var tokens = new AccessTokenService(session.Db, vault.Store.Time);
        var issued = await tokens.CreateAsync(vault.Id, "script");

        vault.Store.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal((vault.Id, issued.Id), await tokens.ValidateAsync(issued.Secret!));
        vault.Store.Time.Advance(TimeSpan.FromSeconds(30));
        await tokens.ValidateAsync(issued.Secret!);
        Assert.Equal(TestStore.Start.AddSeconds(5), (await tokens.ListAsync(vault.Id))[0].LastUsedAt);

        vault.Store.Time.Advance(TimeSpan.FromSeconds(31));
        await tokens.ValidateAsync(issued.Secret!);
        Assert.Equal(TestStore.Start.AddSeconds(66), (await tokens.ListAsync(vault.Id))[0].LastUsedAt);
    }

    [Fact]
    public async Task Unknown_expired_and_revoked_tokens_are_refused()
    {
        await using var vault = await TestVault.CreateAsync();
        using var session = vault.Store.Open();
        var tokens = new AccessTokenService(session.Db, vault.Store.Time);
        var shortLived = await tokens.CreateAsync(vault.Id, "short", TimeSpan.FromDays(1));
        var revoked = await tokens.CreateAsync(vault.Id, "revoked");
        var kept = await tokens.CreateAsync(vault.Id, "kept");

        Assert.True(await tokens.RevokeAsync(vault.Id, revoked.Id));
        Assert.False(await tokens.RevokeAsync(vault.Id, revoked.Id));
        Assert.False(await tokens.RevokeAsync(Guid.CreateVersion7(), kept.Id));
        vault.Store.Time.Advance(TimeSpan.FromDays(1));

        Assert.Null(await tokens.ValidateAsync(shortLived.Secret!));
        Assert.Null(await tokens.ValidateAsync(revoked.Secret!));
        Assert.Null(await tokens.ValidateAsync("not a token"));
        Assert.Null(await tokens.ValidateAsync(AccessTokenService.Prefix + "AAAA"));
        Assert.Null(await tokens.ValidateAsync(kept.Secret! + new string('A', 200)));
        Assert.Equal((vault.Id, kept.Id), await tokens.ValidateAsync(kept.Secret!));
        Assert.Equal(["kept"], (await tokens.ListAsync(vault.Id)).Select(t => t.Name));
    }

    [Theory]
    [InlineData("", 30, "name")]
    [InlineData("   ", 30, "name")]
    [InlineData("a name that is far too long for a token: ................................................................", 30, "name")]
    [InlineData("script", 0, "expiresInDays")]
    [InlineData("script", -1, "expiresInDays")]
    [InlineData("script", 366, "expiresInDays")]
    public async Task Bad_names_and_lifetimes_are_refused(string name, int days, string field)
    {
        await using var store = await TestStore.CreateSqliteAsync();
        using var session = store.Open();
        var tokens = new AccessTokenService(session.Db, store.Time);

        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => tokens.CreateAsync(Guid.CreateVersion7(), name, TimeSpan.FromDays(days)));

        Assert.Equal([field], error.Errors.Keys);
        Assert.Empty(await session.Db.AccessTokens.ToListAsync());
    }

    private static List<byte[]> SqliteFiles(TestStore store) =>
        [.. SqliteSuffixes.Select(suffix => store.SqlitePath + suffix).Where(File.Exists).Select(ReadShared)];

    private static byte[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
