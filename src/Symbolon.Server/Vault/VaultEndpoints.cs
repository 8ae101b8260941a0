using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Vault;
using Symbolon.Core.AccessTokens;
using Symbolon.Core.Export;
using Symbolon.Core.Vaults;
using Symbolon.Server.Errors;

namespace Symbolon.Server.Vault;

/// <summary>Owner API for the vault itself: status, create, unlock, lock, recover, passphrase, access tokens.</summary>
internal static class VaultEndpoints
{
    public static RouteGroupBuilder MapVaultEndpoints(this IEndpointRouteBuilder routes)
    {
        var vault = routes.MapGroup("/vault").WithTags("Vault");
        vault.MapGet("/", GetStatus).WithName("GetVaultStatus").WithSummary("Whether a vault exists; to its signed-in owner also whether it is unlocked, its KDF parameters and public keys.").AllowAnonymous();
        vault.MapPost("/", Create).WithName("CreateVault").WithSummary("Creates the vault; the response shows the recovery key, once.").AllowAnonymous();
        vault.MapPost("/unlock", Unlock).WithName("UnlockVault").WithSummary("Unlocks the vault with its passphrase and signs the caller in with the session cookie (unless signIn is false); optionally returns an access token.").AllowAnonymous();
        vault.MapPost("/recover", Recover).WithName("RecoverVault").WithSummary("Unlocks with the recovery key and sets a new passphrase.").AllowAnonymous();
        vault.MapPost("/lock", Lock).WithName("LockVault").WithSummary("Locks the vault: its keys leave memory for every session.").RequireAuthorization(OwnerAuthentication.Policy);
        vault.MapGet("/auto-lock", GetAutoLock).WithName("GetAutoLock").WithSummary("How long the vault stays unlocked without its owner before it locks itself.").RequireAuthorization(OwnerAuthentication.Policy);
        vault.MapPut("/auto-lock", SetAutoLock).WithName("SetAutoLock").WithSummary("Sets that idle time: 1 to 1440 minutes, or null for never.").RequireAuthorization(OwnerAuthentication.Policy);
        vault.MapGet("/mode", GetMode).WithName("GetVaultMode").WithSummary("Strict (the default: the server never holds the key while locked) or unattended (the key is also wrapped by a host key outside the database), and where the host key comes from.").RequireAuthorization(OwnerAuthentication.Policy);
        vault.MapPut("/mode", SetMode).WithName("SetVaultMode").WithSummary("Switches the mode: unattended wraps the data key with the host key (made when none is configured); strict destroys that copy. No record is re-encrypted.").RequireAuthorization(OwnerAuthentication.Policy);
        vault.MapPost("/passphrase", ChangePassphrase).WithName("ChangePassphrase").WithSummary("Changes the passphrase; records are not re-encrypted.").RequireAuthorization(OwnerAuthentication.Policy);

        var tokens = routes.MapGroup("/tokens").WithTags("Access tokens").RequireAuthorization(OwnerAuthentication.Policy);
        tokens.MapGet("/", ListTokens).WithName("ListAccessTokens").WithSummary("Lists live personal access tokens (without their secrets).");
        tokens.MapPost("/", CreateToken).WithName("CreateAccessToken").WithSummary("Creates a personal access token; the secret is shown once.");
        tokens.MapDelete("/{id:guid}", RevokeToken).WithName("RevokeAccessToken").WithSummary("Revokes a personal access token.");
        tokens.MapDelete("/current", RevokeCurrentToken).WithName("RevokeCurrentAccessToken").WithSummary("Revokes the token this request is made with (signing a script or the CLI out).");

        var signIns = routes.MapGroup("/sessions").WithTags("Sessions").RequireAuthorization(OwnerAuthentication.Policy);
        signIns.MapGet("/", ListSignIns).WithName("ListSignIns").WithSummary("Lists the browsers signed in to the vault, with their last use (tokens: GET /tokens).");
        signIns.MapDelete("/{id:guid}", EndSignIn).WithName("EndSignIn").WithSummary("Signs one browser out: its cookie is refused from its next request on.");
        signIns.MapDelete("/others", EndOtherSignIns).WithName("EndOtherSignIns").WithSummary("Signs out every browser but the one asking.");
        return vault;
    }

    /// <summary>
    /// Before sign-in, only whether a vault exists (what the sign-in page and `symbolon init` need to know): whether it
    /// is unlocked, its id, its KDF parameters and its keys are its owner's to see. Anyone can ask, so none of that may
    /// tell a stranger when the person is at their vault or help an offline guess at the passphrase.
    /// </summary>
    internal static async Task<Ok<VaultStatus>> GetStatus(ClaimsPrincipal user, VaultService vaults, IVaultSessions sessions, CancellationToken ct)
    {
        var vault = await vaults.FindAsync(ct);
        if (vault is null || OwnerAuthentication.VaultIdOf(user) != vault.Id)
        {
            return TypedResults.Ok(new VaultStatus(vault is not null, false, null, null, null, null, null));
        }

        return TypedResults.Ok(new VaultStatus(
            true,
            sessions.IsUnlocked(vault.Id),
            vault.Id,
            vault.CreatedAt,
            new KdfDescription(vault.KdfAlgorithm, vault.KdfMemoryKiB, vault.KdfIterations, vault.KdfParallelism),
            VaultExporter.Base64Url(vault.SigningPublicKey),
            VaultExporter.Base64Url(vault.AgreementPublicKey)));
    }

    internal static async Task<Created<CreateVaultResponse>> Create(CreateVaultRequest request, OwnerSignIn signIn, HttpContext http, CancellationToken ct)
    {
        var created = await signIn.CreateAsync(request.SignIn ? http : null, request.Passphrase, ct);
        var token = await signIn.IssueCliTokenAsync(created.VaultId, "Created with the owner API", ct);
        return TypedResults.Created("/owner/api/v1/vault", new CreateVaultResponse(created.VaultId, created.RecoveryKey, ToContract(token)));
    }

    internal static async Task<Ok<UnlockResponse>> Unlock(UnlockRequest request, OwnerSignIn signIn, HttpContext http, CancellationToken ct)
    {
        var vaultId = await signIn.UnlockAsync(request.SignIn ? http : null, request.Passphrase, ct);
        var token = string.IsNullOrWhiteSpace(request.TokenName) ? null : await signIn.IssueCliTokenAsync(vaultId, request.TokenName, ct);
        return TypedResults.Ok(new UnlockResponse(vaultId, token is null ? null : ToContract(token)));
    }

    internal static async Task<Ok<UnlockResponse>> Recover(RecoverRequest request, OwnerSignIn signIn, HttpContext http, CancellationToken ct)
    {
        var vaultId = await signIn.RecoverAsync(request.SignIn ? http : null, request.RecoveryKey, request.NewPassphrase, ct);
        return TypedResults.Ok(new UnlockResponse(vaultId, null));
    }

    internal static async Task<NoContent> Lock(ClaimsPrincipal user, OwnerSignIn signIn, HttpContext http)
    {
        await signIn.LockAsync(http, user.VaultId());
        return TypedResults.NoContent();
    }

    internal static async Task<NoContent> ChangePassphrase(ChangePassphraseRequest request, ClaimsPrincipal user, OwnerSignIn signIn, CancellationToken ct)
    {
        await signIn.ChangePassphraseAsync(user, request.CurrentPassphrase, request.NewPassphrase, request.RevokeAccessTokens, ct);
        return TypedResults.NoContent();
    }

    internal static async Task<Ok<AutoLockSetting>> GetAutoLock(ClaimsPrincipal user, AutoLock autoLock, CancellationToken ct) =>
        TypedResults.Ok(await autoLock.GetAsync(user.VaultId(), ct));

    internal static async Task<Ok<AutoLockSetting>> SetAutoLock(SetAutoLockRequest request, ClaimsPrincipal user, AutoLock autoLock, CancellationToken ct) =>
        TypedResults.Ok(await autoLock.SetAsync(user.VaultId(), request.Minutes, ct));

    internal static async Task<Ok<VaultModeSetting>> GetMode(ClaimsPrincipal user, VaultModeService modes, CancellationToken ct) =>
        TypedResults.Ok(await modes.GetAsync(user.VaultId(), ct));

    internal static async Task<Ok<VaultModeSetting>> SetMode(SetVaultModeRequest request, VaultSession session, VaultModeService modes, CancellationToken ct) =>
        TypedResults.Ok(await modes.SetAsync(session.Keys, request.Mode, ct));

    internal static Ok<IReadOnlyList<OwnerSignInSession>> ListSignIns(ClaimsPrincipal user, OwnerSignIn signIn) => TypedResults.Ok(signIn.ListSignIns(user));

    internal static Results<NoContent, ProblemHttpResult> EndSignIn(Guid id, ClaimsPrincipal user, OwnerSignIn signIn) =>
        signIn.EndSignIn(user, id)
            ? TypedResults.NoContent()
            : TypedResults.Problem(ProblemCatalog.Create(ProblemCodes.RecordNotFound, 404, "No such sign-in.", "No browser is signed in with that id; it may have been signed out already (GET /owner/api/v1/sessions lists them)."));

    internal static Ok<EndedSignIns> EndOtherSignIns(ClaimsPrincipal user, OwnerSignIn signIn) => TypedResults.Ok(new EndedSignIns(signIn.EndOtherSignIns(user)));

    internal static async Task<Ok<IReadOnlyList<OwnerToken>>> ListTokens(ClaimsPrincipal user, AccessTokenService tokens, CancellationToken ct)
    {
        var list = await tokens.ListAsync(user.VaultId(), ct);
        return TypedResults.Ok<IReadOnlyList<OwnerToken>>([.. list.Select(ToContract)]);
    }

    internal static async Task<Created<OwnerToken>> CreateToken(CreateTokenRequest request, ClaimsPrincipal user, AccessTokenService tokens, CancellationToken ct)
    {
        var lifetime = request.ExpiresInDays is { } days ? TimeSpan.FromDays(days) : (TimeSpan?)null;
        var token = await tokens.CreateAsync(user.VaultId(), request.Name, lifetime, ct);
        return TypedResults.Created($"/owner/api/v1/tokens/{token.Id}", ToContract(token));
    }

    internal static async Task<Results<NoContent, NotFound>> RevokeToken(Guid id, ClaimsPrincipal user, AccessTokenService tokens, CancellationToken ct) =>
        await tokens.RevokeAsync(user.VaultId(), id, ct) ? TypedResults.NoContent() : TypedResults.NotFound();

    internal static async Task<Results<NoContent, NotFound>> RevokeCurrentToken(ClaimsPrincipal user, AccessTokenService tokens, CancellationToken ct) =>
        OwnerAuthentication.TokenIdOf(user) is { } id && await tokens.RevokeAsync(user.VaultId(), id, ct) ? TypedResults.NoContent() : TypedResults.NotFound();

    internal static OwnerToken ToContract(IssuedAccessToken t) => new(t.Id, t.Name, t.Secret, t.CreatedAt, t.ExpiresAt, t.LastUsedAt);
}
