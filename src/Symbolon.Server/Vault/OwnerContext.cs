using System.Security.Claims;
using Symbolon.Core.Vaults;

namespace Symbolon.Server.Vault;

/// <summary>Resolves the signed-in owner's vault and, when it is unlocked, its keys.</summary>
internal static class OwnerContext
{
    public static Guid VaultId(this ClaimsPrincipal user) =>
        OwnerAuthentication.VaultIdOf(user) ?? throw new InvalidOperationException("The request is not authenticated as the owner.");

    /// <summary>The keys of the owner's vault; throws <see cref="VaultLockedException"/> (423) when it is locked.</summary>
    public static VaultKeys KeysFor(this VaultKeyRing ring, ClaimsPrincipal user) => ring.Get(user.VaultId());
}
