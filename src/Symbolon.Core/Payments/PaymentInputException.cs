using Symbolon.Core.Validation;

namespace Symbolon.Core.Payments;

/// <summary>
/// A payment value (an IBAN, a reference, a scanned EPC code, an uploaded image) is invalid. It is a
/// <see cref="ValidationFailedException"/> carrying <c>{ field: [reason] }</c>, so the host writes it as a 400 with the
/// errors by field. The reason names what is wrong and never quotes the value: IBANs, names and amounts are personal.
/// </summary>
internal sealed class PaymentInputException(string field, string reason)
    : ValidationFailedException(new Dictionary<string, string[]> { [field] = [reason] })
{
    /// <summary>The field at fault: a member name (<c>iban</c>, <c>amount</c>) or a line of a payload (<c>line 3</c>).</summary>
    public string Field { get; } = field;

    /// <summary>Why the value is refused, as a sentence.</summary>
    public string Reason { get; } = reason;
}
