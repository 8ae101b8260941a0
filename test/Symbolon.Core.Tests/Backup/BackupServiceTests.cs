using System.Buffers.Binary;
using System.Text;
using Symbolon.Contracts.Profile;
using Symbolon.Core.Backup;
using Symbolon.Core.Records;
using Symbolon.Core.Storage;
using Symbolon.Core.Tests.Infrastructure;
using Symbolon.Core.Vaults;

namespace Symbolon.Core.Tests.Backup;

/// <summary>
/// One source vault with a few hundred fields (with updates, deletes and vendor writes) and bulk records, so
/// that the backup's payload spans several 64 KiB chunks and a restore writes more than one batch.
/// </summary>
public sealed class BackupSourceFixture : IAsyncLifetime
{
    public const int Fields = 300;
    public const int BulkRecords = 800;

    private TestVault? _vault;

    internal TestVault Vault => _vault!;

    internal byte[] Backup { get; private set; } = [];

    internal byte[] Export { get; private set; } = [];

    internal BackupFile Layout => BackupFile.Parse(Backup);

    internal (int Vaults, int Records, int Versions, int Tokens) Rows { get; private set; }

    public async Task InitializeAsync()
    {
        _vault = await TestVault.CreateAsync();
        var random = new Random(7012);
        var ids = new List<Guid>();
        for (var i = 0; i < Fields; i++)
        {
            var text = $"preference {i:D4}: " + RandomText(random, 380);
            var actor = i % 5 == 0 ? Actor.Vendor("radio-station") : Actor.Owner;
            ids.Add((await Vault.AddTextAsync(ProfileFieldKinds.Preference, text, i % 2 == 0 ? "home" : null, actor)).Id);
            Vault.Store.Time.Advance(TimeSpan.FromMilliseconds(3));
        }

        for (var i = 0; i < Fields; i += 3)
        {
            await Vault.UpdateAsync(ids[i], new ProfileFieldUpdate(Text: $"updated {i:D4}: " + RandomText(random, 380)), Actor.Vendor("coffee-shop"));
        }

        for (var i = 1; i < Fields; i += 10)
        {
            await Vault.DeleteAsync(ids[i]);
        }

        // Bulk records written straight through the context (sealed like RecordStore seals them) keep set-up fast.
        await using (var db = Vault.Store.NewContext())
        {
            var now = Vault.Store.Time.GetUtcNow();
            for (var i = 0; i < BulkRecords; i++)
            {
                var id = Guid.CreateVersion7(now.AddMilliseconds(i));
                var json = Encoding.UTF8.GetBytes($$"""{"n":{{i}}}""");
                db.Records.Add(new RecordEntity { VaultId = Vault.Id, Id = id, Type = "note.bulk", CurrentVersion = 1, CreatedAt = now, UpdatedAt = now });
                db.RecordVersions.Add(new RecordVersionEntity
                {
                    VaultId = Vault.Id,
                    RecordId = id,
                    Version = 1,
                    Type = "note.bulk",
                    ChangedAt = now,
                    Operation = RecordOperations.Create,
                    ActorKind = Actor.OwnerKind,
                    Sealed = Vault.Keys.SealRecord(id, "note.bulk", 1, json),
                });
            }

            await db.SaveChangesAsync();
        }

        Vault.Store.Time.Advance(TimeSpan.FromHours(1));
        Backup = await Vault.BackupAsync();
        Export = await Vault.ExportAsync();
        Rows = await Vault.Store.CountRowsAsync();
    }

    public async Task DisposeAsync()
    {
        if (_vault is not null)
        {
            await _vault.DisposeAsync();
        }
    }

    private static string RandomText(Random random, int length) =>
        new([.. Enumerable.Range(0, length).Select(_ => "abcdefghijklmnopqrstuvwxyz ,.;éß☕"[random.Next(33)])]);
}

public class BackupServiceTests(BackupSourceFixture source) : IClassFixture<BackupSourceFixture>
{
    private string RecoveryKey => source.Vault.Created.RecoveryKey;

    [Fact]
    public void The_backup_spans_several_chunks_and_hides_its_content()
    {
        var layout = source.Layout;

        Assert.True(layout.Chunks.Count >= 3, $"only {layout.Chunks.Count} chunks");
        Assert.True(source.Rows.Records + source.Rows.Versions > 2000, "a restore of this backup should write more than one batch");
        Assert.All(layout.Chunks.SkipLast(1), c => Assert.Equal(4 + (64 * 1024) + 16, c.Length));
        Assert.InRange(layout.Chunks[^1].Length, 4 + 16, 4 + (64 * 1024) + 16);
        Assert.Equal("SYMBOLON-BACKUP1"u8.ToArray(), source.Backup[..16]);
        Assert.Equal(-1, source.Backup.AsSpan().IndexOf("preference 0001"u8));
        Assert.Equal(-1, source.Backup.AsSpan().IndexOf("note.bulk"u8));
    }

    [Fact]
    public async Task Restore_into_a_fresh_store_gives_a_byte_identical_export()
    {
        await using var target = await TestStore.CreateSqliteAsync();

        var vaultId = await target.RestoreAsync(source.Backup);

        Assert.Equal(source.Vault.Id, vaultId);
        Assert.Equal(source.Rows, await target.CountRowsAsync());
        using var keys = await target.UnlockAsync();
        Assert.Equal(source.Export, await target.ExportAsync(keys));

        var restored = await target.VaultRowAsync();
        var original = await source.Vault.Store.VaultRowAsync();
        Assert.Equal(original.PassphraseWrappedKey, restored.PassphraseWrappedKey);
        Assert.Equal(original.RecoveryWrappedKey, restored.RecoveryWrappedKey);
        Assert.Equal(original.SigningPublicKey, restored.SigningPublicKey);
        Assert.Equal(original.CreatedAt, restored.CreatedAt);
    }

    [Fact]
    public async Task Restore_with_the_recovery_key_works_too()
    {
        await using var target = await TestStore.CreateSqliteAsync();

        await target.RestoreAsync(source.Backup, RecoveryKey.ToLowerInvariant(), isRecoveryKey: true);

        Assert.Equal(source.Export, await target.ExportAsync(source.Vault.Keys));
    }

    [Fact]
    public async Task Every_backup_is_sealed_under_a_fresh_key()
    {
        var second = await source.Vault.BackupAsync();

        Assert.NotEqual(BackupFile.Parse(second).HeaderJson, source.Layout.HeaderJson);
        Assert.NotEqual(second[source.Layout.PayloadOffset..(source.Layout.PayloadOffset + 64)], source.Backup[source.Layout.PayloadOffset..(source.Layout.PayloadOffset + 64)]);
    }

    [Fact]
    public async Task A_wrong_passphrase_writes_nothing()
    {
        await using var target = await TestStore.CreateSqliteAsync();

        await Assert.ThrowsAsync<WrongPassphraseException>(() => target.RestoreAsync(source.Backup, "not the passphrase"));
        await Assert.ThrowsAsync<WrongPassphraseException>(() => target.RestoreAsync(source.Backup, global::Symbolon.Core.Vaults.RecoveryKey.Format(new byte[32]), isRecoveryKey: true));
        await Assert.ThrowsAsync<WrongPassphraseException>(() => target.RestoreAsync(source.Backup, "not a recovery key", isRecoveryKey: true));

        Assert.Equal((0, 0, 0, 0), await target.CountRowsAsync());
    }

    [Fact]
    public async Task Restore_into_a_store_that_has_a_vault_is_refused()
    {
        await using var target = await TestStore.CreateSqliteAsync();
        await target.RestoreAsync(source.Backup, RecoveryKey, isRecoveryKey: true);
        var before = await target.CountRowsAsync();

        await Assert.ThrowsAsync<VaultAlreadyExistsException>(() => target.RestoreAsync(source.Backup, RecoveryKey, isRecoveryKey: true));

        Assert.Equal(before, await target.CountRowsAsync());
    }

    public static TheoryData<string> Damages =>
    [
        "empty file",
        "a text file",
        "an export instead of a backup",
        "magic only",
        "cut inside the header",
        "cut right after the header",
        "cut inside the first chunk",
        "cut inside the last chunk",
        "last byte missing",
        "header length past the end",
        "header length zero",
        "flipped byte in the magic",
        "flipped byte in the header's first brace",
        "flipped digit in the header's format version",
        "flipped digit in the header's date",
        "flipped letter in the header's salt",
        "flipped letter in the header's public key",
        "flipped byte in the header's vault property name",
        "flipped byte in the header's salt property name",
        "flipped byte in the header's kdfSalt property name",
        "flipped byte in the header's kdfAlgorithm property name",
        "flipped byte in the header's kdfMemoryKiB property name",
        "flipped byte in the header's recoveryWrappedKey property name",
        "flipped byte in the header's kdfIterations value",
        "flipped byte in a chunk length",
        "flipped byte in the first chunk's ciphertext",
        "flipped byte in a middle chunk's ciphertext",
        "flipped byte in the last chunk's tag",
        "first two chunks swapped",
        "second chunk dropped",
        "last chunk repeated",
        "bytes appended after the end",
        "header of another backup of the same vault",
    ];

    [Theory]
    [MemberData(nameof(Damages))]
    public async Task A_damaged_file_is_refused_and_nothing_is_written(string damage)
    {
        var file = await DamageAsync(damage);
        await using var target = await TestStore.CreateSqliteAsync();

        var error = await Assert.ThrowsAsync<InvalidBackupException>(() => target.RestoreAsync(file, RecoveryKey, isRecoveryKey: true));

        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        Assert.Equal((0, 0, 0, 0), await target.CountRowsAsync());
    }

    [Theory]
    [InlineData("\"kdfIterations\":3", "\"kdfIterations\":2000000000")]
    [InlineData("\"kdfMemoryKiB\":65536", "\"kdfMemoryKiB\":2147483647")]
    public async Task A_header_asking_for_an_unbounded_key_derivation_is_refused_before_it_runs(string value, string doctored)
    {
        // The header is authenticated only by the key its parameters derive; bounds checked first keep a doctored
        // one from holding a core for hours (2e9 passes) or asking for 2 TiB.
        var layout = source.Layout;
        var header = Encoding.UTF8.GetBytes(layout.HeaderJson.Replace(value, doctored, StringComparison.Ordinal));
        Assert.NotEqual(layout.HeaderLength, header.Length);
        var file = new byte[16 + 4 + header.Length + (layout.Bytes.Length - layout.PayloadOffset)];
        layout.Bytes.AsSpan(0, 16).CopyTo(file);
        BinaryPrimitives.WriteInt32BigEndian(file.AsSpan(16, 4), header.Length);
        header.CopyTo(file, 20);
        layout.Bytes.AsSpan(layout.PayloadOffset).CopyTo(file.AsSpan(20 + header.Length));
        await using var target = await TestStore.CreateSqliteAsync();

        // A generous bound: without the check the restore runs the key derivation for hours.
        var restore = Task.Run(() => target.RestoreAsync(file, RecoveryKey, isRecoveryKey: true));
        Assert.True(await Task.WhenAny(restore, Task.Delay(TimeSpan.FromSeconds(30))) == restore, "The restore ran the doctored key derivation.");
        var error = await Assert.ThrowsAsync<InvalidBackupException>(() => restore);

        Assert.Contains("above the maximum", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidBackupException>(() => BackupService.ReadHeader(new MemoryStream(file)));
        Assert.Equal((0, 0, 0, 0), await target.CountRowsAsync());
    }

    [Fact]
    public async Task Cutting_the_file_at_any_chunk_boundary_is_detected()
    {
        var layout = source.Layout;
        await using var target = await TestStore.CreateSqliteAsync();

        foreach (var (offset, _) in layout.Chunks.Skip(1))
        {
            await Assert.ThrowsAsync<InvalidBackupException>(() => target.RestoreAsync(layout.Cut(offset), RecoveryKey, isRecoveryKey: true));
            Assert.Equal((0, 0, 0, 0), await target.CountRowsAsync());
        }

        // After all those failures the store is still empty and usable: the whole file restores.
        await target.RestoreAsync(source.Backup, RecoveryKey, isRecoveryKey: true);
        Assert.Equal(source.Export, await target.ExportAsync(source.Vault.Keys));
    }

    [Fact]
    public async Task Damage_to_a_wrapped_key_in_the_header_reads_as_a_wrong_secret_and_writes_nothing()
    {
        // Note: without the data key nothing in the header can be authenticated, so a damaged wrapped key cannot be
        // told apart from a wrong passphrase; the payload is bound to the header, so the other secret fails too.
        var layout = source.Layout;
        var damaged = layout.Flip(FirstLetterAfter(layout, "\"passphraseWrappedKey\":\""), 0x20);
        await using var target = await TestStore.CreateSqliteAsync();

        await Assert.ThrowsAsync<WrongPassphraseException>(() => target.RestoreAsync(damaged));
        await Assert.ThrowsAsync<InvalidBackupException>(() => target.RestoreAsync(damaged, RecoveryKey, isRecoveryKey: true));

        Assert.Equal((0, 0, 0, 0), await target.CountRowsAsync());
    }

    [Fact]
    public void The_header_can_be_read_without_a_key()
    {
        using var input = new MemoryStream(source.Backup);

        var header = BackupService.ReadHeader(input);

        Assert.Equal(BackupService.CurrentFormatVersion, header.FormatVersion);
        Assert.Equal(source.Vault.Id, header.Vault.Id);
        Assert.Equal(32, header.Salt.Length);
        Assert.Equal(TestStore.Start, header.Vault.CreatedAt);
        Assert.Throws<InvalidBackupException>(() => BackupService.ReadHeader(new MemoryStream(source.Export)));
    }

    private async Task<byte[]> DamageAsync(string damage)
    {
        var layout = source.Layout;
        var chunks = layout.Chunks;
        var bytes = source.Backup;
        return damage switch
        {
            "empty file" => [],
            "a text file" => Encoding.UTF8.GetBytes("Dear diary, today I made a backup. It was not this file.\n"),
            "an export instead of a backup" => source.Export,
            "magic only" => bytes[..16],
            "cut inside the header" => layout.Cut(layout.HeaderOffset + (layout.HeaderLength / 2)),
            "cut right after the header" => layout.Cut(layout.PayloadOffset),
            "cut inside the first chunk" => layout.Cut(chunks[0].Offset + 1000),
            "cut inside the last chunk" => layout.Cut(chunks[^1].Offset + (chunks[^1].Length / 2)),
            "last byte missing" => layout.Cut(bytes.Length - 1),
            "header length past the end" => WithHeaderLength(bytes, bytes.Length),
            "header length zero" => WithHeaderLength(bytes, 0),
            "flipped byte in the magic" => layout.Flip(3),
            "flipped byte in the header's first brace" => layout.Flip(layout.HeaderOffset),
            "flipped digit in the header's format version" => layout.Flip(layout.HeaderIndexOf("\"formatVersion\":2") + "\"formatVersion\":".Length, 0x02),
            "flipped digit in the header's date" => layout.Flip(layout.HeaderIndexOf("\"createdAt\":\"2026") + "\"createdAt\":\"202".Length),
            "flipped letter in the header's salt" => layout.Flip(FirstLetterAfter(layout, "\"salt\":\""), 0x20),
            "flipped letter in the header's public key" => layout.Flip(FirstLetterAfter(layout, "\"signingPublicKey\":\""), 0x20),
            "flipped byte in the header's vault property name" => layout.Flip(layout.HeaderIndexOf("\"vault\"") + 4),
            "flipped byte in the header's salt property name" => layout.Flip(layout.HeaderIndexOf("\"salt\"") + 4),
            "flipped byte in the header's kdfSalt property name" => layout.Flip(layout.HeaderIndexOf("\"kdfSalt\"") + 4),
            "flipped byte in the header's kdfAlgorithm property name" => layout.Flip(layout.HeaderIndexOf("\"kdfAlgorithm\"") + 4),
            "flipped byte in the header's kdfMemoryKiB property name" => layout.Flip(layout.HeaderIndexOf("\"kdfMemoryKiB\"") + 4),
            "flipped byte in the header's recoveryWrappedKey property name" => layout.Flip(layout.HeaderIndexOf("\"recoveryWrappedKey\"") + 4),
            "flipped byte in the header's kdfIterations value" => layout.Flip(layout.HeaderIndexOf("\"kdfIterations\":3") + "\"kdfIterations\":".Length, 0x02),
            "flipped byte in a chunk length" => layout.Flip(chunks[1].Offset + 3),
            "flipped byte in the first chunk's ciphertext" => layout.Flip(chunks[0].Offset + 4 + 100),
            "flipped byte in a middle chunk's ciphertext" => layout.Flip(chunks[1].Offset + 4 + 30000),
            "flipped byte in the last chunk's tag" => layout.Flip(bytes.Length - 1),
            "first two chunks swapped" => [.. bytes[..chunks[0].Offset], .. Slice(bytes, chunks[1]), .. Slice(bytes, chunks[0]), .. bytes[(chunks[1].Offset + chunks[1].Length)..]],
            "second chunk dropped" => [.. bytes[..chunks[1].Offset], .. bytes[(chunks[1].Offset + chunks[1].Length)..]],
            "last chunk repeated" => [.. bytes, .. Slice(bytes, chunks[^1])],
            "bytes appended after the end" => [.. bytes, .. "\n"u8],
            "header of another backup of the same vault" => await WithOtherHeaderAsync(layout),
            _ => throw new ArgumentOutOfRangeException(nameof(damage), damage, null),
        };
    }

    private static byte[] Slice(byte[] bytes, (int Offset, int Length) chunk) => bytes[chunk.Offset..(chunk.Offset + chunk.Length)];

    private static byte[] WithHeaderLength(byte[] bytes, int length)
    {
        var copy = bytes.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(copy.AsSpan(16, 4), length);
        return copy;
    }

    private async Task<byte[]> WithOtherHeaderAsync(BackupFile layout)
    {
        var other = BackupFile.Parse(await source.Vault.BackupAsync());
        return [.. other.Bytes[..other.PayloadOffset], .. layout.Bytes[layout.PayloadOffset..]];
    }

    private static int FirstLetterAfter(BackupFile layout, string prefix)
    {
        var index = layout.HeaderIndexOf(prefix) + prefix.Length;
        while (!char.IsAsciiLetter((char)layout.Bytes[index]))
        {
            index++;
        }

        return index;
    }
}
