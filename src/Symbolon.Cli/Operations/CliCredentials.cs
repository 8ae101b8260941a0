using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Symbolon.Cli.Infrastructure;
using Symbolon.Core.Storage;
using Symbolon.Core.Vaults;

namespace Symbolon.Cli.Operations;

/// <summary>The contents of <c>{dataDir}/cli-session</c>: the data key sealed with a secret that only the shell holds.</summary>
internal sealed record CliSessionFile(Guid VaultId, DateTimeOffset ExpiresAt, string SealedKey);

/// <summary>
/// A local CLI session, so that commands after <c>symbolon unlock</c> do not run Argon2id again. The vault's data
/// key is sealed with a random 32-byte secret; the sealed key is kept in the data directory, the secret only in the
/// shell's SYMBOLON_SESSION. Neither half alone opens anything, and the session ends at its expiry or at
/// <c>symbolon lock</c>, which deletes the file.
/// </summary>
internal static class CliSession
{
    public const string FileName = "cli-session";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    public static string PathIn(string dataDirectory) => Path.Combine(dataDirectory, FileName);

    /// <summary>Writes a new session file; returns the secret that opens it (base64url) and when it expires.</summary>
    public static (string Secret, DateTimeOffset ExpiresAt) Start(string dataDirectory, VaultKeys keys, DateTimeOffset now)
    {
        var secret = RandomNumberGenerator.GetBytes(VaultCrypto.KeySize);
        try
        {
            var expiresAt = TruncateToSeconds(now + Lifetime);
            var sealedKey = VaultCrypto.Seal(secret, keys.DataKey, AssociatedData(keys.VaultId, expiresAt));
            var file = new CliSessionFile(keys.VaultId, expiresAt, Base64Url.EncodeToString(sealedKey));
            PrivateFile.WriteAllText(PathIn(dataDirectory), JsonSerializer.Serialize(file, CliJson.Wire));
            return (Base64Url.EncodeToString(secret), expiresAt);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    public static CliSessionFile? Read(string dataDirectory)
    {
        var path = PathIn(dataDirectory);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<CliSessionFile>(File.ReadAllText(path), CliJson.Wire);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Opens the vault's keys with the session secret, or says why it cannot.</summary>
    public static VaultKeys? TryOpen(string dataDirectory, VaultEntity vault, string secretText, DateTimeOffset now, out string reason)
    {
        var file = Read(dataDirectory);
        if (file is null)
        {
            reason = "there is no CLI session (it was ended with `symbolon lock`, or never started)";
            return null;
        }

        if (file.VaultId != vault.Id)
        {
            reason = "the CLI session belongs to another vault";
            return null;
        }

        if (file.ExpiresAt <= now)
        {
            reason = "the CLI session has expired";
            return null;
        }

        byte[] secret;
        byte[] sealedKey;
        try
        {
            secret = Base64Url.DecodeFromChars(secretText.Trim());
            sealedKey = Base64Url.DecodeFromChars(file.SealedKey);
        }
        catch (FormatException)
        {
            reason = $"{EnvironmentVariables.Session} is not a session secret";
            return null;
        }

        if (secret.Length != VaultCrypto.KeySize)
        {
            reason = $"{EnvironmentVariables.Session} is not a session secret";
            return null;
        }

        byte[]? dataKey = null;
        try
        {
            dataKey = VaultCrypto.Open(secret, sealedKey, AssociatedData(file.VaultId, file.ExpiresAt));
            reason = "";
            return VaultService.OpenKeys(vault, dataKey);
        }
        catch (AuthenticationTagMismatchException)
        {
            reason = $"{EnvironmentVariables.Session} does not open the current CLI session (it is from an earlier unlock, or the session file was changed)";
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
            if (dataKey is not null)
            {
                CryptographicOperations.ZeroMemory(dataKey);
            }
        }
    }

    // The expiry is bound into the seal too, so that editing the file cannot stretch a session.
    private static byte[] AssociatedData(Guid vaultId, DateTimeOffset expiresAt) =>
        VaultCrypto.KeyAad(vaultId, $"cli-session|{expiresAt.ToUnixTimeSeconds()}");

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset value) =>
        DateTimeOffset.FromUnixTimeSeconds(value.ToUnixTimeSeconds());
}

/// <summary><c>{dataDir}/cli-token</c>: the personal access token the CLI uses with a running server (mode 0600).</summary>
internal static class CliTokenFile
{
    public const string FileName = "cli-token";

    public static string PathIn(string dataDirectory) => Path.Combine(dataDirectory, FileName);

    public static string? Read(string dataDirectory)
    {
        var path = PathIn(dataDirectory);
        return File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } token ? token : null;
    }

    public static string Write(string dataDirectory, string token)
    {
        var path = PathIn(dataDirectory);
        PrivateFile.WriteAllText(path, token + "\n");
        return path;
    }
}
