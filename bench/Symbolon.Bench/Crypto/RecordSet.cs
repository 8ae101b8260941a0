using Symbolon.Contracts.Profile;
using Symbolon.Core.Profile;
using Symbolon.Core.Records;

namespace Symbolon.Bench.Crypto;

/// <summary>
/// Profile field values as the vault stores them (serialized with <see cref="VaultJson"/>, 60 to 120 bytes), with
/// the record id, type and version that go into each record's associated data. The payloads sit in one flat
/// buffer so that the data set itself adds no per-record objects for the collector to trace.
/// </summary>
internal sealed class RecordSet
{
    public const int MinPayloadLength = 60;
    public const int MaxPayloadLength = 120;

    private static readonly string[] Labels = ["home", "work", "mobile", "personal", "office", "private", "main", "other"];
    private static readonly string[] GivenNames = ["Anna", "Jonas", "Maria", "Kwame", "Sofia", "Hiroshi", "Amélie", "Mateus", "Ingrid", "Oluwaseun"];
    private static readonly string[] FamilyNames = ["Schmidt", "Okafor", "Nakamura", "da Silva", "Lindqvist", "Dubois", "Kowalczyk", "Fernández", "O'Brien"];
    private static readonly string[] Streets = ["Hauptstraße", "Rue de la Paix", "Baker Street", "Kungsgatan", "Avenida Paulista", "Main Street"];
    private static readonly string[] Localities = ["Berlin", "Lyon", "London", "Göteborg", "São Paulo", "Springfield", "Kraków"];
    private static readonly string[] Countries = ["DE", "FR", "GB", "SE", "BR", "US", "PL"];
    private static readonly string[] Domains = ["example.org", "mail.example.com", "example.net", "post.example.de"];
    private static readonly string[] Preferences =
    [
        "no paper mail", "contact by email only", "no calls before 10 am", "newsletter once a month at most",
        "invoices as PDF", "prefers German", "delivery to the neighbour is fine", "no marketing calls",
    ];

    private static readonly string[] Kinds =
        [ProfileFieldKinds.Email, ProfileFieldKinds.Email, ProfileFieldKinds.Name, ProfileFieldKinds.PostalAddress, ProfileFieldKinds.Preference];

    private static readonly Dictionary<string, string> RecordTypes = Kinds.Distinct().ToDictionary(k => k, ProfileService.RecordType);

    private RecordSet(Guid[] ids, string[] types, int[] versions, byte[] payloads, int[] offsets)
    {
        Ids = ids;
        Types = types;
        Versions = versions;
        Payloads = payloads;
        Offsets = offsets;
    }

    public Guid[] Ids { get; }

    public string[] Types { get; }

    public int[] Versions { get; }

    /// <summary>All payloads back to back; record <c>i</c> is <c>Payloads[Offsets[i]..Offsets[i + 1]]</c>.</summary>
    public byte[] Payloads { get; }

    public int[] Offsets { get; }

    public int Count => Ids.Length;

    public long TotalPayloadBytes => Offsets[^1];

    public ReadOnlySpan<byte> Payload(int index) => Payloads.AsSpan(Offsets[index], Offsets[index + 1] - Offsets[index]);

    public int PayloadLength(int index) => Offsets[index + 1] - Offsets[index];

    /// <summary>The same seed always gives the same records, so runs compare like with like.</summary>
    public static RecordSet Generate(int count, int seed)
    {
        // Note: a seeded Random (not RandomNumberGenerator) on purpose: every run must see the same data.
        var random = new Random(seed);
        var ids = new Guid[count];
        var types = new string[count];
        var versions = new int[count];
        var offsets = new int[count + 1];
        var chunks = new List<byte[]>(count);
        var guidBytes = new byte[16];
        for (var i = 0; i < count; i++)
        {
            random.NextBytes(guidBytes);
            ids[i] = new Guid(guidBytes);
            var kind = Kinds[random.Next(Kinds.Length)];
            types[i] = RecordTypes[kind];
            versions[i] = 1 + random.Next(5);
            byte[] json;
            do
            {
                json = VaultJson.Serialize(Value(kind, random));
            }
            while (json.Length is < MinPayloadLength or > MaxPayloadLength);

            chunks.Add(json);
            offsets[i + 1] = offsets[i] + json.Length;
        }

        var payloads = new byte[offsets[count]];
        for (var i = 0; i < count; i++)
        {
            chunks[i].CopyTo(payloads, offsets[i]);
        }

        return new RecordSet(ids, types, versions, payloads, offsets);
    }

    private static ProfileValue Value(string kind, Random random)
    {
        string Pick(string[] items) => items[random.Next(items.Length)];
        string? MaybeLabel() => random.Next(4) == 0 ? null : Pick(Labels);

        return kind switch
        {
            ProfileFieldKinds.Email => new ProfileValue(
                MaybeLabel(),
                $"{Pick(GivenNames).ToLowerInvariant()}.{Pick(FamilyNames).Replace(" ", "", StringComparison.Ordinal).Replace("'", "", StringComparison.Ordinal).ToLowerInvariant()}{(random.Next(3) == 0 ? "+" + random.Next(1000) : "")}@{Pick(Domains)}",
                null,
                null),
            ProfileFieldKinds.Name => new ProfileValue(
                null,
                null,
                new PersonName(Pick(GivenNames), Pick(FamilyNames), random.Next(3) == 0 ? Pick(GivenNames) : null),
                null),
            ProfileFieldKinds.PostalAddress => new ProfileValue(
                MaybeLabel(),
                null,
                null,
                new PostalAddress($"{Pick(Streets)} {1 + random.Next(200)}", Pick(Localities), null, (10000 + random.Next(89999)).ToString(System.Globalization.CultureInfo.InvariantCulture), Pick(Countries))),
            _ => new ProfileValue(MaybeLabel(), Pick(Preferences) + (random.Next(2) == 0 ? "; " + Pick(Preferences) : ""), null, null),
        };
    }
}
