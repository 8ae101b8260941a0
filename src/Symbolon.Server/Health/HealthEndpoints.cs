using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace Symbolon.Server.Health;

internal static class HealthEndpoints
{
    /// <summary><c>GET /healthz</c>: liveness, 200 with <c>Healthy</c> while the process serves requests.</summary>
    public static IEndpointConventionBuilder MapHealthEndpoints(this IEndpointRouteBuilder routes) =>
        routes.MapHealthChecks("/healthz", new HealthCheckOptions()).WithName("Health").WithSummary("Liveness.").AllowAnonymous();
}
