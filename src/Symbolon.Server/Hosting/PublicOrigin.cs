using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Symbolon.Server.Hosting;

/// <summary>
/// The address people and vendors reach the vault at (scheme, host and port): the OAuth issuer and the base of every
/// absolute URL the server hands out. It comes from the <c>PublicOrigin</c> setting, or else from the address the
/// server listens on (<c>symbolon serve</c>'s <c>--urls</c>), never from a request's Host header, which whoever sends
/// the request chooses.
/// </summary>
internal sealed class PublicOrigin(IConfiguration configuration, IServer server)
{
    public const string SettingName = "PublicOrigin";

    /// <summary>The origin an in-process test server (which listens nowhere) answers for.</summary>
    private static readonly Uri InProcessOrigin = new("http://localhost");

    private readonly Lazy<Uri> _value = new(() => Resolve(configuration, server));

    /// <summary>The origin, <c>scheme://host[:port]</c> without a path.</summary>
    public Uri Value => _value.Value;

    /// <summary>The origin with a trailing slash, the issuer's form (<c>https://vault.example.org/</c>).</summary>
    public string Issuer => Value.GetLeftPart(UriPartial.Authority) + "/";

    /// <summary>
    /// Checks the setting and the listening addresses before the first request, so that a mistake stops the server
    /// with words that say what to change instead of failing every request.
    /// </summary>
    public static void Validate(IConfiguration configuration)
    {
        if (configuration[SettingName] is { Length: > 0 } configured)
        {
            Parse(configured);
            return;
        }

        if (string.Equals(configuration["FORWARDEDHEADERS_ENABLED"], "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"Behind a reverse proxy (ASPNETCORE_FORWARDEDHEADERS_ENABLED) the server cannot tell its public address from the address it listens on: " +
                $"set {SettingName} (--public-origin) to the address people and vendors use, such as https://vault.example.org.");
        }

        var urls = (configuration["urls"] ?? configuration["ASPNETCORE_URLS"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (urls.FirstOrDefault(IsWildcard) is { } wildcard)
        {
            throw new InvalidOperationException(
                $"The server listens on every interface ({wildcard}), so its public address is not known: set {SettingName} " +
                "(--public-origin) to the address people and vendors use, such as https://vault.example.org.");
        }
    }

    /// <summary>A <c>PublicOrigin</c> value: an absolute http or https address with nothing after the host and port.</summary>
    public static Uri Parse(string value)
    {
        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            throw new InvalidOperationException(
                $"{SettingName} must be an http or https address with a host and an optional port only, such as https://vault.example.org or http://127.0.0.1:5178.");
        }

        return new Uri(uri.GetLeftPart(UriPartial.Authority));
    }

    private static Uri Resolve(IConfiguration configuration, IServer server)
    {
        if (configuration[SettingName] is { Length: > 0 } configured)
        {
            return Parse(configured);
        }

        // Note: with --urls http://127.0.0.1:0 the port is known only once the server listens, so the address is read
        // on first use (a request), not when the host is built.
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        if (addresses.FirstOrDefault(a => !IsWildcard(a)) is { } listening && Uri.TryCreate(listening, UriKind.Absolute, out var address))
        {
            return new Uri(address.GetLeftPart(UriPartial.Authority));
        }

        return addresses.Count == 0
            ? InProcessOrigin
            : throw new InvalidOperationException($"The server listens on every interface; set {SettingName} to the address people and vendors use.");
    }

    private static bool IsWildcard(string url)
    {
        var host = url.Split("://", 2) is [_, var rest] ? rest.Split('/', 2)[0] : url;
        host = host.StartsWith('[') ? host[..(host.IndexOf(']', StringComparison.Ordinal) + 1)] : host.Split(':')[0];
        return host is "*" or "+" or "0.0.0.0" or "[::]";
    }
}

/// <summary>
/// Puts the public origin in place of the scheme and Host a request arrived with, before anything reads them, so that
/// OpenIddict's issuer and discovery documents, the web app's base address and every URL the server builds name the
/// vault's own address, whatever Host header was sent. The address the request arrived at stays readable for the
/// owner API's same-origin check (<see cref="Vault.OwnerRequestOrigin"/>).
/// </summary>
internal static class PublicOriginMiddleware
{
    private const string ArrivedAtKey = "Symbolon.ArrivedAt";

    public static IApplicationBuilder UsePublicOrigin(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var origin = context.RequestServices.GetRequiredService<PublicOrigin>().Value;
        context.Items[ArrivedAtKey] = $"{context.Request.Scheme}://{context.Request.Host}";
        context.Request.Scheme = origin.Scheme;
        context.Request.Host = HostString.FromUriComponent(origin);
        return next(context);
    });

    /// <summary>The scheme and host the request arrived with (<c>http://127.0.0.1:5178</c>), before the public origin replaced them.</summary>
    public static string? ArrivedAt(HttpContext context) => context.Items[ArrivedAtKey] as string;
}
