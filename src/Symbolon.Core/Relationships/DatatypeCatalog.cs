using Symbolon.Contracts.Vendor;

namespace Symbolon.Core.Relationships;

/// <summary>One datatype: what the consent page calls it, what it can be used for, and how it can be narrowed.</summary>
internal sealed record DatatypeInfo(
    string Id,
    string Title,
    string RecordType,
    IReadOnlyList<string> Actions,
    IReadOnlyList<string> Narrowings,
    bool IsProfile);

/// <summary>The datatypes vendors can ask for. Profile datatypes are the profile record types themselves.</summary>
internal static class DatatypeCatalog
{
    public const string NoteRecordType = "note";

    private static readonly string[] ReadUpdateAppend = [DataActions.Read, DataActions.Append, DataActions.Update];

    private static readonly DatatypeInfo[] Known =
    [
        new(Datatypes.Name, "Your name", Datatypes.Name, ReadUpdateAppend, [Narrowings.Full], true),
        new(Datatypes.Email, "Your email addresses", Datatypes.Email, ReadUpdateAppend, [Narrowings.Full], true),
        new(Datatypes.Phone, "Your phone numbers", Datatypes.Phone, ReadUpdateAppend, [Narrowings.Full], true),
        new(Datatypes.PostalAddress, "Your postal address", Datatypes.PostalAddress, ReadUpdateAppend, [Narrowings.Full, Narrowings.PostalCode, Narrowings.Country], true),
        new(Datatypes.BirthDate, "Your date of birth", Datatypes.BirthDate, [DataActions.Read], [Narrowings.Full, Narrowings.Over18], true),
        new(Datatypes.Language, "Your languages", Datatypes.Language, ReadUpdateAppend, [Narrowings.Full], true),
        new(Datatypes.Preference, "Your preferences", Datatypes.Preference, ReadUpdateAppend, [Narrowings.Full], true),
        new(Datatypes.Notes, "Notes the vendor adds to your vault", NoteRecordType, [DataActions.Read, DataActions.Append], [Narrowings.Full], false),
        new(Datatypes.Receipts, "Receipts of what you buy from them", ReceiptRecordType, [DataActions.Read, DataActions.Append], [Narrowings.Full], false),
        new(Datatypes.Loyalty, "Stamps and points on their loyalty programme", LoyaltyEventRecordType, [DataActions.Read, DataActions.Append], [Narrowings.Full], false),
        new(Datatypes.CheckIns, "Your visits (only those you share with them)", CheckInRecordType, [DataActions.Read, DataActions.Append], [Narrowings.Full], false),
        new(Datatypes.PaymentInstructions, "How they can be paid, for you to approve", Payments.PaymentRecordTypes.Instructions, [DataActions.Append], [Narrowings.Full], false),
        new(Datatypes.Usage, "How much you use what they offer, so you can pay per use", Payments.PaymentRecordTypes.Usage, [DataActions.Read, DataActions.Append], [Narrowings.Full], false),
    ];

    public const string ReceiptRecordType = "receipt";
    public const string LoyaltyEventRecordType = "loyalty.event";
    public const string CheckInRecordType = "checkin";

    /// <summary>
    /// Datatypes a vendor reads only its own records of (those it wrote): the change feed filters them by the
    /// writer. Check-ins are not among them: who a check-in is shared with is inside its envelope, so the feed
    /// cannot filter them and leaves them out; vendors read them with GET /api/v1/checkins.
    /// </summary>
    public static IReadOnlyList<string> OwnRecordDatatypes { get; } = [Datatypes.Notes, Datatypes.Receipts, Datatypes.Loyalty, Datatypes.Usage];

    public static IReadOnlyList<DatatypeInfo> All => Known;

    public static DatatypeInfo? Find(string id) => Array.Find(Known, d => d.Id == id);

    public static DatatypeInfo? ForRecordType(string recordType) => Array.Find(Known, d => d.RecordType == recordType);

    /// <summary>What a narrowing means, for the consent page.</summary>
    public static string DescribeNarrowing(string narrowing) => narrowing switch
    {
        Narrowings.PostalCode => "only the postal code and country",
        Narrowings.Country => "only the country",
        Narrowings.Over18 => "only whether you are 18 or older",
        _ => "all of it",
    };

    /// <summary>What an action means, for the consent page.</summary>
    public static string DescribeAction(string action) => action switch
    {
        DataActions.Read => "see",
        DataActions.Append => "add",
        DataActions.Update => "change",
        _ => action,
    };

    public static IReadOnlyList<DatatypeDescription> Describe() =>
        [.. Known.Select(d => new DatatypeDescription(d.Id, d.Title, d.Actions, d.Narrowings))];
}
