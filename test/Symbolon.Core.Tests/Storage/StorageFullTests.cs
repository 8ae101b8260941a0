using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Symbolon.Core.Problems;

namespace Symbolon.Core.Tests.Storage;

/// <summary>
/// A full disk is told as such (507, "the disk holding the vault is full; nothing was changed"), not as "something went
/// wrong": the failures each storage really raises are recognised, alone and as EF Core wraps them. The whole path, a
/// CLI import onto a full tmpfs, is in bench/ (<c>bench/run.sh --scenario faults</c>).
/// </summary>
public sealed class StorageFullTests
{
    [Fact]
    public void SQLite_at_its_size_limit_is_storage_full_alone_and_wrapped_by_ef_core()
    {
        var path = Path.Combine(Path.GetTempPath(), $"symbolon-full-{Guid.NewGuid():N}.db");
        try
        {
            using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
            connection.Open();
            using (var create = connection.CreateCommand())
            {
                create.CommandText = "CREATE TABLE t (b BLOB); PRAGMA max_page_count = 8;";
                create.ExecuteNonQuery();
            }

            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO t VALUES (zeroblob(1000000))";
            var full = Assert.Throws<SqliteException>(() => insert.ExecuteNonQuery());
            Assert.Equal(13, full.SqliteErrorCode);
            Assert.True(StorageFull.In(full));
            Assert.True(StorageFull.In(new DbUpdateException("An error occurred while saving the entity changes.", full)));

            using var other = connection.CreateCommand();
            other.CommandText = "SELECT * FROM missing";
            Assert.False(StorageFull.In(Assert.Throws<SqliteException>(() => other.ExecuteNonQuery())));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_file_write_with_no_space_left_and_postgresql_disk_full_are_storage_full()
    {
        // /dev/full answers every write with ENOSPC, as a full disk does.
        var noSpace = Assert.ThrowsAny<IOException>(() =>
        {
            using var device = new FileStream("/dev/full", FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1, FileOptions.None);
            device.Write(new byte[4096]);
            device.Flush();
        });
        Assert.True(StorageFull.In(noSpace));
        Assert.True(StorageFull.In(new AggregateException(new InvalidOperationException("first"), noSpace)));

        Assert.True(StorageFull.In(new DbUpdateException("saving", new PostgresException("could not extend file", "ERROR", "ERROR", "53100"))));
        Assert.False(StorageFull.In(new PostgresException("duplicate key", "ERROR", "ERROR", "23505")));
        Assert.False(StorageFull.In(new IOException("The process cannot access the file")));
    }
}
