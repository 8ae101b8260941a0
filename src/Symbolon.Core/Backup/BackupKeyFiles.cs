using System.Text.RegularExpressions;

namespace Symbolon.Core.Backup;

/// <summary>
/// The key files in the data directory's <c>keys</c> folder that vendors depend on, carried inside the sealed part of
/// a backup: the OAuth server's signing and encryption keys (<c>oauth-server.json</c>), without which every
/// refresh token and pushed request stored in the database is a handle to a payload nobody can open, and the
/// data-protection key ring (<c>key-*.xml</c>), without which the vendors' webhook secrets cannot be read. The host
/// key (unattended mode) is not among them: it lives outside this folder and never leaves its host.
/// </summary>
internal static partial class BackupKeyFiles
{
    public const string Folder = "keys";

    /// <summary>The key files of <paramref name="dataDirectory"/>, by name, in name order.</summary>
    public static IReadOnlyList<(string Name, byte[] Content)> Read(string dataDirectory)
    {
        var folder = Path.Combine(dataDirectory, Folder);
        if (!Directory.Exists(folder))
        {
            return [];
        }

        return [.. Directory.EnumerateFiles(folder)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(IsKeyFile)
            .Order(StringComparer.Ordinal)
            .Select(name => (name, File.ReadAllBytes(Path.Combine(folder, name))))];
    }

    /// <summary>
    /// Writes the carried key files into <paramref name="dataDirectory"/> (readable by the owner only). The OAuth keys
    /// replace any there (the store was empty, so nothing depends on them); a data-protection key already there stays.
    /// </summary>
    public static void Write(string dataDirectory, IEnumerable<(string Name, byte[] Content)> files)
    {
        var folder = Path.Combine(dataDirectory, Folder);
        Directory.CreateDirectory(folder);
        foreach (var (name, content) in files)
        {
            var path = Path.Combine(folder, name);
            if (name != OAuthKeysFile && File.Exists(path))
            {
                continue;
            }

            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var stream = new FileStream(path, options);
            stream.Write(content);
        }
    }

    /// <summary>Whether a name is one of the carried key files (and nothing that could leave the folder).</summary>
    public static bool IsKeyFile(string name) => KeyFileName().IsMatch(name);

    private const string OAuthKeysFile = "oauth-server.json";

    [GeneratedRegex(@"^(oauth-server\.json|key-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.xml)\z")]
    private static partial Regex KeyFileName();
}
