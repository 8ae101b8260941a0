using System.Data.Common;

namespace Symbolon.Core.Problems;

/// <summary>
/// Recognises a failure because the storage is full, wherever it surfaces: SQLite's <c>SQLITE_FULL</c> (error 13,
/// "database or disk is full"), PostgreSQL's <c>disk_full</c> (SQLSTATE 53100), or a file write that found no space
/// (<c>ENOSPC</c>), alone or wrapped (EF Core's <c>DbUpdateException</c>, an aggregate). The write that failed was rolled
/// back, so the person is told that nothing changed and what to free, not "something went wrong".
/// </summary>
internal static class StorageFull
{
    private const int SqliteFull = 13;
    private const int ENOSPC = 28;
    private const int ErrorDiskFull = 112;

    public static bool In(Exception? exception)
    {
        for (var depth = 0; exception is not null && depth < 16; depth++)
        {
            switch (exception)
            {
                case DbException db when db.SqlState == "53100":
                case DbException sqlite when sqlite.GetType().Name == "SqliteException" && sqlite.Message.StartsWith($"SQLite Error {SqliteFull}:", StringComparison.Ordinal):
                case IOException io when (io.HResult & 0xFFFF) is ENOSPC or ErrorDiskFull || io.Message.Contains("No space left on device", StringComparison.Ordinal):
                    return true;
                case AggregateException aggregate when aggregate.InnerExceptions.Any(In):
                    return true;
            }

            exception = exception.InnerException;
        }

        return false;
    }
}
