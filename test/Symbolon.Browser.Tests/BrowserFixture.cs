namespace Symbolon.Browser.Tests;

/// <summary>
/// Headless Chromium for the test classes: Debian's own build (SYMBOLON_TEST_CHROMIUM, default /usr/bin/chromium),
/// driven by Playwright. Playwright's browser download is never used; a missing Chromium fails every test.
/// Classes run in parallel and share one browser (each test has its own context, so nothing else is shared);
/// the last class to finish closes it.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string DefaultChromium = "/usr/bin/chromium";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static IPlaywright? _playwright;
    private static IBrowser? _browser;
    private static int _users;
    private IBrowser? _shared;

    public IBrowser Browser => _shared ?? throw new InvalidOperationException("The browser has not started.");

    /// <summary>Where screenshots go: SYMBOLON_TEST_OUTPUT (default ./test-output), under screenshots/.</summary>
    public string ScreenshotDirectory { get; } = Path.Combine(
        Path.GetFullPath(Environment.GetEnvironmentVariable("SYMBOLON_TEST_OUTPUT") is { Length: > 0 } output ? output : "test-output"),
        "screenshots");

    public async Task InitializeAsync()
    {
        await Gate.WaitAsync();
        try
        {
            _users++;
            if (_browser is not null)
            {
                _shared = _browser;
                return;
            }

            var chromium = Environment.GetEnvironmentVariable("SYMBOLON_TEST_CHROMIUM") is { Length: > 0 } configured ? configured : DefaultChromium;
            if (!File.Exists(chromium))
            {
                throw new InvalidOperationException(
                    $"Chromium was not found at '{chromium}'. The browser tests need Debian's chromium package (apt-get install chromium), " +
                    "or SYMBOLON_TEST_CHROMIUM set to a Chromium executable. ./test.sh installs it.");
            }

            Directory.CreateDirectory(ScreenshotDirectory);
            _playwright = await Playwright.CreateAsync();
            _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = chromium,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            });
            _shared = _browser;

            // Note: the machine running the tests may be busy (Argon2id takes real CPU time), so assertions wait as
            // long as actions do before they fail.
            SetDefaultExpectTimeout(15_000);
        }
        finally
        {
            Gate.Release();
        }
    }

    public async Task DisposeAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (--_users > 0)
            {
                return;
            }

            if (_browser is not null)
            {
                await _browser.CloseAsync();
                _browser = null;
            }

            _playwright?.Dispose();
            _playwright = null;
        }
        finally
        {
            Gate.Release();
        }
    }
}
