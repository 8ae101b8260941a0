using Microsoft.AspNetCore.Components;
using MudBlazor;
using Symbolon.Core.Validation;
using Symbolon.Core.Vaults;
using Symbolon.Server.Components.Common;
using Symbolon.Server.Errors;

namespace Symbolon.Server.Components;

/// <summary>
/// Base of the interactive owner pages and dialogs: vault access through <see cref="OwnerOperations"/> and one
/// way to report the outcome of an operation (a snackbar, field errors, or the unlock page when the vault got locked).
/// </summary>
public abstract partial class OwnerComponentBase : ComponentBase
{
    [Inject]
    internal OwnerOperations Owner { get; set; } = default!;

    [Inject]
    protected ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    protected NavigationManager Navigation { get; set; } = default!;

    /// <summary>The vault's own address, for URLs handed to vendors (never the browser's idea of the base address).</summary>
    [Inject]
    internal Hosting.PublicOrigin VaultOrigin { get; set; } = default!;

    [Inject]
    private ILogger<OwnerComponentBase> Logger { get; set; } = default!;

    /// <summary>Formats instants in the time zone of the person's browser.</summary>
    [CascadingParameter]
    protected ViewerTime Time { get; set; } = ViewerTime.ServerLocal;

    /// <summary>
    /// Runs <paramref name="action"/> and reports its outcome. Returns false when it failed; validation errors go to
    /// <paramref name="invalid"/> when given (to show them next to the inputs), otherwise to a snackbar;
    /// <paramref name="handle"/> may take any other failure on itself by returning true.
    /// </summary>
    protected async Task<bool> TryAsync(
        Func<Task> action,
        string? success = null,
        Action<IReadOnlyDictionary<string, string[]>>? invalid = null,
        Func<Exception, bool>? handle = null)
    {
        try
        {
            await action();
            if (success is not null)
            {
                Snackbar.Add(success, Severity.Success);
            }

            return true;
        }
        catch (Exception e) when (handle is not null && e is not NavigationException && handle(e))
        {
            // Shown by the caller.
        }
        catch (VaultLockedException)
        {
            GoToUnlock();
        }
        catch (ValidationFailedException e) when (invalid is not null)
        {
            invalid(e.Errors);
        }
        catch (Exception e) when (e is not NavigationException && ProblemCatalog.FromException(e) is { } problem)
        {
            // Note: the catalogue's sentences never quote personal values, so they are safe to show and log.
            Snackbar.Add(problem.Detail is null ? problem.Title ?? "That did not work." : $"{problem.Title} {FirstError(e) ?? problem.Detail}", Severity.Error);
        }
        catch (Exception e) when (e is not NavigationException and not OperationCanceledException)
        {
            LogUnexpected(Logger, e.GetType().FullName ?? "?", e.StackTrace ?? "");
            Snackbar.Add("Something went wrong on our side. Please try again.", Severity.Error);
        }

        return false;
    }

    /// <summary>The vault was locked (here, in another tab or from the command line): unlock it again, then come back.</summary>
    protected void GoToUnlock()
    {
        var here = "/" + Navigation.ToBaseRelativePath(Navigation.Uri).Split('?', '#')[0];
        Navigation.NavigateTo($"/unlock?locked=1&returnUrl={Uri.EscapeDataString(here)}", forceLoad: true);
    }

    private static string? FirstError(Exception e) =>
        e is ValidationFailedException validation ? validation.Errors.Values.SelectMany(v => v).FirstOrDefault() : null;

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected {ExceptionType} in the web app at {StackTrace}")]
    private static partial void LogUnexpected(ILogger logger, string exceptionType, string stackTrace);
}
