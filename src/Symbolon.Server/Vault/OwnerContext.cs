using System.Security.Claims;
using Symbolon.Core.Vaults;

namespace Symbolon.Server.Vault;

/// <summary>Resolves the signed-in owner's vault and, when it is unlocked, its session.</summary>
internal static class OwnerContext
{
    public static Guid VaultId(this ClaimsPrincipal user) =>
        OwnerAuthentication.VaultIdOf(user) ?? throw new InvalidOperationException("The request is not authenticated as the owner.");

    /// <summary>The session of the owner's vault; throws <see cref="VaultLockedException"/> (423) when it is locked.</summary>
    public static VaultSession SessionFor(this IVaultSessions sessions, ClaimsPrincipal user) => sessions.Get(user.VaultId());

    /// <summary>
    /// Registers the vault sessions and the one binder through which an owner request (cookie or personal access token)
    /// receives its <see cref="VaultSession"/>: a handler names a <see cref="VaultSession"/> parameter and gets the
    /// signed-in owner's, or the request fails with 423 while the vault is locked. Vendor requests get theirs from the
    /// vendor filter (<c>VendorAccess</c>), bound to the token's relationship.
    /// </summary>
    public static IServiceCollection AddVaultSessions(this IServiceCollection services)
    {
        services.AddScoped(sp =>
        {
            var user = sp.GetRequiredService<IHttpContextAccessor>().HttpContext?.User
                ?? throw new InvalidOperationException("A vault session is bound to a request; outside one, ask IVaultSessions.");
            return sp.GetRequiredService<IVaultSessions>().SessionFor(user);
        });
        return services;
    }
}
