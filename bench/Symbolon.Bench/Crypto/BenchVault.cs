using System.Security.Cryptography;
using NSec.Cryptography;
using Symbolon.Core.Vaults;

namespace Symbolon.Bench.Crypto;

internal static class BenchVault
{
    /// <summary>Unlocked vault keys with a random data key, as <see cref="VaultService"/> hands them out.</summary>
    public static VaultKeys CreateKeys()
    {
        var dataKey = RandomNumberGenerator.GetBytes(VaultCrypto.KeySize);
        try
        {
            return new VaultKeys(Guid.CreateVersion7(), dataKey, Key.Create(SignatureAlgorithm.Ed25519), Key.Create(KeyAgreementAlgorithm.X25519));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }
}
