using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using NSec.Cryptography;

namespace PublicRadio.Station;

/// <summary>
/// The station's own Ed25519 key pair, which countersigns payment records (and the agreement it accepts). Made on
/// first start and kept in the data directory, readable by the station's user only (file mode 0600); vaults know the
/// public half from the registration (<c>jwks</c>).
/// </summary>
public sealed class StationKeyStore : IDisposable
{
    public const string FileName = "station-ed25519.key";

    private static readonly SignatureAlgorithm Ed25519 = SignatureAlgorithm.Ed25519;

    private readonly Key _key;

    public StationKeyStore(StationPaths paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        Path = System.IO.Path.Combine(paths.DataDirectory, FileName);
        _key = LoadOrCreate(Path);
        PublicKey = _key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    /// <summary>Where the private key is kept.</summary>
    public string Path { get; }

    /// <summary>The raw 32-byte public key.</summary>
    public byte[] PublicKey { get; }

    /// <summary>Signs bytes with the station's private key: the 64-byte Ed25519 signature.</summary>
    public byte[] Sign(byte[] data) => Ed25519.Sign(_key, data);

    /// <summary>Whether <paramref name="signature"/> is a valid Ed25519 signature over <paramref name="data"/> by <paramref name="publicKey"/>.</summary>
    public static bool Verify(byte[] publicKey, byte[] data, byte[] signature) =>
        publicKey.Length == Ed25519.PublicKeySize
        && signature.Length == Ed25519.SignatureSize
        && NSec.Cryptography.PublicKey.TryImport(Ed25519, publicKey, KeyBlobFormat.RawPublicKey, out var key)
        && Ed25519.Verify(key!, data, signature);

    /// <summary>The JSON Web Key Set (RFC 7517, RFC 8037 <c>OKP</c>) the station registers with a vault.</summary>
    public JsonElement Jwks() => JsonSerializer.SerializeToElement(new
    {
        keys = new[] { new { kty = "OKP", crv = "Ed25519", x = Base64Url.EncodeToString(PublicKey) } },
    });

    public void Dispose() => _key.Dispose();

    private static Key LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            var stored = File.ReadAllBytes(path);
            try
            {
                return Key.Import(Ed25519, stored, KeyBlobFormat.RawPrivateKey);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(stored);
            }
        }

        var key = new Key(Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        var bytes = key.Export(KeyBlobFormat.RawPrivateKey);
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var file = new FileStream(path, options);
            file.Write(bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }

        return key;
    }
}

/// <summary>Where the station keeps its files.</summary>
public sealed record StationPaths(string DataDirectory);
