using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;
using Symbolon.Core.Vaults;

namespace Symbolon.Core.Tests.Vaults;

public class VaultCryptoTests
{
    private static readonly Guid VaultA = Guid.Parse("0193a1b2-0000-7000-8000-00000000000a");
    private static readonly Guid VaultB = Guid.Parse("0193a1b2-0000-7000-8000-00000000000b");
    private static readonly Guid RecordA = Guid.Parse("0193a1b2-0000-7000-8000-0000000000a1");
    private static readonly Guid RecordB = Guid.Parse("0193a1b2-0000-7000-8000-0000000000b1");
    private static readonly byte[] Plaintext = "{\"text\":\"ada@example.org\"}"u8.ToArray();

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(VaultCrypto.KeySize);

    [Fact]
    public void Seal_then_open_returns_the_plaintext()
    {
        var aad = VaultCrypto.RecordAad(VaultA, RecordA, "profile.email", 1);

        var sealedBytes = VaultCrypto.Seal(_key, Plaintext, aad);

        Assert.Equal(Plaintext.Length + VaultCrypto.Overhead, sealedBytes.Length);
        Assert.Equal(Plaintext, VaultCrypto.Open(_key, sealedBytes, aad));
    }

    [Fact]
    public void Seal_uses_a_fresh_nonce_and_hides_the_plaintext()
    {
        var aad = VaultCrypto.RecordAad(VaultA, RecordA, "profile.email", 1);

        var first = VaultCrypto.Seal(_key, Plaintext, aad);
        var second = VaultCrypto.Seal(_key, Plaintext, aad);

        Assert.NotEqual(first[..VaultCrypto.NonceSize], second[..VaultCrypto.NonceSize]);
        Assert.NotEqual(first, second);
        Assert.Equal(-1, first.AsSpan().IndexOf("ada@example.org"u8));
    }

    [Fact]
    public void An_empty_plaintext_round_trips()
    {
        var sealedBytes = VaultCrypto.Seal(_key, [], [1, 2, 3]);

        Assert.Equal(VaultCrypto.Overhead, sealedBytes.Length);
        Assert.Empty(VaultCrypto.Open(_key, sealedBytes, [1, 2, 3]));
    }

    [Theory]
    [InlineData("nonce", 0)]
    [InlineData("nonce", VaultCrypto.NonceSize - 1)]
    [InlineData("body", VaultCrypto.NonceSize)]
    [InlineData("body", VaultCrypto.NonceSize + 7)]
    [InlineData("tag", -VaultCrypto.TagSize)]
    [InlineData("tag", -1)]
    public void A_flipped_byte_anywhere_fails_to_open(string part, int offset)
    {
        var aad = VaultCrypto.RecordAad(VaultA, RecordA, "profile.email", 1);
        var sealedBytes = VaultCrypto.Seal(_key, Plaintext, aad);
        var index = offset >= 0 ? offset : sealedBytes.Length + offset;
        Assert.True(part switch
        {
            "nonce" => index < VaultCrypto.NonceSize,
            "body" => index >= VaultCrypto.NonceSize && index < sealedBytes.Length - VaultCrypto.TagSize,
            _ => index >= sealedBytes.Length - VaultCrypto.TagSize,
        });

        sealedBytes[index] ^= 0x01;

        Assert.Throws<AuthenticationTagMismatchException>(() => VaultCrypto.Open(_key, sealedBytes, aad));
    }

    [Fact]
    public void A_wrong_key_fails_to_open()
    {
        var aad = VaultCrypto.RecordAad(VaultA, RecordA, "profile.email", 1);
        var sealedBytes = VaultCrypto.Seal(_key, Plaintext, aad);
        var otherKey = RandomNumberGenerator.GetBytes(VaultCrypto.KeySize);
        var almostTheKey = _key.ToArray();
        almostTheKey[^1] ^= 0x80;

        Assert.Throws<AuthenticationTagMismatchException>(() => VaultCrypto.Open(otherKey, sealedBytes, aad));
        Assert.Throws<AuthenticationTagMismatchException>(() => VaultCrypto.Open(almostTheKey, sealedBytes, aad));
    }

    public static TheoryData<string, Guid, Guid, string, int> OtherPlaces => new()
    {
        { "another record", VaultA, RecordB, "profile.email", 1 },
        { "another version", VaultA, RecordA, "profile.email", 2 },
        { "another type", VaultA, RecordA, "profile.phone", 1 },
        { "another vault", VaultB, RecordA, "profile.email", 1 },
    };

    [Theory]
    [MemberData(nameof(OtherPlaces))]
    public void A_record_sealed_for_one_place_does_not_open_in_another(string place, Guid vault, Guid record, string type, int version)
    {
        var sealedBytes = VaultCrypto.Seal(_key, Plaintext, VaultCrypto.RecordAad(VaultA, RecordA, "profile.email", 1));
        var elsewhere = VaultCrypto.RecordAad(vault, record, type, version);

        var error = Record.Exception(() => VaultCrypto.Open(_key, sealedBytes, elsewhere));

        Assert.True(error is AuthenticationTagMismatchException, $"a record sealed for record A, version 1, type profile.email in vault A opened as {place}");
    }

    [Fact]
    public void Vault_keys_bind_records_to_their_vault_record_type_and_version()
    {
        using var keysA = NewKeys(VaultA, _key);
        using var keysB = NewKeys(VaultB, _key);
        var sealedBytes = keysA.SealRecord(RecordA, "profile.email", 3, Plaintext);

        Assert.Equal(Plaintext, keysA.OpenRecord(RecordA, "profile.email", 3, sealedBytes));
        Assert.Throws<AuthenticationTagMismatchException>(() => keysA.OpenRecord(RecordB, "profile.email", 3, sealedBytes));
        Assert.Throws<AuthenticationTagMismatchException>(() => keysA.OpenRecord(RecordA, "profile.email", 4, sealedBytes));
        Assert.Throws<AuthenticationTagMismatchException>(() => keysA.OpenRecord(RecordA, "profile.name", 3, sealedBytes));

        // Same data key, other vault: the vault id in the associated data alone keeps the blob out.
        Assert.Throws<AuthenticationTagMismatchException>(() => keysB.OpenRecord(RecordA, "profile.email", 3, sealedBytes));
    }

    [Fact]
    public void Key_wraps_are_bound_to_their_purpose_and_vault()
    {
        var wrapped = VaultCrypto.Seal(_key, RandomNumberGenerator.GetBytes(32), VaultCrypto.KeyAad(VaultA, "dek/passphrase"));

        Assert.Throws<AuthenticationTagMismatchException>(() => VaultCrypto.Open(_key, wrapped, VaultCrypto.KeyAad(VaultA, "dek/recovery")));
        Assert.Throws<AuthenticationTagMismatchException>(() => VaultCrypto.Open(_key, wrapped, VaultCrypto.KeyAad(VaultB, "dek/passphrase")));
        Assert.NotEqual(VaultCrypto.KeyAad(VaultA, "x"), VaultCrypto.RecordAad(VaultA, RecordA, "x", 1));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(VaultCrypto.NonceSize)]
    [InlineData(VaultCrypto.Overhead - 1)]
    public void Input_shorter_than_nonce_and_tag_fails_cleanly(int length)
    {
        var tooShort = new byte[length];

        var error = Assert.Throws<AuthenticationTagMismatchException>(() => VaultCrypto.Open(_key, tooShort, []));

        Assert.Contains("too short", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Record_associated_data_names_every_coordinate()
    {
        var aad = Encoding.UTF8.GetString(VaultCrypto.RecordAad(VaultA, RecordB, "profile.email", 12));

        Assert.Equal($"symbolon.record.v1|{VaultA:N}|{RecordB:N}|profile.email|12", aad);
    }

    private static VaultKeys NewKeys(Guid vaultId, byte[] dataKey)
    {
        return new VaultKeys(vaultId, dataKey, Key.Create(SignatureAlgorithm.Ed25519), Key.Create(KeyAgreementAlgorithm.X25519));
    }
}
