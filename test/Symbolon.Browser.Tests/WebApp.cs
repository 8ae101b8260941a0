using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Symbolon.Browser.Tests;

/// <summary>
/// One person in one browser tab against one fresh server, with intent methods for what the person does
/// (create the vault, add a field ...). Saves a screenshot when a test fails.
/// </summary>
public sealed partial class WebApp : IAsyncDisposable
{
    public const string Passphrase = "correct horse battery staple";

    private readonly BrowserFixture _browser;
    private readonly ITestOutputHelper _output;
    private readonly List<string> _consoleErrors = [];
    private IBrowserContext? _context;

    private WebApp(BrowserFixture browser, ITestOutputHelper output, SymbolonServer server)
    {
        _browser = browser;
        _output = output;
        Server = server;
    }

    public SymbolonServer Server { get; }

    public IPage Page { get; private set; } = default!;

    public static async Task<WebApp> StartAsync(BrowserFixture browser, ITestOutputHelper output, params string[] serverSettings)
    {
        var app = new WebApp(browser, output, await SymbolonServer.StartAsync(serverSettings));
        await app.OpenTabAsync();
        return app;
    }

    /// <summary>A new browser profile (no cookies) on the same server.</summary>
    public async Task OpenTabAsync()
    {
        if (_context is not null)
        {
            await _context.CloseAsync();
        }

        _context = await _browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Server.BaseUrl.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 860 },
            TimezoneId = "Europe/Amsterdam",
            Locale = "en-GB",
        });
        _context.SetDefaultTimeout(20_000);
        Page = await _context.NewPageAsync();
        Page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                _consoleErrors.Add(message.Text);
            }
        };
    }

    /// <summary>A second tab in the same browser profile (same session cookie).</summary>
    public async Task<IPage> OpenSecondTabAsync(string path)
    {
        var page = await _context!.NewPageAsync();
        await page.GotoAsync(path);
        await page.Locator(".sym-app[data-ready='true']").WaitForAsync();
        return page;
    }

    /// <summary>Waits until the page's Blazor circuit is up, so its buttons do something.</summary>
    public async Task WaitForInteractiveAsync() =>
        await Page.Locator(".sym-app[data-ready='true']").WaitForAsync();

    /// <summary>Goes to an interactive page and waits until it is live.</summary>
    public async Task OpenAsync(string path)
    {
        await Page.GotoAsync(path);
        await WaitForInteractiveAsync();
    }

    /// <summary>Creates the vault through /setup and returns the recovery key shown once.</summary>
    public async Task<string> CreateVaultAsync(string passphrase = Passphrase)
    {
        await Page.GotoAsync("/setup");
        await Page.GetByLabel("Passphrase", new() { Exact = true }).FillAsync(passphrase);
        await Page.GetByLabel("Repeat the passphrase").FillAsync(passphrase);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create vault" }).ClickAsync();
        var key = Page.GetByTestId("recovery-key");
        await Expect(key).ToBeVisibleAsync();
        return RecoveryKeyText(await key.InnerTextAsync());
    }

    /// <summary>Ticks "I have stored my recovery key" and continues to the profile.</summary>
    public async Task ConfirmRecoveryKeyStoredAsync()
    {
        await Page.GetByLabel("I have stored my recovery key somewhere safe").CheckAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Page.WaitForURLAsync("**/profile");
        await WaitForInteractiveAsync();
    }

    public async Task<string> CreateVaultAndOpenProfileAsync()
    {
        var key = await CreateVaultAsync();
        await ConfirmRecoveryKeyStoredAsync();
        await Expect(Group("name")).ToBeVisibleAsync();
        return key;
    }

    public ILocator Group(string kind) => Page.GetByTestId($"group-{kind}");

    public ILocator Fields(string kind) => Group(kind).GetByTestId("field");

    public ILocator Dialog => Page.GetByRole(AriaRole.Dialog);

    /// <summary>Opens the add dialog of a kind on the profile page.</summary>
    public async Task<ILocator> OpenAddDialogAsync(string kind)
    {
        await Page.GetByTestId($"add-{kind}").ClickAsync();
        await Expect(Dialog).ToBeVisibleAsync();
        return Dialog;
    }

    /// <summary>Fills a MudBlazor input by its label (typing, then leaving it, as a person does).</summary>
    public static async Task FillAsync(ILocator scope, string label, string value)
    {
        var input = scope.GetByLabel(label, new() { Exact = true });
        await input.FillAsync(value);
        await input.BlurAsync();
    }

    public async Task SaveDialogAsync(string button)
    {
        await Dialog.GetByRole(AriaRole.Button, new() { Name = button, Exact = true }).ClickAsync();
        await Expect(Dialog).ToBeHiddenAsync();
    }

    public async Task AddEmailAsync(string email, string? label = null)
    {
        var dialog = await OpenAddDialogAsync("email");
        await FillAsync(dialog, "Email address", email);
        if (label is not null)
        {
            await FillAsync(dialog, "Label (optional)", label);
        }

        await SaveDialogAsync("Add");
        await Expect(Fields("email").Filter(new() { HasText = email })).ToBeVisibleAsync();
    }

    public async Task LockAsync()
    {
        await Page.GetByTestId("lock").ClickAsync();
        await Page.WaitForURLAsync("**/unlock?locked=1");
    }

    public async Task UnlockAsync(string passphrase)
    {
        await Page.GetByLabel("Passphrase", new() { Exact = true }).FillAsync(passphrase);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Unlock", Exact = true }).ClickAsync();
    }

    public async Task ScreenshotAsync(string name, bool fullPage = true)
    {
        var path = Path.Combine(_browser.ScreenshotDirectory, name + ".png");

        // The pointer leaves the page and the confirmations fade, so that the picture shows the page itself.
        // Note: confirmations queue and show a few at a time, so after several quick saves on a busy machine the
        // last one can take well over ten seconds to go.
        await Page.Mouse.MoveAsync(0, 0);
        await Expect(Page.Locator(".mud-snackbar")).ToHaveCountAsync(0, new() { Timeout = 45_000 });
        var viewport = Page.ViewportSize ?? throw new InvalidOperationException("The page has no fixed viewport.");

        // Note: a "full page" screenshot would cut the fixed navigation drawer at the first screen; a window as
        // tall as the page shows it as a person with a large screen sees it.
        var height = fullPage ? await Page.EvaluateAsync<int>("() => document.documentElement.scrollHeight") : viewport.Height;
        if (height > viewport.Height)
        {
            await Page.SetViewportSizeAsync(viewport.Width, height);
        }

        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, Animations = ScreenshotAnimations.Disabled });
        if (height > viewport.Height)
        {
            await Page.SetViewportSizeAsync(viewport.Width, viewport.Height);
        }

        _output.WriteLine($"screenshot: {path}");
    }

    /// <summary>Runs a test's steps; on failure leaves a screenshot and the browser's console errors behind.</summary>
    public async Task RunAsync(string name, Func<Task> steps)
    {
        try
        {
            await steps();
        }
        catch
        {
            try
            {
                await ScreenshotAsync("failed-" + name);
            }
            catch (PlaywrightException)
            {
                // The page itself may be what failed.
            }

            foreach (var error in _consoleErrors)
            {
                _output.WriteLine("browser console: " + error);
            }

            // What the person would have seen, for a failure on a machine whose screenshots are not kept.
            try
            {
                _output.WriteLine("url: " + Page.Url);
                // Visible ones only: the circuit's hidden error banner is always in the page, with its text.
                foreach (var text in await Page.Locator(".mud-snackbar:visible, [role=dialog]:visible, [role=alert]:visible").AllInnerTextsAsync())
                {
                    _output.WriteLine("on screen: " + text.ReplaceLineEndings(" | "));
                }
            }
            catch (PlaywrightException)
            {
                // The page itself may be what failed.
            }

            foreach (var log in CapturedLog.Around(Server.BaseUrl))
            {
                foreach (var line in log.Lines)
                {
                    _output.WriteLine(line);
                }
            }

            throw;
        }
    }

    /// <summary>The key as shown, without the spacing between its groups of four.</summary>
    public static string RecoveryKeyText(string shown) => NotKeyCharacter().Replace(shown, "");

    [GeneratedRegex("[^A-Z2-7]")]
    private static partial Regex NotKeyCharacter();

    public async ValueTask DisposeAsync()
    {
        if (_context is not null)
        {
            await _context.CloseAsync();
        }

        await Server.DisposeAsync();
    }
}
