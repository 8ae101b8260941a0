namespace Symbolon.Core.Storage;

/// <summary>
/// Where the vault is stored. Bound from configuration section <c>Storage</c>: <c>Storage__Provider</c>
/// (Sqlite, the default, or Postgres), <c>Storage__ConnectionString</c> for PostgreSQL, and the data directory
/// (<c>--data-dir</c>, <c>SYMBOLON_DATA</c>) that holds the SQLite file.
/// </summary>
public sealed class StorageOptions
{
    public const string SqliteProvider = "Sqlite";
    public const string PostgresProvider = "Postgres";
    public const string DatabaseFileName = "symbolon.db";

    public string Provider { get; set; } = SqliteProvider;

    /// <summary>The data directory; defaults to <see cref="DefaultDataDirectory"/>.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>The PostgreSQL connection string (ignored for SQLite, whose file is in the data directory).</summary>
    public string? ConnectionString { get; set; }

    public bool IsPostgres => string.Equals(Provider, PostgresProvider, StringComparison.OrdinalIgnoreCase);

    /// <summary>SQLite is the default: an empty provider setting means SQLite.</summary>
    public bool IsSqlite => string.IsNullOrWhiteSpace(Provider) || string.Equals(Provider, SqliteProvider, StringComparison.OrdinalIgnoreCase);

    /// <summary>The user's local data folder: <c>~/.local/share/symbolon</c> on Linux, <c>%LOCALAPPDATA%\Symbolon</c> on Windows.</summary>
    public static string DefaultDataDirectory =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), OperatingSystem.IsWindows() ? "Symbolon" : "symbolon");

    public string ResolvedDataDirectory => Path.GetFullPath(string.IsNullOrWhiteSpace(DataDirectory) ? DefaultDataDirectory : DataDirectory);

    public string SqlitePath => Path.Combine(ResolvedDataDirectory, DatabaseFileName);

    public void Validate()
    {
        if (!IsSqlite && !IsPostgres)
        {
            throw new InvalidOperationException($"Storage:Provider must be '{SqliteProvider}' or '{PostgresProvider}', not '{Provider}'.");
        }

        if (IsPostgres && string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new InvalidOperationException("Storage:Provider is Postgres, so Storage:ConnectionString (environment variable Storage__ConnectionString) must name the database.");
        }
    }
}
