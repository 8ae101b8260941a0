using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Symbolon.Contracts.Profile;
using Symbolon.Core.Records;
using Symbolon.Core.Tests.Infrastructure;

namespace Symbolon.Core.Tests.Storage;

/// <summary>
/// Principle 1 at the byte level: after a hundred distinctive personal values went through the profile (with
/// updates and deletes), neither the SQLite file, its write-ahead log nor a backup holds any of them in any
/// usual encoding.
/// </summary>
public class PlaintextScanTests
{
    private const string ControlType = "control.PLAINTEXT-MARKER-4711";

    [Fact]
    public async Task No_personal_value_appears_in_the_database_files_or_a_backup()
    {
        var values = new List<string>();
        await using var vault = await TestVault.CreateAsync();
        var ids = new List<(Guid Id, string Kind)>();
        for (var i = 1; i <= 100; i++)
        {
            var (input, written) = Canary(i);
            values.AddRange(written);
            ids.Add(((await vault.AddAsync(input)).Id, input.Kind));
            vault.Store.Time.Advance(TimeSpan.FromMilliseconds(7));
        }

        values.AddRange(["1987-06-05", "geburtstag-kanarie"]);
        await vault.AddTextAsync(ProfileFieldKinds.BirthDate, "1987-06-05", "geburtstag-kanarie");

        // Updates and deletes: the old versions and the tombstoned values must stay hidden too.
        for (var i = 0; i < ids.Count; i += 5)
        {
            var n = (i + 1).ToString("D4", CultureInfo.InvariantCulture);
            var replacement = ids[i].Kind switch
            {
                ProfileFieldKinds.Email => $"zebra-canary-{n}-neu@example.org",
                ProfileFieldKinds.Phone => $"+49 30 5550 {n}",
                ProfileFieldKinds.Language => $"zcy-Upd{n}",
                ProfileFieldKinds.Preference => $"aktualisierte Vorliebe des Kanarienvogels {n}",
                _ => null,
            };
            if (replacement is not null)
            {
                values.Add(replacement);
                await vault.UpdateAsync(ids[i].Id, new ProfileFieldUpdate(Text: replacement), Actor.Vendor("canary-vendor"));
            }
        }

        for (var i = 3; i < ids.Count; i += 7)
        {
            await vault.DeleteAsync(ids[i].Id);
        }

        using (var session = vault.Store.Open())
        {
            await session.Records.CreateAsync(vault.Keys, ControlType, "{}"u8.ToArray(), Actor.Owner);
        }

        var backupPath = Path.Combine(vault.Store.Directory, "vault.symbolon-backup");
        await File.WriteAllBytesAsync(backupPath, await vault.BackupAsync());
        Assert.True(values.Count >= 100, $"only {values.Count} values");
        Assert.Equal(values.Count, values.Distinct().Count());

        // While the store is open the write-ahead log holds the most recent pages.
        var databaseFiles = ReadDatabaseFiles(vault.Store);
        Assert.True(databaseFiles.ContainsKey("symbolon.db-wal"), "the store runs in WAL mode, so the log should exist while it is open");
        AssertNoneFound(values, databaseFiles);

        // Once every connection is closed, SQLite checkpoints the log into the main file.
        SqliteConnection.ClearAllPools();
        var afterClose = ReadDatabaseFiles(vault.Store);
        AssertNoneFound(values, afterClose);
        AssertNoneFound(values, new Dictionary<string, byte[]> { ["backup"] = await File.ReadAllBytesAsync(backupPath) });

        // Control: plaintext metadata (a record type) is found, so the scan does read what was written.
        Assert.Contains(afterClose.Values, bytes => bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(ControlType)) >= 0);
        Assert.True((await File.ReadAllBytesAsync(backupPath)).AsSpan().IndexOf(Encoding.UTF8.GetBytes(vault.Id.ToString())) >= 0);
    }

    [Fact]
    public void The_scan_finds_each_encoding_it_looks_for()
    {
        const string value = "Zürich-Canary-0042";
        foreach (var encoded in Encodings(value))
        {
            var haystack = new byte[100].Concat(encoded).Concat(new byte[100]).ToArray();
            Assert.NotEmpty(Found([value], new Dictionary<string, byte[]> { ["file"] = haystack }));
        }
    }

    private static (ProfileFieldInput Input, string[] Values) Canary(int i)
    {
        var n = i.ToString("D4", CultureInfo.InvariantCulture);
        var label = $"kanarie-label-{n}";
        return (i % 6) switch
        {
            0 => (new ProfileFieldInput(ProfileFieldKinds.Email, label, Text: $"ZEBRA-CANARY-{n}@example.org"), [$"ZEBRA-CANARY-{n}@example.org", label]),
            1 => (new ProfileFieldInput(ProfileFieldKinds.Phone, label, Text: $"+31 6 5550 {n}"), [$"+31 6 5550 {n}", label]),
            2 => (new ProfileFieldInput(ProfileFieldKinds.Name, label, Name: new PersonName($"Zébrä{n}", $"Kanarienvogel-Ørsted-{n}")), [$"Zébrä{n}", $"Kanarienvogel-Ørsted-{n}", label]),
            3 => (new ProfileFieldInput(ProfileFieldKinds.PostalAddress, label, Address: new PostalAddress($"Kanarienstraße {n}", $"Zürich-Canary-{n}", null, $"CZ{n}", "CH")), [$"Kanarienstraße {n}", $"Zürich-Canary-{n}", $"CZ{n}", label]),
            4 => (new ProfileFieldInput(ProfileFieldKinds.Preference, label, Text: $"kanarie-voorkeur-{n}: geen papieren post ☕"), [$"kanarie-voorkeur-{n}: geen papieren post ☕", label]),
            _ => (new ProfileFieldInput(ProfileFieldKinds.Language, label, Text: $"zcy-C{n}"), [$"zcy-C{n}", label]),
        };
    }

    private static Dictionary<string, byte[]> ReadDatabaseFiles(TestStore store)
    {
        var files = new Dictionary<string, byte[]>();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            var path = store.SqlitePath + suffix;
            if (File.Exists(path))
            {
                // Note: SQLite opens its files shared, so they can be read while a connection holds them.
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                files[Path.GetFileName(path)] = copy.ToArray();
            }
        }

        Assert.True(files.ContainsKey("symbolon.db"));
        return files;
    }

    private static void AssertNoneFound(IReadOnlyList<string> values, Dictionary<string, byte[]> files)
    {
        var found = Found(values, files);
        Assert.True(found.Count == 0, "personal values found in plaintext: " + string.Join("; ", found));
    }

    private static List<string> Found(IReadOnlyList<string> values, Dictionary<string, byte[]> files)
    {
        var found = new List<string>();
        foreach (var value in values)
        {
            foreach (var encoded in Encodings(value))
            {
                foreach (var (name, bytes) in files)
                {
                    if (bytes.AsSpan().IndexOf(encoded) >= 0)
                    {
                        found.Add($"{value} in {name}");
                    }
                }
            }
        }

        return found;
    }

    /// <summary>UTF-8, UTF-16LE and the JSON-escaped UTF-8 form a serializer would write (\u00FC for ü).</summary>
    private static IEnumerable<byte[]> Encodings(string value)
    {
        yield return Encoding.UTF8.GetBytes(value);
        yield return Encoding.Unicode.GetBytes(value);
        var json = JsonSerializer.Serialize(value)[1..^1];
        if (json != value)
        {
            yield return Encoding.UTF8.GetBytes(json);
        }
    }
}
