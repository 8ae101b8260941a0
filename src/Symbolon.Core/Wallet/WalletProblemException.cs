using Symbolon.Core.Problems;

namespace Symbolon.Core.Wallet;

/// <summary>
/// A wallet write refused for a reason the caller can act on (SYM17xx), with the fields at fault for invalid input.
/// Messages never quote a value.
/// </summary>
internal sealed class WalletProblemException(string code, int status, string title, string detail, IReadOnlyDictionary<string, string[]>? errors = null)
    : SymbolonProblemException(code, status, title, detail, errors);
