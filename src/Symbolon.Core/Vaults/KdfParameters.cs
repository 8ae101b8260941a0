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

    /// <summary>
    /// The most memory a vault may ask for: 1 GiB. The parameters come from the vault row, or from a backup's header
    /// before anything in it can be authenticated, so they are bounded before the key derivation runs.
    /// </summary>
    public const int MaxMemoryKiB = 1024 * 1024;

    /// <summary>The most passes a vault may ask for; at 1 GiB these take tens of seconds, not hours.</summary>
    public const int MaxIterations = 16;

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

        if (MemoryKiB > MaxMemoryKiB || Iterations > MaxIterations)
        {
            throw new VaultFormatException($"The vault's key derivation parameters are above the maximum ({MaxMemoryKiB / 1024} MiB, {MaxIterations} passes).");
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
