using System.Security.Cryptography;
using Symbolon.Intents;

namespace BootShop.Shop;

/// <summary>
/// The shop's own long-lived key pair for the intent protocol (an <see cref="IntentKeys"/> pair: Ed25519 signs its
/// offers, X25519 opens the acceptances sealed to it). Made on first start and kept in the data directory, readable by
/// the shop's user only (file mode 0600); the exchange knows the public halves from the registration.
/// </summary>
public sealed class VendorKeyStore : IDisposable
{
    public const string FileName = "vendor-keys.bin";

    public VendorKeyStore(ShopPaths paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        Path = System.IO.Path.Combine(paths.DataDirectory, FileName);
        Keys = LoadOrCreate(Path);
    }

    public string Path { get; }

    public IntentKeys Keys { get; }

    public IntentPublicKeys PublicKeys => Keys.PublicKeys;

    public void Dispose() => Keys.Dispose();

    private static IntentKeys LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            var stored = File.ReadAllBytes(path);
            try
            {
                return IntentKeys.Import(stored);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(stored);
            }
        }

        var keys = IntentKeys.Create();
        var bytes = keys.Export();
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

        return keys;
    }
}

/// <summary>Where the shop keeps its files.</summary>
public sealed record ShopPaths(string DataDirectory);
