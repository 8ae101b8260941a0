using Symbolon.Core.Vaults;

namespace Symbolon.Core.Tests.Vaults;

public class KdfParametersTests
{
    [Fact]
    public void The_default_is_64_MiB_3_passes_1_lane_of_argon2id()
    {
        Assert.Equal(new KdfParameters("argon2id", 65536, 3, 1), KdfParameters.Default);
        KdfParameters.Default.Validate();
    }

    [Theory]
    [InlineData("argon2id", 128 * 1024, 3, 1)]
    [InlineData("argon2id", 64 * 1024, 4, 1)]
    [InlineData("argon2id", KdfParameters.MaxMemoryKiB, KdfParameters.MaxIterations, 1)]
    public void Stronger_parameters_are_accepted(string algorithm, int memoryKiB, int iterations, int parallelism) =>
        new KdfParameters(algorithm, memoryKiB, iterations, parallelism).Validate();

    [Theory]
    [InlineData("argon2id", 64 * 1024 - 1, 3, 1)]
    [InlineData("argon2id", 19 * 1024, 3, 1)]
    [InlineData("argon2id", 64 * 1024, 2, 1)]
    [InlineData("argon2id", 64 * 1024, 0, 1)]
    [InlineData("argon2id", 64 * 1024, 3, 2)]
    [InlineData("argon2id", 64 * 1024, 3, 0)]
    [InlineData("argon2i", 64 * 1024, 3, 1)]
    [InlineData("Argon2id", 64 * 1024, 3, 1)]
    [InlineData("scrypt", 64 * 1024, 3, 1)]
    [InlineData("", 64 * 1024, 3, 1)]
    [InlineData("argon2id", 64 * 1024, 2_000_000_000, 1)]
    [InlineData("argon2id", 64 * 1024, KdfParameters.MaxIterations + 1, 1)]
    [InlineData("argon2id", KdfParameters.MaxMemoryKiB + 1, 3, 1)]
    [InlineData("argon2id", int.MaxValue, 3, 1)]
    public void Weaker_unbounded_or_unknown_parameters_are_rejected(string algorithm, int memoryKiB, int iterations, int parallelism)
    {
        var parameters = new KdfParameters(algorithm, memoryKiB, iterations, parallelism);

        Assert.Throws<VaultFormatException>(parameters.Validate);

        // Derivation validates first, so weak parameters are never used.
        Assert.Throws<VaultFormatException>(() => parameters.DeriveKey("a passphrase"u8, new byte[16]));
    }

    [Fact]
    public void Derivation_depends_on_passphrase_and_salt()
    {
        var salt = new byte[16];
        var otherSalt = new byte[16];
        otherSalt[0] = 1;

        var key = KdfParameters.Default.DeriveKey("correct horse battery staple"u8, salt);

        Assert.Equal(VaultCrypto.KeySize, key.Length);
        Assert.Equal(key, KdfParameters.Default.DeriveKey("correct horse battery staple"u8, salt));
        Assert.NotEqual(key, KdfParameters.Default.DeriveKey("correct horse battery staple"u8, otherSalt));
        Assert.NotEqual(key, KdfParameters.Default.DeriveKey("correct horse battery stapl3"u8, salt));
    }
}
