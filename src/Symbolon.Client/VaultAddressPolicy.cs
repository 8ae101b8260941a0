using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace Symbolon.Client;

/// <summary>
/// Which vault addresses a vendor contacts. A card, a QR code or a typed address is written by whoever holds it, so a
/// till that fetches whatever address a card names can be made to call its own network (<c>http://127.0.0.1/admin</c>,
/// a cloud metadata address, a printer). The default policy allows https addresses on the public internet only;
/// loosen it per rule (<see cref="AllowHttp"/>, <see cref="AllowPrivateAddresses"/>), restrict it to known hosts
/// (<see cref="AllowedHosts"/>), or trust a few exact vaults whatever the rules (<see cref="TrustedVaults"/>, for a
/// demo vault on this machine). Give it to <see cref="SymbolonCardCode.Parse(string, VaultAddressPolicy)"/> and
/// <see cref="SymbolonVault.DiscoverAsync(HttpClient, Uri, VaultAddressPolicy, TimeProvider, CancellationToken)"/>.
/// </summary>
public sealed class VaultAddressPolicy
{
    /// <summary>https only, and only addresses on the public internet: what a till should contact.</summary>
    public static VaultAddressPolicy Default { get; } = new();

    /// <summary>Allows plain http addresses (never sensible beyond a test or a demo on one machine). False by default.</summary>
    public bool AllowHttp { get; init; }

    /// <summary>
    /// Allows loopback, link-local (including cloud metadata at 169.254.169.254), private (10/8, 172.16/12,
    /// 192.168/16, fc00::/7), shared (100.64/10) and unspecified addresses, and names such as <c>localhost</c>.
    /// False by default.
    /// </summary>
    public bool AllowPrivateAddresses { get; init; }

    /// <summary>
    /// When not empty, only vaults on these host names (compared without case) are contacted; the other rules apply to
    /// them as well. Empty by default: any public host.
    /// </summary>
    public IReadOnlyCollection<string> AllowedHosts { get; init; } = [];

    /// <summary>
    /// Vaults contacted whatever the other rules say, compared by scheme, host and port: for example a demo vault at
    /// <c>http://127.0.0.1:5178/</c>. Empty by default.
    /// </summary>
    public IReadOnlyCollection<Uri> TrustedVaults { get; init; } = [];

    /// <summary>Checks the address as written (scheme, host name, literal IP address), without resolving the name.</summary>
    /// <param name="vaultUrl">The vault's address.</param>
    /// <param name="reason">Why the address is refused, for people; null when it is allowed.</param>
    /// <returns>True when the address may be contacted.</returns>
    public bool IsAllowed(Uri vaultUrl, [NotNullWhen(false)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(vaultUrl);
        reason = null;
        if (!vaultUrl.IsAbsoluteUri)
        {
            reason = "The vault address must be absolute.";
            return false;
        }

        if (IsTrusted(vaultUrl))
        {
            return true;
        }

        if (vaultUrl.Scheme != Uri.UriSchemeHttps && !(AllowHttp && vaultUrl.Scheme == Uri.UriSchemeHttp))
        {
            reason = AllowHttp ? "The vault address must be an http or https address." : "The vault address must be an https address.";
            return false;
        }

        var host = vaultUrl.IdnHost.TrimEnd('.');
        if (AllowedHosts.Count > 0 && !AllowedHosts.Any(h => string.Equals(h.TrimEnd('.'), host, StringComparison.OrdinalIgnoreCase)))
        {
            reason = "The vault address is not on this till's list of allowed vaults.";
            return false;
        }

        if (AllowPrivateAddresses)
        {
            return true;
        }

        if (IPAddress.TryParse(vaultUrl.HostNameType == UriHostNameType.IPv6 ? host.Trim('[', ']') : host, out var address) ? !IsPublic(address) : IsLocalName(host))
        {
            reason = "The vault address is on this machine or a private network, which this till does not contact.";
            return false;
        }

        return true;
    }

    /// <summary>
    /// Checks the address as written and, unless the name is trusted or private addresses are allowed, every address
    /// its host name resolves to: a public name that points into a private network is refused too.
    /// </summary>
    /// <param name="vaultUrl">The vault's address.</param>
    /// <param name="cancellationToken">Cancels the name lookup.</param>
    /// <exception cref="SymbolonOAuthException">The address is refused (<c>vault_address_not_allowed</c>); nothing was sent to it.</exception>
    public async Task CheckAsync(Uri vaultUrl, CancellationToken cancellationToken = default)
    {
        if (!IsAllowed(vaultUrl, out var reason))
        {
            throw Refused(reason);
        }

        if (IsTrusted(vaultUrl) || AllowPrivateAddresses || vaultUrl.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6)
        {
            return;
        }

        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(vaultUrl.IdnHost, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            throw Refused("The vault's host name does not resolve.");
        }

        if (addresses.Length == 0 || !addresses.All(IsPublic))
        {
            throw Refused("The vault's host name points to this machine or a private network, which this till does not contact.");
        }
    }

    /// <summary>True for an address on the public internet: not loopback, link-local, private, shared, multicast or unspecified.</summary>
    /// <param name="address">The address.</param>
    /// <returns>True when it is public.</returns>
    public static bool IsPublic(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] is 0 or 10 or 127 or >= 224
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 172 && b[1] is >= 16 and <= 31)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 100 && b[1] is >= 64 and <= 127)
                || (b[0] == 192 && b[1] == 0 && b[2] == 0));
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal
                || (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B) // NAT64, which maps IPv4 addresses inside
                || (b[0] == 0x20 && b[1] == 0x02)); // 6to4, likewise
        }

        return false;
    }

    private bool IsTrusted(Uri vaultUrl) => TrustedVaults.Any(t =>
        t.IsAbsoluteUri && string.Equals(t.Scheme, vaultUrl.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(t.IdnHost, vaultUrl.IdnHost, StringComparison.OrdinalIgnoreCase) && t.Port == vaultUrl.Port);

    private static bool IsLocalName(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
        || host.EndsWith(".local", StringComparison.OrdinalIgnoreCase)
        || host.EndsWith(".internal", StringComparison.OrdinalIgnoreCase)
        || !host.Contains('.', StringComparison.Ordinal);

    private static SymbolonOAuthException Refused(string reason) => new("vault_address_not_allowed", reason);
}
