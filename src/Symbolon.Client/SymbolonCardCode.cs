using System.Diagnostics.CodeAnalysis;
using System.Text;
using Symbolon.Contracts.Vendor;

namespace Symbolon.Client;

/// <summary>
/// What a point of sale reads from a person's Symbolon card: the vault's address and a short-lived, single-use
/// pairing code. The QR code carries <c>symbolon:card?v=&lt;vault address, percent-encoded&gt;&amp;c=&lt;code&gt;</c>;
/// a till without a scanner can take the vault address and the typed code (<c>7KQ2-M9XD-4TPB</c>) instead.
/// Redeem it with <see cref="SymbolonVendorClient.RedeemCardAsync"/>; it works once, for a few minutes.
/// </summary>
public sealed class SymbolonCardCode
{
    /// <summary>How many characters a code has (Crockford base32: digits and letters without I, L, O and U).</summary>
    public const int CodeLength = 12;

    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    private SymbolonCardCode(Uri vaultUrl, string code)
    {
        VaultUrl = vaultUrl;
        Code = code;
    }

    /// <summary>
    /// The vault's address: discover it with
    /// <see cref="SymbolonVault.DiscoverAsync(HttpClient, Uri, VaultAddressPolicy, TimeProvider, CancellationToken)"/>.
    /// </summary>
    public Uri VaultUrl { get; }

    /// <summary>The pairing code, normalized: 12 upper-case characters without separators.</summary>
    public string Code { get; }

    /// <summary>The code grouped by four, as the person's card shows it.</summary>
    public string DisplayCode => $"{Code[..4]}-{Code[4..8]}-{Code[8..]}";

    /// <summary>
    /// Reads a scanned card URI (<c>symbolon:card?v=…&amp;c=…</c>), or a vault address and a typed code separated by
    /// white space (<c>https://vault.example/ 7KQ2-M9XD-4TPB</c>). Only the address's form is checked; a till should
    /// use <see cref="Parse(string, VaultAddressPolicy)"/>, which also refuses addresses it should not contact.
    /// </summary>
    /// <param name="scannedOrTyped">What the scanner read, or what was typed.</param>
    /// <returns>The vault address and the code.</returns>
    /// <exception cref="FormatException">It is neither; the message says what is wrong, never the value.</exception>
    public static SymbolonCardCode Parse(string scannedOrTyped)
    {
        ArgumentNullException.ThrowIfNull(scannedOrTyped);
        return TryParse(scannedOrTyped, out var card, out var error) ? card : throw new FormatException(error);
    }

    /// <summary>
    /// Reads a scanned card URI or a typed address and code, like <see cref="Parse(string)"/>, and refuses a vault
    /// address <paramref name="policy"/> does not allow: the card is written by whoever holds it, so a till contacts
    /// only the vaults its policy names (https on the public internet, by default).
    /// </summary>
    /// <param name="scannedOrTyped">What the scanner read, or what was typed.</param>
    /// <param name="policy">Which vault addresses the till contacts, for example <see cref="VaultAddressPolicy.Default"/>.</param>
    /// <returns>The vault address and the code.</returns>
    /// <exception cref="FormatException">It is neither, or the policy refuses the address; the message says why, never the value.</exception>
    public static SymbolonCardCode Parse(string scannedOrTyped, VaultAddressPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(scannedOrTyped);
        ArgumentNullException.ThrowIfNull(policy);
        var card = Parse(scannedOrTyped);
        return policy.IsAllowed(card.VaultUrl, out var reason) ? card : throw new FormatException(reason);
    }

    /// <summary>Like <see cref="Parse(string, VaultAddressPolicy)"/>, without throwing.</summary>
    /// <param name="scannedOrTyped">What the scanner read, or what was typed.</param>
    /// <param name="policy">Which vault addresses the till contacts.</param>
    /// <param name="card">The card code, when it could be read and its address is allowed.</param>
    /// <returns>True when it could be read and its address is allowed.</returns>
    public static bool TryParse(string? scannedOrTyped, VaultAddressPolicy policy, [NotNullWhen(true)] out SymbolonCardCode? card)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (TryParse(scannedOrTyped, out card, out _) && policy.IsAllowed(card.VaultUrl, out _))
        {
            return true;
        }

        card = null;
        return false;
    }

    /// <summary>Reads a code typed at a till that already knows the vault's address.</summary>
    /// <param name="typedCode">The code, with or without dashes or spaces, in any case.</param>
    /// <param name="vaultUrl">The vault's address (http or https, absolute).</param>
    /// <exception cref="FormatException">The code or the address is malformed.</exception>
    public static SymbolonCardCode Parse(string typedCode, Uri vaultUrl)
    {
        ArgumentNullException.ThrowIfNull(typedCode);
        ArgumentNullException.ThrowIfNull(vaultUrl);
        var vault = CheckVault(vaultUrl.OriginalString, out var vaultError) ?? throw new FormatException(vaultError);
        var code = Normalize(typedCode) ?? throw new FormatException(CodeError);
        return new SymbolonCardCode(vault, code);
    }

    /// <summary>Like <see cref="Parse(string)"/>, without throwing.</summary>
    /// <param name="scannedOrTyped">What the scanner read, or what was typed.</param>
    /// <param name="card">The card code, when it could be read.</param>
    /// <returns>True when it could be read.</returns>
    public static bool TryParse(string? scannedOrTyped, [NotNullWhen(true)] out SymbolonCardCode? card) => TryParse(scannedOrTyped, out card, out _);

    /// <summary>The card URI, as the QR code carries it.</summary>
    public override string ToString() =>
        $"{CardProtocol.Scheme}:{CardProtocol.PayloadPath}?{CardProtocol.VaultParameter}={Uri.EscapeDataString(VaultUrl.AbsoluteUri)}&{CardProtocol.CodeParameter}={Code}";

    private const string CodeError = "The card code must be 12 characters of digits and letters (I, L, O and U are not used); dashes and spaces are ignored.";

    private static bool TryParse(string? input, [NotNullWhen(true)] out SymbolonCardCode? card, out string error)
    {
        card = null;
        var text = input?.Trim() ?? "";
        if (text.Length is 0 or > 2048)
        {
            error = "Nothing was scanned, or far more than a card holds.";
            return false;
        }

        string? vaultText;
        string? codeText;
        var prefix = $"{CardProtocol.Scheme}:{CardProtocol.PayloadPath}?";
        if (text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            vaultText = null;
            codeText = null;
            foreach (var pair in text[prefix.Length..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                var name = equals < 0 ? pair : pair[..equals];
                var value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..]);
                if (name == CardProtocol.VaultParameter)
                {
                    if (vaultText is not null)
                    {
                        error = "The card URI repeats the vault address.";
                        return false;
                    }

                    vaultText = value;
                }
                else if (name == CardProtocol.CodeParameter)
                {
                    if (codeText is not null)
                    {
                        error = "The card URI repeats the code.";
                        return false;
                    }

                    codeText = value;
                }
            }

            if (vaultText is null || codeText is null)
            {
                error = "The card URI must carry the vault address (v) and the code (c).";
                return false;
            }
        }
        else
        {
            var parts = text.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2)
            {
                error = "Expected a card URI (symbolon:card?…) or the vault address followed by the code.";
                return false;
            }

            (vaultText, codeText) = (parts[0], parts[1]);
        }

        var vault = CheckVault(vaultText, out error);
        if (vault is null)
        {
            return false;
        }

        var code = Normalize(codeText);
        if (code is null)
        {
            error = CodeError;
            return false;
        }

        card = new SymbolonCardCode(vault, code);
        error = "";
        return true;
    }

    private static Uri? CheckVault(string text, out string error)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            error = "The vault address must be an absolute http or https address without query, fragment or user name.";
            return null;
        }

        error = "";
        return uri;
    }

    private static string? Normalize(string text)
    {
        var builder = new StringBuilder(CodeLength);
        foreach (var c in text)
        {
            if (c is '-' or ' ')
            {
                continue;
            }

            // Crockford base32 reads the look-alikes as the digits they resemble.
            var upper = char.ToUpperInvariant(c) switch
            {
                'O' => '0',
                'I' or 'L' => '1',
                var other => other,
            };
            if (!Alphabet.Contains(upper, StringComparison.Ordinal) || builder.Length == CodeLength)
            {
                return null;
            }

            builder.Append(upper);
        }

        return builder.Length == CodeLength ? builder.ToString() : null;
    }
}
