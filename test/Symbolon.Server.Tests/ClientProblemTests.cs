using System.Net.Http.Json;
using Symbolon.Client;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Profile;

namespace Symbolon.Server.Tests;

/// <summary>The SDK reads the server's real problem documents into typed exceptions.</summary>
public sealed class ClientProblemTests : IDisposable
{
    private readonly SymbolonApplicationFactory _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Problems_from_the_server_become_exceptions_with_code_status_and_field_errors()
    {
        var (owner, created) = await _app.CreateVaultAsync();
        var invalid = await owner.PostAsJsonAsync("/owner/api/v1/profile/fields", new ProfileFieldInput(ProfileFieldKinds.Email, Text: "not an email"), SymbolonApplicationFactory.Json);
        var problem = await SymbolonProblemException.FromResponseAsync(invalid);
        Assert.NotNull(problem);
        Assert.Equal(400, problem.Status);
        Assert.Equal(ProblemCodes.InvalidValue, problem.Code);
        Assert.Contains("text", problem.Problem.Errors!.Keys);
        Assert.Contains("(SYM1003)", problem.Message, StringComparison.Ordinal);

        await owner.PostAsync("/owner/api/v1/vault/lock", null);
        var locked = await _app.CreateTokenClient(created.AccessToken.Token!).GetAsync("/owner/api/v1/profile");
        var exception = await Assert.ThrowsAsync<SymbolonProblemException>(() => SymbolonProblemException.EnsureSuccessAsync(locked));
        Assert.Equal(ProblemCodes.VaultLocked, exception.Code);
        Assert.Equal(423, exception.Status);

        Assert.Null(await SymbolonProblemException.FromResponseAsync(await owner.GetAsync("/healthz")));
    }
}
