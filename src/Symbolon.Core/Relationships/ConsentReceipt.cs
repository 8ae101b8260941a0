using System.Text.Json;
using System.Text.Json.Nodes;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Terms;

namespace Symbolon.Core.Relationships;

/// <summary>
/// The consent receipt of one grant: JSON shaped after ISO/IEC TS 27560:2023 (consent record information
/// structure) and the Kantara Initiative consent receipt v1.1 field names, signed with the vault's Ed25519 key.
/// </summary>
internal static class ConsentReceipt
{
    public const string Version = "KI-CR-v1.1.0";

    public static byte[] Create(GrantEntity grant, RelationshipEntity relationship, AgreementRecordEntity agreement, IReadOnlyList<GrantedDatatype> granted, string issuer)
    {
        var thirdParties = agreement.AgreementId != AgreementRoster.ServiceDeliveryNoThirdParties;
        var receipt = new JsonObject
        {
            ["version"] = Version,
            ["schema"] = "ISO/IEC TS 27560:2023",
            ["receipt_id"] = grant.Id.ToString(),
            ["jurisdiction"] = null,
            ["consent_timestamp"] = grant.CreatedAt.ToUnixTimeSeconds(),
            ["collection_method"] = "Consent page of the person's Symbolon vault (OAuth 2.0 authorization code flow with PAR)",
            ["issuer"] = issuer,
            ["pii_principal_id"] = relationship.Subject,
            ["pii_controllers"] = new JsonArray(new JsonObject
            {
                ["pii_controller"] = relationship.VendorName,
                ["client_id"] = relationship.ClientId,
                ["on_behalf"] = false,
                ["url"] = relationship.ClientUri,
                ["privacy_policy"] = relationship.PolicyUri,
            }),
            ["policy_url"] = relationship.PolicyUri,
            ["agreement"] = new JsonObject
            {
                ["id"] = agreement.AgreementId,
                ["text_sha256"] = agreement.TextSha256,
                ["record_id"] = agreement.Id.ToString(),
            },
            ["services"] = new JsonArray(new JsonObject
            {
                ["service"] = relationship.VendorName,
                ["purposes"] = new JsonArray([.. granted.GroupBy(g => g.Purpose).Select(group => (JsonNode)new JsonObject
                {
                    ["purpose"] = group.Key,
                    ["purpose_category"] = new JsonArray("Service delivery"),
                    ["consent_type"] = "EXPLICIT",
                    ["pii_category"] = new JsonArray([.. group.Select(g => (JsonNode)JsonValue.Create(g.Datatype)!)]),
                    ["pii_processing"] = new JsonArray([.. group.Select(g => (JsonNode)new JsonObject
                    {
                        ["datatype"] = g.Datatype,
                        ["actions"] = new JsonArray([.. g.Actions.Select(a => (JsonNode)JsonValue.Create(a)!)]),
                        ["narrowing"] = g.Narrowing,
                    })]),
                    ["primary_purpose"] = true,
                    ["termination"] = grant.ExpiresAt is { } expires ? expires.ToString("O") : "until revoked by the person",
                    ["third_party_disclosure"] = thirdParties,
                })]),
            }),
            ["sensitive"] = false,
            ["spi_cat"] = new JsonArray(),
        };
        return JsonSerializer.SerializeToUtf8Bytes(receipt);
    }

    /// <summary>
    /// The receipt of a one-off disclosure: the person pushed one field to the vendor (a corrected phone number, say)
    /// without giving it a standing grant. Same structure and field names as a grant's receipt, so one verifier reads
    /// both; the processing action is <c>disclose_once</c> and the termination says the value is handed out once.
    /// </summary>
    public static byte[] CreateForPush(Guid pushId, DateTimeOffset pushedAt, RelationshipEntity relationship, AgreementRecordEntity agreement, string datatype, string issuer)
    {
        var grant = new GrantEntity
        {
            VaultId = relationship.VaultId,
            Id = pushId,
            RelationshipId = relationship.Id,
            AgreementId = agreement.AgreementId,
            Purpose = PushPurpose,
            RequestedDetails = "[]",
            GrantedDetails = "[]",
            CreatedAt = pushedAt,
            Receipt = [],
            ReceiptSignature = [],
        };
        var receipt = JsonNode.Parse(Create(grant, relationship, agreement, [new GrantedDatatype(datatype, [DiscloseOnce], Narrowings.Full, PushPurpose)], issuer))!.AsObject();
        receipt["collection_method"] = "Pushed by the person from the relationship's thread in their Symbolon vault (one-off disclosure, no standing grant)";
        var purpose = receipt["services"]![0]!["purposes"]![0]!.AsObject();
        purpose["termination"] = "one-off: the vendor may fetch the value once; no standing grant";
        return JsonSerializer.SerializeToUtf8Bytes(receipt);
    }

    /// <summary>The processing action of a pushed value in its receipt.</summary>
    public const string DiscloseOnce = "disclose_once";

    /// <summary>The purpose a pushed value's receipt and access-log line name.</summary>
    public const string PushPurpose = "Keep the vendor's copy up to date (a value the person pushed once)";
}
