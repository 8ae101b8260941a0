using Npgsql;

namespace Symbolon.Core.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server the tests run against, named by <c>SYMBOLON_TEST_POSTGRES</c> (./test.sh starts a throwaway
/// one and sets it). Every test store gets a database of its own, created here and dropped when the store is disposed.
/// </summary>
internal static class TestPostgres
{
    public const string EnvironmentVariable = "SYMBOLON_TEST_POSTGRES";

    /// <summary>The admin connection string; a missing variable fails the test (PostgreSQL tests are never skipped).</summary>
    public static string AdminConnectionString
    {
        get
        {
            var value = Environment.GetEnvironmentVariable(EnvironmentVariable);
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new InvalidOperationException(
                    $"{EnvironmentVariable} is not set, so the PostgreSQL storage tests cannot reach a server. " +
                    "Run ./test.sh, which starts PostgreSQL on loopback and sets it " +
                    "(for example Host=127.0.0.1;Port=55432;Username=symbolon;Database=postgres).");
            }

            return value;
        }
    }

    /// <summary>Creates a uniquely named, empty database and returns the connection string to it.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var admin = AdminConnectionString;
        var name = "symbolon_test_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using (var pooled = new NpgsqlConnection(connectionString))
        {
            NpgsqlConnection.ClearPool(pooled);
        }

        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
