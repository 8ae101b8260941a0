using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Symbolon.Server.OAuth;

/// <summary>
/// The OAuth server's own keys: an ECDSA P-256 key that signs tokens and a 256-bit key that encrypts them.
/// They are created on first start and kept in the data directory (mode 0600) next to the data-protection
/// keys, so tokens and pushed requests survive a restart. They never touch vault data.
/// </summary>
internal sealed class OAuthKeys
{
    private const string FileName = "oauth-server.json";

    private OAuthKeys(ECDsa signing, byte[] encryption)
    {
        Signing = new ECDsaSecurityKey(signing) { KeyId = Convert.ToHexStringLower(SHA256.HashData(signing.ExportSubjectPublicKeyInfo()))[..16] };
        Encryption = new SymmetricSecurityKey(encryption);
    }

    public ECDsaSecurityKey Signing { get; }

    public SymmetricSecurityKey Encryption { get; }

    public static OAuthKeys LoadOrCreate(string dataDirectory)
    {
        var directory = Path.Combine(dataDirectory, "keys");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        if (File.Exists(path))
        {
            var stored = JsonSerializer.Deserialize<StoredKeys>(File.ReadAllBytes(path))
                ?? throw new InvalidDataException($"{path} is empty.");
            var ecdsa = ECDsa.Create();
            ecdsa.ImportPkcs8PrivateKey(Convert.FromBase64String(stored.Signing), out _);
            return new OAuthKeys(ecdsa, Convert.FromBase64String(stored.Encryption));
        }

        var signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var encryption = RandomNumberGenerator.GetBytes(32);
        var json = JsonSerializer.SerializeToUtf8Bytes(new StoredKeys(Convert.ToBase64String(signing.ExportPkcs8PrivateKey()), Convert.ToBase64String(encryption)));

        // Written to a temporary file first so that two processes starting at once never read half a file.
        var temporary = path + "." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        {
            stream.Write(json);
        }

        try
        {
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created the keys first: use theirs.
            File.Delete(temporary);
            signing.Dispose();
            return LoadOrCreate(dataDirectory);
        }

        return new OAuthKeys(signing, encryption);
    }

    private sealed record StoredKeys(string Signing, string Encryption);
}
