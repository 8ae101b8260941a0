using NSec.Cryptography;

namespace Symbolon.Core.Vaults;

/// <summary>
/// Argon2id parameters, stored with each vault so that stronger defaults later never lock out an older vault.
/// </summary>
internal sealed record KdfParameters(string Algorithm, int MemoryKiB, int Iterations, int Parallelism)
{
    public const string Argon2id = "argon2id";

    /// <summary>64 MiB, 3 passes, 1 lane: the minimum the design allows (see docs/architecture.md).</summary>
    public static KdfParameters Default { get; } = new(Argon2id, 64 * 1024, 3, 1);

    public void Validate()
    {
        if (Algorithm != Argon2id)
        {
            throw new VaultFormatException($"Unsupported key derivation algorithm '{Algorithm}'.");
        }

        // Note: libsodium (through NSec) supports one lane only; the check keeps a hand-edited vault
        // from asking for something the library cannot do.
        if (MemoryKiB < Default.MemoryKiB || Iterations < Default.Iterations || Parallelism != 1)
        {
            throw new VaultFormatException("The vault's key derivation parameters are below the minimum (64 MiB, 3 passes, 1 lane).");
        }
    }

    public byte[] DeriveKey(ReadOnlySpan<byte> passphraseUtf8, ReadOnlySpan<byte> salt)
    {
        Validate();
        var algorithm = PasswordBasedKeyDerivationAlgorithm.Argon2id(new Argon2Parameters
        {
            DegreeOfParallelism = Parallelism,
            MemorySize = MemoryKiB,
            NumberOfPasses = Iterations,
        });
        return algorithm.DeriveBytes(passphraseUtf8, salt, VaultCrypto.KeySize);
    }
}
