using System.Text;
using Symbolon.Contracts.Statements;
using Symbolon.Core.Statements;
using Symbolon.Core.Tests.Infrastructure;
using Symbolon.Core.Vaults;
using static Symbolon.Core.Tests.Statements.StatementSamples;

namespace Symbolon.Core.Tests.Statements;

/// <summary>The import reads its file once, as a stream: what arrives in pieces reads as what is held whole, and nothing is lost on the way.</summary>
public class StreamingImportTests
{
    private static readonly CsvMapping Mapping = new("Date", "Amount", Description: "Description", Encoding: "auto");

    [Fact]
    public async Task A_file_arriving_in_small_pieces_reads_as_the_same_file_held_whole()
    {
        // A character outside the BMP (four UTF-8 bytes, two UTF-16 units) and umlauts, split across reads of seven bytes.
        var file = Utf8(Csv(3000, i => i % 97 == 0 ? $"CAFÉ ☕ 🍩 {i}" : $"SHOP {i % 40}"));

        var whole = CsvStatementReader.Read(file, Mapping).Lines;
        var streamed = new StatementLineCollector();
        await CsvStatementReader.ReadAsync(new Trickle(file, 7), Mapping, streamed);

        Assert.Equal(3000, whole.Count);
        Assert.Equal(whole.Select(l => (l.Date, l.Amount, l.Description)), streamed.Lines.Select(l => (l.Date, l.Amount, l.Description)));
        Assert.Equal("CAFÉ ☕ 🍩 97", whole[97].Description);
    }

    [Theory]
    [InlineData("utf-8")]
    [InlineData("windows-1252")]
    public void Auto_decides_the_encoding_at_the_first_other_byte_however_far_into_the_file(string written)
    {
        // Far past the head that is read ahead (64 KiB) and the decoder's buffer: plain ASCII until then.
        var text = Csv(4000, i => i == 3500 ? "Bäckerei Müller" : $"SHOP {i}");
        var file = written == "utf-8" ? Utf8(text) : Encoding.GetEncoding(1252).GetBytes(text);

        var lines = CsvStatementReader.Read(file, Mapping).Lines;

        Assert.Equal("Bäckerei Müller", lines[3500].Description);
    }

    [Fact]
    public void Bytes_that_are_not_UTF_8_deep_in_a_file_read_as_UTF_8_are_refused_with_their_line()
    {
        var text = Csv(5000, i => i == 4000 ? "Bäckerei" : $"SHOP {i}");
        var file = Encoding.GetEncoding(1252).GetBytes(text);

        var e = Assert.Throws<StatementException>(() => CsvStatementReader.Read(file, Mapping with { Encoding = "utf-8" }));

        // Line 1 is the header, so row 4000 (from 0) is line 4002.
        Assert.Equal("line 4002: the file is not valid UTF-8; choose Windows-1252 or ISO-8859-1 as its encoding.", e.Message);
    }

    [Fact]
    public void Dedupe_counts_keep_repeated_keys_through_growth()
    {
        var counts = new DedupeKeyCounts();
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 10_000; i++)
            {
                if (round == 0 || i % 10 == 0)
                {
                    counts.Increment(Key(i));
                }
            }
        }

        Assert.Equal(10_000, counts.Count);
        Assert.Equal(3, counts.Get(Key(20)));
        Assert.Equal(1, counts.Get(Key(21)));
        Assert.Equal(0, counts.Get(Key(10_001)));
        Assert.Equal(3, counts.Get(Key(0)));

        static UInt128 Key(int i) => new((ulong)i * 0x9E3779B97F4A7C15, (ulong)i * 0xC2B2AE3D27D4EB4F);
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task A_streamed_import_of_many_chunks_stores_every_row_and_a_second_one_adds_nothing(StorageKind kind)
    {
        await using var vault = await TestVault.CreateAsync(kind);
        var session = new VaultSession(vault.Keys, vault.Store.Time.GetUtcNow());
        var file = Utf8(Csv(20_000, i => $"SHOP {i % 300}", sameDayPairs: true));

        var first = await ImportAsync(vault, session, new Trickle(file, 4096));
        var again = await ImportAsync(vault, session, new Trickle(file, 4096));

        Assert.Equal((20_000, 0), (first.Added, first.DuplicatesSkipped));
        Assert.Equal((0, 20_000), (again.Added, again.DuplicatesSkipped));
        using var reopened = vault.Store.Open();
        var loaded = await new StatementImporter(reopened.Db, vault.Store.Time, reopened.Records).LoadAsync(vault.Keys);
        Assert.Equal(20_000, loaded.Count);
        Assert.Equal(loaded.Totals(new TransactionFilter()).Currencies.Single().Out, (await ProjectionAsync(vault, session)).Totals(new TransactionFilter()).Currencies.Single().Out);
    }

    private static async Task<ImportSummary> ImportAsync(TestVault vault, VaultSession session, Stream file)
    {
        vault.Store.Time.Advance(TimeSpan.FromSeconds(1));
        using var scope = vault.Store.Open();
        return await new StatementImporter(scope.Db, vault.Store.Time, scope.Records).ImportAsync(session, file, new ImportRequest(Mapping: Mapping));
    }

    private static async Task<TransactionProjection> ProjectionAsync(TestVault vault, VaultSession session)
    {
        using var scope = vault.Store.Open();
        return await new StatementImporter(scope.Db, vault.Store.Time, scope.Records).ProjectionAsync(session);
    }

    /// <summary>A CSV of <paramref name="rows"/> rows; with <paramref name="sameDayPairs"/> every two rows are the same purchase on the same day.</summary>
    private static string Csv(int rows, Func<int, string> description, bool sameDayPairs = false)
    {
        var csv = new StringBuilder("Date,Description,Amount\n");
        for (var i = 0; i < rows; i++)
        {
            var n = sameDayPairs ? i / 2 : i;
            csv.Append(new DateOnly(2024, 1, 1).AddDays(n % 700).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))
                .Append(",\"").Append(sameDayPairs ? description(n) : description(i)).Append("\",-")
                .Append((n % 5000).ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(".25\n");
        }

        return csv.ToString();
    }

    /// <summary>A stream that hands out at most a few bytes a read, asynchronously, as a slow upload does.</summary>
    private sealed class Trickle(byte[] bytes, int piece) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new InvalidOperationException("Read synchronously, as Kestrel would refuse.");

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            var n = Math.Min(Math.Min(piece, buffer.Length), bytes.Length - _position);
            bytes.AsSpan(_position, n).CopyTo(buffer.Span);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
