using System.Security.Cryptography;
using System.Text;
using Symbolon.Contracts.Vendor;

namespace Symbolon.Core.Terms;

/// <summary>
/// The standard agreements a vault can proffer (IEEE 7012 "MyTerms" roster entries). The texts are
/// Symbolon's plain-language renderings; each is identified by its roster id and the SHA-256 of its text, so a
/// signed record names exactly the words agreed to.
/// </summary>
internal static class AgreementRoster
{
    public const string ServiceDeliveryOnly = "SD-BASE";
    public const string ServiceDeliveryNoThirdParties = "SD-BASE-NTP";

    private static readonly ProfferedAgreement[] Known =
    [
        Create(
            ServiceDeliveryOnly,
            "Service delivery only",
            """
            SD-BASE: Service delivery only.
            1. The vendor uses the personal data the person discloses only to deliver the service or product the person asked for, for the purpose stated in each grant.
            2. The vendor keeps the data only as long as that purpose needs it, and deletes it when the person ends the relationship, unless a law requires it to keep the data longer.
            3. The vendor does not use the data for advertising, profiling or tracking, and does not combine it with data from other sources to learn more about the person.
            4. The vendor may use processors that act only on its instructions and under these same terms.
            5. The person may revoke any grant at any time; the vendor stops using the data it no longer has a grant for.
            """),
        Create(
            ServiceDeliveryNoThirdParties,
            "Service delivery only, no third parties",
            """
            SD-BASE-NTP: Service delivery only, no third parties.
            1. The vendor uses the personal data the person discloses only to deliver the service or product the person asked for, for the purpose stated in each grant.
            2. The vendor keeps the data only as long as that purpose needs it, and deletes it when the person ends the relationship, unless a law requires it to keep the data longer.
            3. The vendor does not use the data for advertising, profiling or tracking, and does not combine it with data from other sources to learn more about the person.
            4. The vendor does not share, sell or disclose the data to any third party, processors included, except where a law compels it, and then tells the person.
            5. The person may revoke any grant at any time; the vendor stops using the data it no longer has a grant for.
            """),
    ];

    /// <summary>What a new vault proffers until the person chooses otherwise.</summary>
    public static IReadOnlyList<string> DefaultProffered { get; } = [ServiceDeliveryOnly, ServiceDeliveryNoThirdParties];

    public static IReadOnlyList<ProfferedAgreement> All => Known;

    public static ProfferedAgreement? Find(string id) => Array.Find(Known, a => a.Id == id);

    /// <summary>
    /// How much an agreement protects the person: SD-BASE-NTP promises everything SD-BASE does and forbids third
    /// parties as well, so it ranks above it. An unknown id ranks lowest.
    /// </summary>
    public static int Strictness(string? id) => id switch
    {
        ServiceDeliveryNoThirdParties => 2,
        ServiceDeliveryOnly => 1,
        _ => 0,
    };

    /// <summary>The most protective of <paramref name="ids"/>, or null when there is none.</summary>
    public static string? Strictest(IEnumerable<string?> ids) =>
        ids.Where(id => id is not null).OrderByDescending(Strictness).FirstOrDefault();

    /// <summary>The agreements a vault proffers, from its stored setting.</summary>
    public static IReadOnlyList<ProfferedAgreement> ProfferedBy(string? setting)
    {
        var ids = string.IsNullOrWhiteSpace(setting) ? DefaultProffered : setting.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return [.. Known.Where(a => ids.Contains(a.Id, StringComparer.Ordinal))];
    }

    private static ProfferedAgreement Create(string id, string title, string text)
    {
        var normalized = text.ReplaceLineEndings("\n");
        return new ProfferedAgreement(id, title, normalized, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalized))));
    }
}
