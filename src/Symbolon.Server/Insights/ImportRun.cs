using System.Globalization;
using Symbolon.Core.Statements;

namespace Symbolon.Server.Insights;

/// <summary>
/// The progress of one statement upload and import, as the import page shows it. The importer reports from
/// worker threads; the page reads the latest figures on its own render loop, so reports never wait for rendering
/// and a burst of them costs nothing.
/// </summary>
internal sealed class ImportRun : IProgress<ImportProgress>
{
    private long _uploaded;
    private long _fileBytes;
    private int _rowsRead;
    private long _bytesRead;
    private int _rowsStored;
    private int _stage;

    public ImportRun(string fileName, long size)
    {
        FileName = fileName;
        _fileBytes = size;
    }

    public string FileName { get; }

    public ImportStage Stage => (ImportStage)Volatile.Read(ref _stage);

    public long FileBytes => Interlocked.Read(ref _fileBytes);

    public int RowsRead => Volatile.Read(ref _rowsRead);

    public void Uploaded(long bytes) => Interlocked.Exchange(ref _uploaded, bytes);

    public void MoveTo(ImportStage stage) => Volatile.Write(ref _stage, (int)stage);

    public void Report(ImportProgress value)
    {
        if (value.Stage == "store")
        {
            MoveTo(ImportStage.Storing);
            Volatile.Write(ref _rowsStored, Math.Max(Volatile.Read(ref _rowsStored), value.Rows));
            return;
        }

        Volatile.Write(ref _rowsRead, Math.Max(Volatile.Read(ref _rowsRead), value.Rows));
        Interlocked.Exchange(ref _bytesRead, Math.Max(Interlocked.Read(ref _bytesRead), value.BytesRead));
    }

    /// <summary>How far the current stage is, 0 to 100.</summary>
    public double Percent => Stage switch
    {
        ImportStage.Uploading => Fraction(Interlocked.Read(ref _uploaded), FileBytes),
        ImportStage.Reading => Fraction(Interlocked.Read(ref _bytesRead), FileBytes),
        ImportStage.Storing => Fraction(Volatile.Read(ref _rowsStored), RowsRead),
        ImportStage.Done => 100,
        _ => 0,
    };

    /// <summary>One sentence on what is happening now, with the figures.</summary>
    public string Describe() => Stage switch
    {
        ImportStage.Uploading => $"Uploading {FileName}: {Size(Interlocked.Read(ref _uploaded))} of {Size(FileBytes)}",
        ImportStage.Reading => $"Reading {FileName}: {Count(RowsRead)} {(RowsRead == 1 ? "row" : "rows")} so far",
        ImportStage.Storing => $"Encrypting and storing: {Count(Volatile.Read(ref _rowsStored))} of {Count(RowsRead)} rows",
        ImportStage.Done => $"{FileName}: done",
        ImportStage.Failed => $"{FileName}: not imported",
        ImportStage.Mapping => $"{FileName} ({Size(FileBytes)}) is uploaded: map its columns below, then import it.",
        _ => $"{FileName}: ready to import",
    };

    public static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    public static string Size(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MiB"),
    };

    private static double Fraction(long done, long total) => total <= 0 ? 0 : Math.Clamp(100.0 * done / total, 0, 100);
}

/// <summary>Where an import is.</summary>
internal enum ImportStage
{
    Uploading,
    Mapping,
    Reading,
    Storing,
    Done,
    Failed,
}
