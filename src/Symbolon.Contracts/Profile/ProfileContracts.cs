namespace Symbolon.Contracts.Profile;

/// <summary>The kinds of profile field a vault keeps. Each is also a record type, <c>profile.&lt;kind&gt;</c>.</summary>
public static class ProfileFieldKinds
{
    /// <summary>A person's name, structured (<see cref="PersonName"/>).</summary>
    public const string Name = "name";

    /// <summary>An email address (<see cref="ProfileFieldInput.Text"/>).</summary>
    public const string Email = "email";

    /// <summary>A phone number (<see cref="ProfileFieldInput.Text"/>).</summary>
    public const string Phone = "phone";

    /// <summary>A postal address, structured (<see cref="PostalAddress"/>).</summary>
    public const string PostalAddress = "postal_address";

    /// <summary>The birth date as an ISO 8601 calendar date, <c>YYYY-MM-DD</c>. A profile has at most one.</summary>
    public const string BirthDate = "birth_date";

    /// <summary>A preferred language as a BCP 47 tag, for example <c>en</c> or <c>pt-BR</c>.</summary>
    public const string Language = "language";

    /// <summary>A free-form preference, for example "no paper mail".</summary>
    public const string Preference = "preference";

    /// <summary>Every kind, in the order a profile is shown.</summary>
    public static IReadOnlyList<string> All { get; } = [Name, Email, Phone, PostalAddress, BirthDate, Language, Preference];

    /// <summary>True for the kinds whose value is <see cref="ProfileFieldInput.Text"/>.</summary>
    public static bool IsText(string kind) => kind is Email or Phone or BirthDate or Language or Preference;
}

/// <summary>A structured name, after vCard's N property.</summary>
/// <param name="Given">Given (first) name.</param>
/// <param name="Family">Family (last) name.</param>
/// <param name="Middle">Additional or middle names.</param>
/// <param name="Prefix">Honorific prefix, for example "Dr.".</param>
/// <param name="Suffix">Honorific suffix, for example "Jr.".</param>
public sealed record PersonName(string? Given = null, string? Family = null, string? Middle = null, string? Prefix = null, string? Suffix = null)
{
    /// <summary>The name as it is usually written: prefix, given, middle, family, suffix.</summary>
    public string Display => string.Join(' ', new[] { Prefix, Given, Middle, Family, Suffix }.Where(p => !string.IsNullOrWhiteSpace(p)));
}

/// <summary>A structured postal address, after vCard's ADR property.</summary>
/// <param name="Street">Street address, which may span lines.</param>
/// <param name="Locality">City or town.</param>
/// <param name="Region">State, province or region.</param>
/// <param name="PostalCode">Postal code.</param>
/// <param name="Country">ISO 3166-1 alpha-2 country code, for example <c>NL</c>.</param>
public sealed record PostalAddress(string? Street = null, string? Locality = null, string? Region = null, string? PostalCode = null, string? Country = null);

/// <summary>A new profile field. Exactly one of <see cref="Text"/>, <see cref="Name"/> or <see cref="Address"/> is set, as the kind requires.</summary>
/// <param name="Kind">One of <see cref="ProfileFieldKinds"/>.</param>
/// <param name="Label">A label such as <c>home</c> or <c>work</c>; optional.</param>
/// <param name="Text">The value of a text kind.</param>
/// <param name="Name">The value of a <see cref="ProfileFieldKinds.Name"/> field.</param>
/// <param name="Address">The value of a <see cref="ProfileFieldKinds.PostalAddress"/> field.</param>
public sealed record ProfileFieldInput(string Kind, string? Label = null, string? Text = null, PersonName? Name = null, PostalAddress? Address = null);

/// <summary>A change to an existing field. The kind never changes.</summary>
/// <param name="Label">The new label, or null for none.</param>
/// <param name="Text">The new value of a text kind.</param>
/// <param name="Name">The new name.</param>
/// <param name="Address">The new address.</param>
/// <param name="ExpectedVersion">When set, the change is refused (409) unless the field is still at this version.</param>
public sealed record ProfileFieldUpdate(string? Label = null, string? Text = null, PersonName? Name = null, PostalAddress? Address = null, int? ExpectedVersion = null);

/// <summary>Who made a change: the person, or a vendor acting through a grant.</summary>
/// <param name="Kind"><c>owner</c> or <c>vendor</c>.</param>
/// <param name="Id">The vendor's client id; null for the owner.</param>
/// <param name="DisplayName">What to show: "You", or the vendor's name.</param>
public sealed record ChangeActor(string Kind, string? Id, string DisplayName);

/// <summary>One current profile field.</summary>
/// <param name="Id">The field's id (a UUIDv7).</param>
/// <param name="Kind">One of <see cref="ProfileFieldKinds"/>.</param>
/// <param name="Label">Its label, if any.</param>
/// <param name="Text">The value of a text kind.</param>
/// <param name="Name">The value of a name field.</param>
/// <param name="Address">The value of an address field.</param>
/// <param name="Version">The current version, starting at 1.</param>
/// <param name="UpdatedAt">When the current version was written.</param>
/// <param name="UpdatedBy">Who wrote the current version.</param>
public sealed record ProfileField(
    Guid Id,
    string Kind,
    string? Label,
    string? Text,
    PersonName? Name,
    PostalAddress? Address,
    int Version,
    DateTimeOffset UpdatedAt,
    ChangeActor UpdatedBy);

/// <summary>The whole current profile.</summary>
/// <param name="Fields">Every current field, ordered by kind and then creation.</param>
public sealed record ProfileDocument(IReadOnlyList<ProfileField> Fields);

/// <summary>One version of a field in its history. A deletion has no value.</summary>
/// <param name="Version">The version number.</param>
/// <param name="ChangedAt">When it was written.</param>
/// <param name="Operation"><c>create</c>, <c>update</c> or <c>delete</c>.</param>
/// <param name="Actor">Who wrote it.</param>
/// <param name="Label">The label at this version.</param>
/// <param name="Text">The text value at this version.</param>
/// <param name="Name">The name at this version.</param>
/// <param name="Address">The address at this version.</param>
public sealed record ProfileFieldVersion(
    int Version,
    DateTimeOffset ChangedAt,
    string Operation,
    ChangeActor Actor,
    string? Label,
    string? Text,
    PersonName? Name,
    PostalAddress? Address);

/// <summary>The full history of one field, oldest version first.</summary>
/// <param name="FieldId">The field's id.</param>
/// <param name="Kind">The field's kind.</param>
/// <param name="Deleted">True when the field is a tombstone.</param>
/// <param name="Versions">Every version, oldest first.</param>
public sealed record ProfileFieldHistory(Guid FieldId, string Kind, bool Deleted, IReadOnlyList<ProfileFieldVersion> Versions);
