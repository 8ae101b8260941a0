using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Vault;
using Symbolon.Cli.Operations;

namespace Symbolon.Cli.Tests;

/// <summary>The CLI with no server: every command opens the SQLite storage of its data directory directly.</summary>
public sealed class LocalModeTests : IDisposable
{
    private readonly CliHarness _cli = new();

    [Fact]
    public async Task Owner_flow_from_init_to_a_restore_whose_export_is_byte_identical()
    {
        var recoveryKey = await _cli.InitAsync();
        Assert.Equal(13, recoveryKey.Split('-').Length);

        var email = await _cli.SetFieldAsync("email", "ada@example.org", "--label", "work");
        var name = await _cli.SetFieldAsync("name", "--given", "Ada", "--family", "Lovelace", "--prefix", "Countess");
        await _cli.SetFieldAsync("postal_address", "--street", "12 St James's Square", "--locality", "London", "--postal-code", "SW1Y 4JH", "--country", "gb");
        await _cli.SetFieldAsync("phone", "+44 20 7946 0958");
        await _cli.SetFieldAsync("language", "en-GB");

        var show = (await _cli.RunWithPassphraseAsync("profile", "show")).Succeeded();
        Assert.Contains("ada@example.org", show.Stdout, StringComparison.Ordinal);
        Assert.Contains("Countess Ada Lovelace", show.Stdout, StringComparison.Ordinal);
        Assert.Contains("12 St James's Square, SW1Y 4JH London, GB", show.Stdout, StringComparison.Ordinal);
        Assert.Contains("+44 20 7946 0958", show.Stdout, StringComparison.Ordinal);
        Assert.Contains("en-GB", show.Stdout, StringComparison.Ordinal);
        Assert.Contains(email.ToString(), show.Stdout, StringComparison.Ordinal);

        // Changing a field keeps its label and the parts not given; an empty part is removed.
        (await _cli.RunWithPassphraseAsync("profile", "set", "email", "ada@analytical.example", "--id", email.ToString())).Succeeded();
        (await _cli.RunWithPassphraseAsync("profile", "set", "name", "--id", name.ToString(), "--prefix", "", "--middle", "Augusta")).Succeeded();
        var profile = (await _cli.RunWithPassphraseAsync("profile", "show", "--json")).Succeeded().Json<ProfileDocument>();
        var changedEmail = Assert.Single(profile.Fields, f => f.Id == email);
        Assert.Equal(("ada@analytical.example", "work", 2), (changedEmail.Text, changedEmail.Label, changedEmail.Version));
        Assert.Equal(new PersonName("Ada", "Lovelace", "Augusta"), Assert.Single(profile.Fields, f => f.Id == name).Name);
        Assert.Equal(5, profile.Fields.Count);

        var history = (await _cli.RunWithPassphraseAsync("profile", "history", email.ToString())).Succeeded();
        Assert.Contains("added: ada@example.org (work)", history.Stdout, StringComparison.Ordinal);
        Assert.Contains("ada@example.org (work) → ada@analytical.example (work)", history.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, history.Stdout.Split("You").Length - 1);
        var historyJson = (await _cli.RunWithPassphraseAsync("profile", "history", email.ToString(), "--json")).Succeeded().Json<ProfileFieldHistory>();
        Assert.Equal([1, 2], historyJson.Versions.Select(v => v.Version));
        Assert.All(historyJson.Versions, v => Assert.Equal("You", v.Actor.DisplayName));

        var export = _cli.PathOf("export.json");
        var exported = (await _cli.RunWithPassphraseAsync("export", "-o", export)).Succeeded();
        Assert.Contains("unencrypted", exported.Stderr, StringComparison.Ordinal);
        Assert.Contains("\"format\": \"symbolon.export\"", await File.ReadAllTextAsync(export), StringComparison.Ordinal);
        AssertOwnerOnly(export);

        // The export on standard output is the same document.
        var toStdout = (await _cli.RunWithPassphraseAsync("export")).Succeeded();
        Assert.Equal(await File.ReadAllTextAsync(export), toStdout.Stdout);
        Assert.DoesNotContain("unencrypted", toStdout.Stderr, StringComparison.Ordinal);

        var backup = _cli.PathOf("vault.symbolon-backup");
        var backedUp = (await _cli.RunWithPassphraseAsync("backup", "-o", backup)).Succeeded();
        AssertOwnerOnly(backup);
        var vaultId = (await _cli.RunAsync("status", "--json")).Succeeded().Json<CliStatus>().Vault.VaultId!.Value;
        Assert.Contains(vaultId.ToString(), backedUp.Stdout, StringComparison.Ordinal);

        var restoredDir = _cli.PathOf("restored");
        var restored = (await _cli.RunRawAsync("restore", backup, "--data-dir", restoredDir, "--passphrase-file", _cli.PassphraseFile)).Succeeded();
        Assert.Contains($"Restored vault {vaultId}: 5 records with 7 versions", restored.Stdout, StringComparison.Ordinal);

        var restoredExport = _cli.PathOf("export-restored.json");
        (await _cli.RunRawAsync("export", "-o", restoredExport, "--data-dir", restoredDir, "--passphrase-file", _cli.PassphraseFile)).Succeeded();
        Assert.Equal(await File.ReadAllBytesAsync(export), await File.ReadAllBytesAsync(restoredExport));
    }

    [Fact]
    public async Task Init_from_an_export_moves_the_vault_and_its_next_export_differs_only_in_the_new_keys()
    {
        await _cli.InitAsync();
        await _cli.SetFieldAsync("email", "ada@example.org", "--label", "work");
        (await _cli.RunWithPassphraseAsync("autolock", "15")).Succeeded();
        var export = _cli.PathOf("export.json");
        (await _cli.RunWithPassphraseAsync("export", "-o", export)).Succeeded();

        var movedDir = _cli.PathOf("moved");
        var newPassphrase = _cli.WriteFile("new-passphrase.txt", "a new passphrase at the new place\n");
        var moved = (await _cli.RunRawAsync("init", "--from-export", export, "--data-dir", movedDir, "--passphrase-file", newPassphrase)).Succeeded();
        Assert.Contains("from " + export + ": 1 records", moved.Stdout, StringComparison.Ordinal);
        Assert.Matches(CliHarness.RecoveryKeyPattern(), moved.Stdout);

        var movedExport = _cli.PathOf("export-moved.json");
        (await _cli.RunRawAsync("export", "-o", movedExport, "--data-dir", movedDir, "--passphrase-file", newPassphrase)).Succeeded();
        var (before, after) = (await File.ReadAllLinesAsync(export), await File.ReadAllLinesAsync(movedExport));
        Assert.Equal(before.Length, after.Length);
        var differing = before.Zip(after).Where(pair => pair.First != pair.Second).Select(pair => pair.First.Trim().Split(':')[0]).ToList();
        Assert.Equal(["\"signingPublicKey\"", "\"agreementPublicKey\""], differing);
        Assert.Contains("\"autoLockMinutes\": 15", await File.ReadAllTextAsync(movedExport), StringComparison.Ordinal);

        // A second import into the same directory, and a file that is no export, are refused with words to act on.
        var again = (await _cli.RunRawAsync("init", "--from-export", export, "--data-dir", movedDir, "--passphrase-file", newPassphrase)).Failed();
        Assert.Contains("A vault already exists", again.Stderr, StringComparison.Ordinal);
        var notExport = _cli.WriteFile("not-an-export.json", "{\"hello\": 1}");
        var refused = (await _cli.RunRawAsync("init", "--from-export", notExport, "--data-dir", _cli.PathOf("other"), "--passphrase-file", newPassphrase)).Failed();
        Assert.Contains("not a Symbolon export", refused.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Autolock_shows_and_sets_how_long_the_vault_stays_unlocked_without_its_owner()
    {
        await _cli.InitAsync();
        Assert.Equal("The vault locks itself after 30 minutes without you (the default).\n", (await _cli.RunWithPassphraseAsync("autolock")).Succeeded().Stdout.ReplaceLineEndings("\n"));
        Assert.Equal("The vault locks itself after 15 minutes without you.\n", (await _cli.RunWithPassphraseAsync("autolock", "15")).Succeeded().Stdout.ReplaceLineEndings("\n"));
        Assert.Contains("never locks itself", (await _cli.RunWithPassphraseAsync("autolock", "never")).Succeeded().Stdout, StringComparison.Ordinal);
        Assert.Equal(new AutoLockSetting(null, false), (await _cli.RunWithPassphraseAsync("autolock", "--json")).Succeeded().Json<AutoLockSetting>());
        Assert.Contains("IDLE is a number of minutes or \"never\".", (await _cli.RunWithPassphraseAsync("autolock", "soon")).Failed(2).Stderr, StringComparison.Ordinal);
        Assert.Contains("From 1 to 1440 minutes, or never.", (await _cli.RunWithPassphraseAsync("autolock", "2000")).Failed(1).Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_into_an_existing_directory_leaves_it_and_the_database_readable_by_their_owner_only()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // Made by the person beforehand, with mkdir's usual 0755: init narrows it, and the database is never 0644.
        Directory.CreateDirectory(_cli.DataDirectory);
        File.SetUnixFileMode(_cli.DataDirectory, (UnixFileMode)0b111_101_101);
        await _cli.InitAsync();
        (await _cli.RunWithPassphraseAsync("profile", "set", "email", "ada@example.org")).Succeeded();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_cli.DataDirectory));
        var files = Directory.GetFiles(_cli.DataDirectory, "*", SearchOption.AllDirectories);
        Assert.Contains(Path.Combine(_cli.DataDirectory, "symbolon.db"), files);
        Assert.All(files, AssertOwnerOnly);
    }

    [Fact]
    public async Task A_database_left_world_readable_by_an_older_version_is_narrowed_when_opened()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await _cli.InitAsync();
        var database = Path.Combine(_cli.DataDirectory, "symbolon.db");
        File.SetUnixFileMode(database, (UnixFileMode)0b110_100_100);
        File.SetUnixFileMode(_cli.DataDirectory, (UnixFileMode)0b111_101_101);
        (await _cli.RunWithPassphraseAsync("profile", "show")).Succeeded();
        AssertOwnerOnly(database);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_cli.DataDirectory));
    }

    [Fact]
    public async Task Restore_refuses_a_data_directory_that_already_holds_a_vault()
    {
        await _cli.InitAsync();

        // Browser sign-ins live in a running server; without one the command says where to look.
        Assert.Contains("Browser sign-ins are held by the running server.", (await _cli.RunAsync("session", "list")).Failed(1).Stderr, StringComparison.Ordinal);
        var backup = _cli.PathOf("vault.symbolon-backup");
        (await _cli.RunWithPassphraseAsync("backup", "-o", backup)).Succeeded();

        var refused = (await _cli.RunWithPassphraseAsync("restore", backup)).Failed();
        Assert.Contains("A vault already exists", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("empty data directory", refused.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restore_with_the_recovery_key_then_recover_sets_a_new_passphrase()
    {
        var recoveryKey = await _cli.InitAsync();
        await _cli.SetFieldAsync("email", "ada@example.org");
        var backup = _cli.PathOf("vault.symbolon-backup");
        (await _cli.RunWithPassphraseAsync("backup", "-o", backup)).Succeeded();

        var other = _cli.PathOf("other");
        var wrongKey = (await _cli.RunRawAsync("restore", backup, "--recovery-key", "--recovery-key-file", _cli.WriteFile("wrong.key", "AAAA-AAAA\n"), "--data-dir", other)).Failed();
        Assert.Contains("does not open this vault", wrongKey.Stderr, StringComparison.Ordinal);

        _cli.Environment["SYMBOLON_RECOVERY_KEY"] = recoveryKey.ToLowerInvariant();
        (await _cli.RunRawAsync("restore", backup, "--recovery-key", "--data-dir", other)).Succeeded();

        const string NewPassphrase = "a brand new passphrase";
        _cli.Environment["SYMBOLON_NEW_PASSPHRASE"] = NewPassphrase;
        var recovered = (await _cli.RunRawAsync("recover", "--data-dir", other)).Succeeded();
        Assert.DoesNotContain(NewPassphrase, recovered.Stdout + recovered.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(recoveryKey, recovered.Stdout + recovered.Stderr, StringComparison.OrdinalIgnoreCase);

        (await _cli.RunRawAsync("profile", "show", "--data-dir", other, "--passphrase-file", _cli.PassphraseFile)).Failed();
        _cli.Environment["SYMBOLON_PASSPHRASE"] = NewPassphrase;
        var show = (await _cli.RunRawAsync("profile", "show", "--data-dir", other)).Succeeded();
        Assert.Contains("ada@example.org", show.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_passphrase_fails_with_exit_code_1_and_a_plain_message()
    {
        await _cli.InitAsync();
        const string Wrong = "not the right passphrase";
        var result = (await _cli.RunAsync("profile", "show", "--passphrase-file", _cli.WriteFile("wrong.txt", Wrong + "\n"))).Failed(1);

        Assert.StartsWith("Error: That passphrase does not open this vault.", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Wrong, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task SYMBOLON_DEBUG_adds_the_stack_trace_to_an_error()
    {
        await _cli.InitAsync();
        var wrong = _cli.WriteFile("wrong.txt", "not the right passphrase");
        Assert.DoesNotContain("WrongPassphraseException", (await _cli.RunAsync("profile", "show", "--passphrase-file", wrong)).Failed().Stderr, StringComparison.Ordinal);

        _cli.Environment["SYMBOLON_DEBUG"] = "1";
        var debug = (await _cli.RunAsync("profile", "show", "--passphrase-file", wrong)).Failed();
        Assert.StartsWith("Error: That passphrase does not open this vault.", debug.Stderr, StringComparison.Ordinal);
        Assert.Contains("Symbolon.Core.Vaults.WrongPassphraseException", debug.Stderr, StringComparison.Ordinal);
        Assert.Contains("   at Symbolon.", debug.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_server_is_a_plain_error()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var result = (await _cli.RunAsync("status", "--server", $"http://127.0.0.1:{port}")).Failed();
        Assert.StartsWith("Error: The server could not be reached.", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("must be an http:// or https:// address", (await _cli.RunAsync("status", "--server", "ftp://example.org")).Failed(2).Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_value_fails_with_exit_code_1_naming_the_field()
    {
        await _cli.InitAsync();

        var email = (await _cli.RunWithPassphraseAsync("profile", "set", "email", "nope")).Failed(1);
        Assert.Contains("Some values are invalid.", email.Stderr, StringComparison.Ordinal);
        Assert.Contains("VALUE: This is not an email address", email.Stderr, StringComparison.Ordinal);

        var address = (await _cli.RunWithPassphraseAsync("profile", "set", "postal_address", "--locality", "Utrecht", "--country", "Netherlands")).Failed(1);
        Assert.Contains("--country: Use a two-letter ISO 3166-1 country code", address.Stderr, StringComparison.Ordinal);

        var name = (await _cli.RunWithPassphraseAsync("profile", "set", "name", "--middle", "Augusta")).Failed(1);
        Assert.Contains("name (--given, --family ...): Give at least a given or a family name.", name.Stderr, StringComparison.Ordinal);

        var profile = (await _cli.RunWithPassphraseAsync("profile", "show", "--json")).Succeeded().Json<ProfileDocument>();
        Assert.Empty(profile.Fields);
    }

    [Fact]
    public async Task Command_line_mistakes_are_usage_errors_with_exit_code_2()
    {
        Assert.Contains("Unrecognized command or argument 'frobnicate'", (await _cli.RunAsync("frobnicate")).Failed(2).Stderr, StringComparison.Ordinal);
        Assert.Contains("'colour'", (await _cli.RunAsync("profile", "set", "colour", "red")).Failed(2).Stderr, StringComparison.Ordinal);
        Assert.Contains("--id", (await _cli.RunAsync("profile", "set", "email", "a@b.example", "--id", "not-a-guid")).Failed(2).Stderr, StringComparison.Ordinal);
        Assert.Contains("A name is given in its parts", (await _cli.RunAsync("profile", "set", "name", "Ada Lovelace")).Failed(2).Stderr, StringComparison.Ordinal);
        Assert.Contains("--street", (await _cli.RunAsync("profile", "set", "email", "a@b.example", "--street", "Main St")).Failed(2).Stderr, StringComparison.Ordinal);
        Assert.Contains("--output", (await _cli.RunAsync("backup")).Failed(2).Stderr, StringComparison.Ordinal);
        Assert.Contains("Storage:Provider must be", (await _cli.RunAsync("status", "--storage", "mysql")).Failed(2).Stderr, StringComparison.Ordinal);
        Assert.Contains("Storage:ConnectionString", (await _cli.RunAsync("status", "--storage", "Postgres")).Failed(2).Stderr, StringComparison.Ordinal);

        // A command group alone shows what it holds.
        Assert.Contains("history", (await _cli.RunAsync("profile")).Failed(2).Stderr, StringComparison.Ordinal);
        Assert.Contains("restore", (await _cli.RunAsync("--help")).Succeeded().Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_terminal_a_missing_passphrase_names_the_three_ways_to_give_one()
    {
        var result = (await _cli.RunAsync("init")).Failed(2);

        Assert.Contains("No passphrase was given", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("SYMBOLON_PASSPHRASE", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("--passphrase-file", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("interactive terminal", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_passphrase_file_gives_its_first_line_and_the_variable_works_alike()
    {
        _cli.WriteFile("multi.txt", CliHarness.Passphrase + "\r\nsecond line is ignored\n");
        (await _cli.RunAsync("init", "--passphrase-file", _cli.PathOf("multi.txt"))).Succeeded();

        _cli.Environment["SYMBOLON_PASSPHRASE"] = CliHarness.Passphrase;
        (await _cli.RunAsync("profile", "set", "email", "ada@example.org")).Succeeded();

        var again = (await _cli.RunWithPassphraseAsync("init")).Failed();
        Assert.Contains("A vault already exists", again.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_weak_passphrase_is_refused_with_the_vaults_own_reason()
    {
        var result = (await _cli.RunAsync("init", "--passphrase-file", _cli.WriteFile("short.txt", "short\n"))).Failed();
        Assert.Contains("at least 10 characters", result.Stderr, StringComparison.Ordinal);
        Assert.False((await _cli.RunAsync("status", "--json")).Succeeded().Json<CliStatus>().Vault.Exists);
    }

    [Fact]
    public async Task Status_shows_mode_storage_kdf_and_public_keys()
    {
        (await _cli.RunAsync("status")).Succeeded();
        await _cli.InitAsync();

        var status = (await _cli.RunAsync("status")).Succeeded().Stdout;
        Assert.Contains("Mode:", status, StringComparison.Ordinal);
        Assert.Contains("local", status, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_cli.DataDirectory, "symbolon.db"), status, StringComparison.Ordinal);
        Assert.Contains("argon2id, 64 MiB, 3 passes, 1 lane", status, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^Unlocked:\s+no$", status);

        var json = (await _cli.RunAsync("status", "--json")).Succeeded().Json<CliStatus>();
        Assert.Equal("local", json.Mode);
        Assert.Equal(new KdfDescription("argon2id", 65536, 3, 1), json.Vault.Kdf);
        Assert.Contains($"Ed25519 {json.Vault.SigningPublicKey}", status, StringComparison.Ordinal);
        Assert.Contains($"X25519 {json.Vault.AgreementPublicKey}", status, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Removed_fields_stay_in_history_until_purged()
    {
        await _cli.InitAsync();
        var phone = await _cli.SetFieldAsync("phone", "+31 20 123 4567");
        await _cli.SetFieldAsync("email", "ada@example.org");

        (await _cli.RunWithPassphraseAsync("profile", "remove", phone.ToString())).Succeeded();
        var history = (await _cli.RunWithPassphraseAsync("profile", "history")).Succeeded();
        Assert.Contains($"phone {phone} (removed)", history.Stdout, StringComparison.Ordinal);
        Assert.Contains("removed: +31 20 123 4567", history.Stdout, StringComparison.Ordinal);

        Assert.Contains("--yes", (await _cli.RunWithPassphraseAsync("purge")).Failed(2).Stderr, StringComparison.Ordinal);
        Assert.Contains("Purged 1 deleted record.", (await _cli.RunWithPassphraseAsync("purge", "--yes")).Succeeded().Stdout, StringComparison.Ordinal);
        var after = (await _cli.RunWithPassphraseAsync("profile", "history", "--json")).Succeeded().Json<List<ProfileFieldHistory>>();
        Assert.Equal("email", Assert.Single(after).Kind);

        var missing = (await _cli.RunWithPassphraseAsync("profile", "remove", phone.ToString())).Failed();
        Assert.Contains("Not found.", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Profile_vcard_and_jcard()
    {
        await _cli.InitAsync();
        await _cli.SetFieldAsync("name", "--given", "Ada", "--family", "Lovelace");
        await _cli.SetFieldAsync("email", "ada@example.org", "--label", "work");

        var vcard = (await _cli.RunWithPassphraseAsync("profile", "vcard")).Succeeded().Stdout;
        Assert.StartsWith("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ada Lovelace\r\n", vcard, StringComparison.Ordinal);
        Assert.Contains("EMAIL;TYPE=work:ada@example.org\r\n", vcard, StringComparison.Ordinal);

        var file = _cli.PathOf("ada.jcard.json");
        (await _cli.RunWithPassphraseAsync("profile", "vcard", "--jcard", "-o", file)).Succeeded();
        using var jcard = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(file));
        Assert.Equal("vcard", jcard.RootElement[0].GetString());
        AssertOwnerOnly(file);
    }

    [Fact]
    public async Task Access_tokens_are_created_listed_and_revoked()
    {
        await _cli.InitAsync();
        var created = (await _cli.RunWithPassphraseAsync("token", "create", "backup script", "--days", "7", "--json")).Succeeded().Json<OwnerToken>();
        Assert.StartsWith("sym_pat_", created.Token, StringComparison.Ordinal);

        var list = (await _cli.RunWithPassphraseAsync("token", "list", "--json")).Succeeded().Json<List<OwnerToken>>();
        var listed = Assert.Single(list);
        Assert.Equal(("backup script", null), (listed.Name, listed.Token));

        (await _cli.RunWithPassphraseAsync("token", "revoke", created.Id.ToString())).Succeeded();
        Assert.Contains("There are no live tokens.", (await _cli.RunWithPassphraseAsync("token", "list")).Succeeded().Stdout, StringComparison.Ordinal);
        Assert.Contains("no live access token", (await _cli.RunWithPassphraseAsync("token", "revoke", created.Id.ToString())).Failed().Stderr, StringComparison.Ordinal);
        Assert.Contains("between 1 and 365 days", (await _cli.RunWithPassphraseAsync("token", "create", "x", "--days", "400")).Failed().Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Changing_the_passphrase_retires_the_old_one()
    {
        await _cli.InitAsync();
        const string NewPassphrase = "another long passphrase";
        var newFile = _cli.WriteFile("new.txt", NewPassphrase + "\n");

        var changed = (await _cli.RunWithPassphraseAsync("passphrase", "change", "--new-passphrase-file", newFile)).Succeeded();
        Assert.DoesNotContain(NewPassphrase, changed.Stdout + changed.Stderr, StringComparison.Ordinal);

        (await _cli.RunWithPassphraseAsync("profile", "show")).Failed();
        (await _cli.RunAsync("profile", "show", "--passphrase-file", newFile)).Succeeded();
    }

    [Fact]
    public async Task Export_and_backup_do_not_replace_a_file_without_force()
    {
        await _cli.InitAsync();
        var file = _cli.WriteFile("existing.json", "keep me");

        Assert.Contains("already exists", (await _cli.RunWithPassphraseAsync("export", "-o", file)).Failed(2).Stderr, StringComparison.Ordinal);
        Assert.Equal("keep me", await File.ReadAllTextAsync(file));

        (await _cli.RunWithPassphraseAsync("export", "-o", file, "--force")).Succeeded();
        Assert.StartsWith("{", await File.ReadAllTextAsync(file), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_cli.Root, "*.partial"));
    }

    internal static void AssertOwnerOnly(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    public void Dispose() => _cli.Dispose();
}
