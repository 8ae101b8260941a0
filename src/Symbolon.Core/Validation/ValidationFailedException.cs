using Symbolon.Contracts.Problems;
using Symbolon.Core.Problems;

namespace Symbolon.Core.Validation;

/// <summary>
/// One or more input values are invalid. Keys are JSON paths (camelCase) of the offending members. Not sealed: a feature
/// derives a named case (<see cref="Payments.PaymentInputException"/>) that is still written as this 400.
/// </summary>
internal class ValidationFailedException(IReadOnlyDictionary<string, string[]> errors) : SymbolonProblemException(
    ProblemCodes.InvalidValue, 400, "Some values are invalid.", "See errors for each field and why.",
    "One or more values are invalid: " + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(' ', e.Value)}")), errors)
{
    /// <summary>Never null here: this exception is about the fields.</summary>
    public new IReadOnlyDictionary<string, string[]> Errors => base.Errors!;

    public static ValidationFailedException For(string field, string reason) => new(new Dictionary<string, string[]> { [field] = [reason] });
}

/// <summary>Collects validation errors by field.</summary>
internal sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = [];

    public bool Any => _errors.Count > 0;

    public void Add(string field, string reason)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }

        list.Add(reason);
    }

    public IReadOnlyDictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());

    public void ThrowIfAny()
    {
        if (Any)
        {
            throw new ValidationFailedException(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
        }
    }
}
