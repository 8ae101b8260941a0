namespace Symbolon.Core.Wallet;

/// <summary>
/// A wallet write refused for a reason the caller can act on: the problem code (SYM17xx), the HTTP status, a plain
/// title and sentence, and, for invalid input, the fields by path. Messages never quote a value.
/// </summary>
internal sealed class WalletProblemException(string code, int status, string title, string detail, IReadOnlyDictionary<string, string[]>? errors = null)
    : Exception(title + " " + detail)
{
    public string Code { get; } = code;
    public int Status { get; } = status;
    public string Title { get; } = title;
    public string Detail { get; } = detail;
    public IReadOnlyDictionary<string, string[]>? Errors { get; } = errors;
}
