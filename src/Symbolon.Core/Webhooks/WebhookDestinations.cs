using System.Net;
using System.Net.Sockets;

// This file is also compiled into Symbolon.Exchange (linked from its project, which defines SYMBOLON_EXCHANGE), so the
// vault and the intent exchange refuse the same destinations; there it lives in the exchange's own namespace.
#if SYMBOLON_EXCHANGE
namespace Symbolon.Exchange.Webhooks;
#else
namespace Symbolon.Core.Webhooks;

/// <summary>The operator's choice about webhook destinations (section <c>Webhooks</c>).</summary>
internal sealed class WebhookDestinationOptions
{
    /// <summary>
    /// When true, webhooks may go to loopback, link-local and private addresses: for a vault and its vendors developing
    /// on one machine or one private network. Off by default, since such an address lets a vendor make the vault post to
    /// services that only the vault's host can reach (cloud metadata, an admin port on localhost).
    /// </summary>
    public bool AllowPrivateAddresses { get; set; }
}
#endif

/// <summary>Thrown from the webhook client's connect step when a destination resolves only to refused addresses.</summary>
internal sealed class WebhookDestinationRefusedException(string message) : IOException(message);

/// <summary>
/// Which addresses a webhook may be sent to: public unicast ones only, unless the operator allows private ones. The
/// check runs twice: on the registered URL (an address literal or a name resolving to a refused address is refused),
/// and on every connection, against the address actually connected to, since a name can resolve to a public address
/// when it is registered and to 127.0.0.1 when it is used (DNS rebinding).
/// </summary>
internal static class WebhookDestinations
{
    /// <summary>How long registration waits for a name to resolve; a name that does not resolve yet is checked on use.</summary>
    public static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(3);

    /// <summary>True for a public unicast address; false for loopback, link-local, private, shared, multicast and unspecified ones.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> b = stackalloc byte[4];
            address.TryWriteBytes(b, out _);
            return !(b[0] is 0 or 10 or 127 or >= 224                 // this network, private, loopback, multicast and reserved
                || (b[0] == 100 && b[1] is >= 64 and <= 127)           // shared address space (carrier-grade NAT)
                || (b[0] == 169 && b[1] == 254)                         // link-local, cloud metadata
                || (b[0] == 172 && b[1] is >= 16 and <= 31)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 192 && b[1] == 0 && b[2] is 0 or 2)         // protocol assignments, documentation
                || (b[0] == 198 && b[1] is 18 or 19));                  // benchmarking
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        Span<byte> v6 = stackalloc byte[16];
        address.TryWriteBytes(v6, out _);
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.IPv6Any) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
            || (v6[0] & 0xFE) == 0xFC)                                    // unique local, fc00::/7
        {
            return false;
        }

        // NAT64 (64:ff9b::/96) and IPv4-compatible (::/96) addresses carry an IPv4 address, which decides.
        var embedsIPv4 = (v6[0] == 0x00 && v6[1] == 0x64 && v6[2] == 0xFF && v6[3] == 0x9B && v6[4..12].IndexOfAnyExcept((byte)0) < 0)
            || v6[..12].IndexOfAnyExcept((byte)0) < 0;
        return !embedsIPv4 || IsPublic(new IPAddress(v6[12..]));
    }

    /// <summary>
    /// Checks a webhook URL as registered: null when it may be used, else why not (naming the kind of address, never
    /// what it resolved to).
    /// </summary>
    public static async Task<string?> CheckAsync(Uri uri, bool allowPrivate, CancellationToken ct)
    {
        if (allowPrivate)
        {
            return null;
        }

        const string Refused = "points at a loopback, link-local or private address, which webhooks are not sent to; use a public https address";
        var host = uri.IdnHost;
        if (IPAddress.TryParse(host, out var literal))
        {
            return IsPublic(literal) ? null : Refused;
        }

        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return Refused;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(ResolveTimeout);
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(host, deadline.Token);
            return addresses.Any(a => !IsPublic(a)) ? Refused : null;
        }
        catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            // A name that does not resolve yet may be set up later; each connection is checked anyway.
            return null;
        }
    }

    /// <summary>
    /// The webhook client's connect step (<see cref="SocketsHttpHandler.ConnectCallback"/>): resolves the name, and
    /// connects only to an allowed address, so that what is checked is what is connected to.
    /// </summary>
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, bool allowPrivate, CancellationToken ct)
    {
        var endpoint = context.DnsEndPoint;
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(endpoint.Host, ct);
        var allowed = allowPrivate ? addresses : [.. addresses.Where(IsPublic)];
        if (allowed.Length == 0)
        {
            throw new WebhookDestinationRefusedException("The webhook destination resolves only to loopback, link-local or private addresses.");
        }

        Exception? last = null;
        foreach (var address in allowed)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last!;
    }
}
