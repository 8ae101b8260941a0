namespace Symbolon.Contracts.Vendor;

/// <summary>The datatypes a vendor can name in <c>authorization_details</c>, and the actions on them.</summary>
public static class Datatypes
{
    /// <summary>The person's name.</summary>
    public const string Name = "profile.name";

    /// <summary>Email addresses.</summary>
    public const string Email = "profile.email";

    /// <summary>Phone numbers.</summary>
    public const string Phone = "profile.phone";

    /// <summary>Postal addresses; can be narrowed to <see cref="Narrowings.PostalCode"/> or <see cref="Narrowings.Country"/>.</summary>
    public const string PostalAddress = "profile.postal_address";

    /// <summary>The birth date; can be narrowed to <see cref="Narrowings.Over18"/>.</summary>
    public const string BirthDate = "profile.birth_date";

    /// <summary>Preferred languages.</summary>
    public const string Language = "profile.language";

    /// <summary>Free-form preferences, such as "no paper mail".</summary>
    public const string Preference = "profile.preference";

    /// <summary>Notes a vendor appends to the person's vault (and reads back, its own only).</summary>
    public const string Notes = "notes";

    /// <summary>Itemized digital receipts a vendor pushes (<c>append</c>) and reads back, its own only (<c>read</c>).</summary>
    public const string Receipts = "receipts";

    /// <summary>The vendor's loyalty programme: stamps or points earned and redeemed (<c>append</c>), its own balance and history (<c>read</c>).</summary>
    public const string Loyalty = "loyalty";

    /// <summary>Visits: a vendor records one when it scans the person's card (<c>append</c>) and reads the check-ins the person shared with it (<c>read</c>).</summary>
    public const string CheckIns = "checkins";

    /// <summary>How the vendor can be paid (EmanciPay): it publishes its instructions (<c>append</c>), which the person approves.</summary>
    public const string PaymentInstructions = "payments.instructions";

    /// <summary>Usage the vendor reports ("listened 14 hours this week", <c>append</c>), so the person can pay per use; the vendor reads back its own reports (<c>read</c>).</summary>
    public const string Usage = "usage";

    /// <summary>The <c>authorization_details</c> type of a Symbolon data request.</summary>
    public const string AuthorizationDetailsType = "symbolon:data";
}

/// <summary>What a vendor may do with a datatype.</summary>
public static class DataActions
{
    /// <summary>Read current values.</summary>
    public const string Read = "read";

    /// <summary>Add new values (for example a note or a second email address).</summary>
    public const string Append = "append";

    /// <summary>Change existing values.</summary>
    public const string Update = "update";
}

/// <summary>Ways the person can share less than a whole value.</summary>
public static class Narrowings
{
    /// <summary>The whole value.</summary>
    public const string Full = "full";

    /// <summary>Of a postal address, only the postal code and the country.</summary>
    public const string PostalCode = "postal_code";

    /// <summary>Of a postal address, only the country.</summary>
    public const string Country = "country";

    /// <summary>Of a birth date, only whether the person is 18 or older today.</summary>
    public const string Over18 = "over_18";
}
