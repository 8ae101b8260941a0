using Npgsql;
using Symbolon.Cli.Operations;

namespace Symbolon.Cli.Tests;

/// <summary>
/// Local mode on PostgreSQL (Storage__Provider=Postgres), against the throwaway server that ./test.sh starts and
/// names in SYMBOLON_TEST_POSTGRES. Each test creates its own databases and drops them afterwards.
/// </summary>
public sealed class PostgresLocalModeTests : IAsyncLifetime, IDisposable
{
    private readonly CliHarness _cli = new();
    private readonly List<string> _databases = [];
    private string _server = "";

    public Task InitializeAsync()
    {
        _server = Environment.GetEnvironmentVariable("SYMBOLON_TEST_POSTGRES")
            ?? throw new InvalidOperationException("SYMBOLON_TEST_POSTGRES is not set. Run the tests through ./test.sh, which starts a throwaway PostgreSQL server and sets it.");
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Backup_and_restore_between_two_PostgreSQL_databases_keep_the_export_identical()
    {
        UseDatabase(await CreateDatabaseAsync());
        await _cli.InitAsync();
        await _cli.SetFieldAsync("name", "--given", "Ada", "--family", "Lovelace");
        var email = await _cli.SetFieldAsync("email", "ada@example.org");
        (await _cli.RunWithPassphraseAsync("profile", "set", "email", "ada@analytical.example", "--id", email.ToString())).Succeeded();

        var status = (await _cli.RunAsync("status", "--json")).Succeeded().Json<CliStatus>();
        Assert.Equal(("local", "PostgreSQL (Storage__ConnectionString)"), (status.Mode, status.Storage));
        Assert.False(File.Exists(Path.Combine(_cli.DataDirectory, "symbolon.db")));

        var before = (await _cli.RunWithPassphraseAsync("export")).Succeeded().Stdout;
        var backup = _cli.PathOf("vault.symbolon-backup");
        (await _cli.RunWithPassphraseAsync("backup", "-o", backup)).Succeeded();
        Assert.Contains("A vault already exists", (await _cli.RunWithPassphraseAsync("restore", backup)).Failed().Stderr, StringComparison.Ordinal);

        // The second database is named with --storage and --connection-string, the server's own switches.
        var second = await CreateDatabaseAsync();
        _cli.Environment.Clear();
        Assert.Contains("2 records with 3 versions", (await _cli.RunWithPassphraseAsync("restore", backup, "--storage", "postgres", "--connection-string", second)).Succeeded().Stdout, StringComparison.Ordinal);
        Assert.Equal(before, (await _cli.RunWithPassphraseAsync("export", "--storage", "Postgres", "--connection-string", second)).Succeeded().Stdout);
    }

    private void UseDatabase(string connectionString)
    {
        _cli.Environment["Storage__Provider"] = "Postgres";
        _cli.Environment["Storage__ConnectionString"] = connectionString;
    }

    private async Task<string> CreateDatabaseAsync()
    {
        var name = $"symbolon_cli_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(_server))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }

        _databases.Add(name);
        return new NpgsqlConnectionStringBuilder(_server) { Database = name }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_databases.Count > 0)
        {
            await using var connection = new NpgsqlConnection(_server);
            await connection.OpenAsync();
            foreach (var name in _databases)
            {
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
                await drop.ExecuteNonQueryAsync();
            }
        }
    }

    public void Dispose() => _cli.Dispose();
}
