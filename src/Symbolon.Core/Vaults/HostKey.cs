using System.Security.Cryptography;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Vault;
using Symbolon.Core.Problems;

namespace Symbolon.Core.Vaults;

/// <summary>Unattended mode cannot be used as configured: the host key is missing, malformed or readable by others.</summary>
internal sealed class HostKeyUnusableException(string detail) : SymbolonProblemException(ProblemCodes.HostKeyUnusable, 409, "The host key cannot be used.", detail, detail);

/// <summary>
/// Where the host key of unattended mode comes from, never the database: a systemd credential
/// (<c>LoadCredential=symbolon-host-key:…</c>, read from <c>$CREDENTIALS_DIRECTORY</c>), else the environment variable
/// <c>SYMBOLON_HOST_KEY</c>, else a file (<c>HostKey:File</c>, by default <c>host.key</c> in the data directory) that
/// only its owner may read (0600). Each holds 32 random bytes in base64. Switching to unattended mode with none of
/// them makes the file.
/// </summary>
internal sealed class HostKeySource(string dataDirectory, string? configuredFile)
{
    public const string EnvironmentVariable = "SYMBOLON_HOST_KEY";
    public const string CredentialName = "symbolon-host-key";
    public const string DefaultFileName = "host.key";

    public string FilePath => configuredFile ?? Path.Combine(dataDirectory, DefaultFileName);

    /// <summary>The key and a sentence saying where it came from; null when none is configured and <paramref name="create"/> is false.</summary>
    public (byte[] Key, string Source)? Find(bool create)
    {
        if (Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY") is { Length: > 0 } credentials
            && Path.Combine(credentials, CredentialName) is var credential && File.Exists(credential))
        {
            return (Parse(File.ReadAllText(credential), $"the systemd credential {CredentialName}"), $"the systemd credential {CredentialName}");
        }

        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { } text && !string.IsNullOrWhiteSpace(text))
        {
            return (Parse(text, $"the environment variable {EnvironmentVariable}"), $"the environment variable {EnvironmentVariable}");
        }

        var file = FilePath;
        if (File.Exists(file))
        {
            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(file) & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute)) != 0)
            {
                throw new HostKeyUnusableException($"The host key file {file} can be read by others; make it readable by its owner only (chmod 600 {file}).");
            }

            return (Parse(File.ReadAllText(file), $"the file {file}"), $"the file {file}");
        }

        if (!create)
        {
            return null;
        }

        var key = RandomNumberGenerator.GetBytes(32);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(file, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.WriteLine(Convert.ToBase64String(key));
        }

        return (key, $"the file {file}");
    }

    private static byte[] Parse(string text, string where)
    {
        try
        {
            var key = Convert.FromBase64String(text.Trim());
            return key.Length == 32 ? key : throw new FormatException();
        }
        catch (FormatException)
        {
            throw new HostKeyUnusableException($"The host key in {where} is not 32 bytes in base64 (make one with: head -c 32 /dev/urandom | base64).");
        }
    }
}

/// <summary>Strict or unattended: reads and switches the vault's mode (<see cref="VaultService.SetUnattendedAsync"/>).</summary>
internal sealed class VaultModeService(VaultService vaults, HostKeySource hostKeys)
{
    public async Task<VaultModeSetting> GetAsync(Guid vaultId, CancellationToken ct = default)
    {
        var unattended = await vaults.IsUnattendedAsync(vaultId, ct);
        string? source;
        try
        {
            source = hostKeys.Find(create: false)?.Source;
        }
        catch (HostKeyUnusableException e)
        {
            source = e.Detail;
        }

        return new VaultModeSetting(unattended ? VaultModes.Unattended : VaultModes.Strict, source);
    }

    /// <summary>Unattended: wraps the data key with the host key (made when none is configured). Strict: destroys that copy.</summary>
    public async Task<VaultModeSetting> SetAsync(VaultKeys keys, string mode, CancellationToken ct = default)
    {
        switch (mode)
        {
            case VaultModes.Unattended:
                var (key, _) = hostKeys.Find(create: true)!.Value;
                try
                {
                    await vaults.SetUnattendedAsync(keys, key, ct);
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(key);
                }

                break;
            case VaultModes.Strict:
                await vaults.SetStrictAsync(keys.VaultId, ct);
                break;
            default:
                throw Validation.ValidationFailedException.For("mode", $"Either \"{VaultModes.Strict}\" or \"{VaultModes.Unattended}\".");
        }

        return await GetAsync(keys.VaultId, ct);
    }
}
