using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Symbolon.Contracts.Problems;
using Symbolon.Server.Errors;
using Symbolon.Server.VendorApi;

namespace Symbolon.Server.OAuth;

/// <summary>How often one client address may take each step a stranger can take without any grant (section <c>RateLimits</c>).</summary>
internal sealed class OnboardingRateLimitOptions
{
    /// <summary>Dynamic client registrations per address per hour: each one lands in the person's Relationships page.</summary>
    public int RegistrationsPerHour { get; set; } = 10;

    /// <summary>Pushed authorization requests per address per minute: each one becomes a consent page.</summary>
    public int PushedAuthorizationsPerMinute { get; set; } = 30;

    /// <summary>Agreement acceptances per address per minute: each one is an agreement record the vault signs and keeps.</summary>
    public int AgreementAcceptancesPerMinute { get; set; } = 10;
}

/// <summary>
/// Rate limits on the steps open to anyone: registering a client (RFC 7591), pushing an authorization request
/// (RFC 9126) and accepting an agreement. Each is counted per client IP address, in a fixed window; past the limit the
/// caller gets 429 with <c>Retry-After</c> and problem <see cref="ProblemCodes.TooManyRequests"/>, and nothing is stored.
/// </summary>
/// <remarks>
/// Note: the pushed authorization endpoint is OpenIddict's, not a routed endpoint, so the limits go by path in a global
/// limiter that runs before authentication (where OpenIddict answers), rather than by endpoint metadata. Behind a
/// reverse proxy every caller has the proxy's address unless forwarded headers are configured.
/// </remarks>
internal static class OnboardingRateLimits
{
    private enum Step
    {
        None,
        Registration,
        PushedAuthorization,
        AgreementAcceptance,
    }

    public static IServiceCollection AddOnboardingRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new OnboardingRateLimitOptions();
        configuration.GetSection("RateLimits").Bind(options);
        if (options.RegistrationsPerHour < 1 || options.PushedAuthorizationsPerMinute < 1 || options.AgreementAcceptancesPerMinute < 1)
        {
            throw new InvalidOperationException("The RateLimits settings (RegistrationsPerHour, PushedAuthorizationsPerMinute, AgreementAcceptancesPerMinute) must be at least 1.");
        }

        services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, (Step, string)>(context =>
            {
                var step = StepOf(context.Request);
                if (step == Step.None)
                {
                    return RateLimitPartition.GetNoLimiter((Step.None, ""));
                }

                var address = PartitionOf(context.Connection.RemoteIpAddress);
                var (permits, window) = step switch
                {
                    Step.Registration => (options.RegistrationsPerHour, TimeSpan.FromHours(1)),
                    Step.PushedAuthorization => (options.PushedAuthorizationsPerMinute, TimeSpan.FromMinutes(1)),
                    _ => (options.AgreementAcceptancesPerMinute, TimeSpan.FromMinutes(1)),
                };
                return RateLimitPartition.GetFixedWindowLimiter((step, address), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = permits,
                    Window = window,
                    QueueLimit = 0,
                });
            });
            limiter.OnRejected = async (context, ct) =>
            {
                var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)) : 60;
                var response = context.HttpContext.Response;
                response.StatusCode = StatusCodes.Status429TooManyRequests;
                response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                var what = StepOf(context.HttpContext.Request) switch
                {
                    Step.Registration => "client registrations",
                    Step.PushedAuthorization => "pushed authorization requests",
                    _ => "agreement acceptances",
                };
                var problem = ProblemCatalog.Create(ProblemCodes.TooManyRequests, StatusCodes.Status429TooManyRequests, "Too many requests; nothing was stored.",
                    $"This address has sent too many {what} for now; try again in {seconds} seconds.");
                await response.WriteAsJsonAsync(problem, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json", ct);
            };
        });
        return services;
    }

    private static Step StepOf(HttpRequest request)
    {
        if (!HttpMethods.IsPost(request.Method))
        {
            return Step.None;
        }

        // Note: routing also matches a trailing slash, so the limit does too.
        var path = request.Path.Value?.TrimEnd('/') ?? "";
        return path.Equals(OAuthServer.RegistrationPath, StringComparison.OrdinalIgnoreCase) ? Step.Registration
            : path.Equals(OAuthServer.PushedAuthorizationPath, StringComparison.OrdinalIgnoreCase) ? Step.PushedAuthorization
            : path.Equals(VendorApiEndpoints.Prefix + "/agreements", StringComparison.OrdinalIgnoreCase) ? Step.AgreementAcceptance
            : Step.None;
    }

    /// <summary>
    /// Whom a request counts against: an IPv4 address, or an IPv6 /64, since one IPv6 client holds a whole /64 and could
    /// take a new address for every request.
    /// </summary>
    internal static string PartitionOf(IPAddress? ip)
    {
        if (ip is null)
        {
            return IPAddress.None.ToString();
        }

        if (ip.IsIPv4MappedToIPv6)
        {
            return ip.MapToIPv4().ToString();
        }

        if (ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return ip.ToString();
        }

        var bytes = ip.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
