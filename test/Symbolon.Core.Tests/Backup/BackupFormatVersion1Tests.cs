using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Symbolon.Core.Backup;
using Symbolon.Core.Tests.Infrastructure;

namespace Symbolon.Core.Tests.Backup;

/// <summary>
/// Backups written before format 2 (records, versions, import batches and transaction chunks only) still restore.
/// The file is written here the way format 1 was specified (docs/export-format.md), since today's writer writes 2.
/// </summary>
public class BackupFormatVersion1Tests(BackupSourceFixture source) : IClassFixture<BackupSourceFixture>
{
    [Fact]
    public async Task A_format_1_backup_still_restores_into_the_same_vault()
    {
        var version1 = await WriteVersion1Async(source.Vault);

        await using var target = await TestStore.CreateSqliteAsync();
        Assert.Equal(source.Vault.Id, await target.RestoreAsync(version1));

        Assert.Equal(source.Rows, await target.CountRowsAsync());
        using var keys = await target.UnlockAsync();
        Assert.Equal(source.Export, await target.ExportAsync(keys));
    }

    [Fact]
    public async Task Todays_backups_are_format_2_and_carry_the_key_files()
    {
        Assert.Equal(2, BackupService.ReadHeader(new MemoryStream(source.Backup)).FormatVersion);
        var keyFolder = Path.Combine(source.Vault.Store.Directory, BackupKeyFiles.Folder);
        Directory.CreateDirectory(keyFolder);
        await File.WriteAllTextAsync(Path.Combine(keyFolder, "oauth-server.json"), """{"Signing":"x","Encryption":"y"}""");
        await File.WriteAllTextAsync(Path.Combine(keyFolder, "host.key"), "never carried");
        var backup = await source.Vault.BackupAsync();

        await using var target = await TestStore.CreateSqliteAsync();
        await target.RestoreAsync(backup);

        Assert.Equal("""{"Signing":"x","Encryption":"y"}""", await File.ReadAllTextAsync(Path.Combine(target.Directory, BackupKeyFiles.Folder, "oauth-server.json")));
        Assert.False(File.Exists(Path.Combine(target.Directory, BackupKeyFiles.Folder, "host.key")));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(target.Directory, BackupKeyFiles.Folder, "oauth-server.json")));
        }
    }

    private static async Task<byte[]> WriteVersion1Async(TestVault vault)
    {
        await using var db = vault.Store.NewContext();
        var row = await db.Vaults.AsNoTracking().SingleAsync();
        var header = new BackupHeader(1, vault.Store.Time.GetUtcNow(), RandomNumberGenerator.GetBytes(32), BackupVault.From(row));
        var headerBytes = JsonSerializer.SerializeToUtf8Bytes(header, BackupJson.Options);
        using var output = new MemoryStream();
        output.Write("SYMBOLON-BACKUP1"u8);
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, headerBytes.Length);
        output.Write(length);
        output.Write(headerBytes);
        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, vault.Keys.DataKey.ToArray(), 32, header.Salt, "symbolon backup v1"u8.ToArray());
        using (var sealedStream = new ChunkedAeadWriter(output, key, SHA256.HashData(headerBytes)))
        {
            await using (var gzip = new GZipStream(sealedStream, CompressionLevel.Fastest, leaveOpen: true))
            {
                await using var lines = new StreamWriter(gzip, new UTF8Encoding(false), leaveOpen: true);
                foreach (var record in await db.Records.AsNoTracking().ToListAsync())
                {
                    await lines.WriteLineAsync(JsonSerializer.Serialize(BackupLine.From(record), BackupJson.Options));
                }

                foreach (var version in await db.RecordVersions.AsNoTracking().ToListAsync())
                {
                    await lines.WriteLineAsync(JsonSerializer.Serialize(BackupLine.From(version), BackupJson.Options));
                }
            }

            sealedStream.Finish();
        }

        return output.ToArray();
    }
}
