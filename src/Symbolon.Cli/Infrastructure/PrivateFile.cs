namespace Symbolon.Cli.Infrastructure;

/// <summary>
/// Files that only their owner may read (Unix mode 0600): the CLI session, the access token, exports and backups.
/// They are written next to their final name and then moved into place, so that a failure never leaves half a file.
/// </summary>
internal static class PrivateFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void WriteAllText(string path, string contents)
    {
        var stream = CreateTemporary(path, out var temporary);
        try
        {
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(contents);
            }

            Commit(temporary, path, overwrite: true);
        }
        catch
        {
            stream.Dispose();
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Writes a file through <paramref name="write"/>; when <paramref name="overwrite"/> is false an existing file is refused.</summary>
    public static async Task WriteAsync(string path, bool overwrite, Func<Stream, Task> write)
    {
        if (!overwrite && File.Exists(path))
        {
            throw CliException.Usage($"{path} already exists.", "Choose another file, or pass --force to replace it.");
        }

        var stream = CreateTemporary(path, out var temporary);
        try
        {
            await using (stream)
            {
                await write(stream);
            }

            Commit(temporary, path, overwrite);
        }
        catch
        {
            await stream.DisposeAsync();
            File.Delete(temporary);
            throw;
        }
    }

    public static bool Delete(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        File.Delete(path);
        return true;
    }

    private static FileStream CreateTemporary(string path, out string temporary)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.partial");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, Options = FileOptions.Asynchronous };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        return new FileStream(temporary, options);
    }

    private static void Commit(string temporary, string path, bool overwrite)
    {
        File.Move(temporary, path, overwrite);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, OwnerOnly);
        }
    }
}
