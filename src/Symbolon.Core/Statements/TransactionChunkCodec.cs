using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Symbolon.Core.Statements;

/// <summary>Decoded transactions of one chunk, column by column; strings are indices into <see cref="Strings"/>.</summary>
internal sealed class TransactionColumns
{
    public required string[] Strings { get; init; }
    public required int[] Days { get; init; }
    public required decimal[] Amounts { get; init; }
    public required int[] Currency { get; init; }
    public required int[] Account { get; init; }
    public required int[] Description { get; init; }

    /// <summary>-1 where there is none.</summary>
    public required int[] Merchant { get; init; }

    public required int[] Category { get; init; }

    /// <summary>-1 where there is none.</summary>
    public required int[] Reference { get; init; }

    public required decimal?[] Balance { get; init; }

    public int Count => Days.Length;
}

/// <summary>
/// The plaintext layout of a transaction chunk: a version byte, a table of the chunk's distinct strings, then one
/// column per field (dates as day numbers, amounts as decimals, strings as table indices). Statements repeat the
/// same merchants and texts, so the table keeps the payload small and decoding allocates one string per distinct
/// text, not per row. The whole is Brotli-compressed (fastest level) before it is sealed.
/// </summary>
internal static class TransactionChunkCodec
{
    private const byte FormatVersion = 1;

    /// <summary>Encodes and compresses <paramref name="lines"/>[start..start+count] (tests and the bench; imports use a <see cref="TransactionChunkBuilder"/>).</summary>
    public static byte[] Encode(IReadOnlyList<StatementLine> lines, int start, int count)
    {
        var chunk = new TransactionChunkBuilder(count);
        for (var i = 0; i < count; i++)
        {
            var line = lines[start + i];
            chunk.Add(new StatementRow(line.Account, line.Date, line.Amount, line.Currency, line.Description, line.Merchant, line.Reference, line.Balance), line.Category);
        }

        return Encode(chunk, compressed => compressed.ToArray());
    }

    /// <summary>
    /// Encodes <paramref name="chunk"/> and compresses it into buffers borrowed for the call; <paramref name="use"/>
    /// gets the compressed bytes (to seal them) while they are valid.
    /// </summary>
    // Called once per chunk with loops over every row: compiled fully optimized at once instead of starting in tier 0.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static T Encode<T>(TransactionChunkBuilder chunk, Func<ReadOnlySpan<byte>, T> use)
    {
        var count = chunk.Count;
        var strings = chunk.Strings;
        var size = 1 + 4 + 4 + (count * (4 + 16 + (6 * 4) + 1));
        foreach (var s in strings)
        {
            var length = Encoding.UTF8.GetByteCount(s);
            size += length + SevenBitLength(length);
        }

        for (var i = 0; i < count; i++)
        {
            size += chunk.HasBalance[i] ? 16 : 0;
        }

        var plain = ArrayPool<byte>.Shared.Rent(size);
        var compressed = ArrayPool<byte>.Shared.Rent(4 + BrotliEncoder.GetMaxCompressedLength(size));
        try
        {
            // The layout BinaryWriter wrote before (and Decode reads): little-endian ints, decimals as their four
            // 32-bit parts, strings as a 7-bit-encoded UTF-8 length and the bytes.
            var span = plain.AsSpan(0, size);
            var at = 0;
            span[at++] = FormatVersion;
            WriteInt(span, ref at, count);
            WriteInt(span, ref at, strings.Count);
            foreach (var s in strings)
            {
                var length = Encoding.UTF8.GetByteCount(s);
                for (var v = (uint)length; ; v >>= 7)
                {
                    span[at++] = (byte)(v < 0x80 ? v : (v & 0x7F) | 0x80);
                    if (v < 0x80)
                    {
                        break;
                    }
                }

                at += Encoding.UTF8.GetBytes(s, span[at..]);
            }

            foreach (var day in chunk.Days.AsSpan(0, count))
            {
                WriteInt(span, ref at, day);
            }

            foreach (var amount in chunk.Amounts.AsSpan(0, count))
            {
                WriteDecimal(span, ref at, amount);
            }

            foreach (var column in (ReadOnlySpan<int[]>)[chunk.Currency, chunk.Account, chunk.Description, chunk.Merchant, chunk.Category, chunk.Reference])
            {
                foreach (var index in column.AsSpan(0, count))
                {
                    WriteInt(span, ref at, index);
                }
            }

            for (var i = 0; i < count; i++)
            {
                var has = chunk.HasBalance[i];
                span[at++] = has ? (byte)1 : (byte)0;
                if (has)
                {
                    WriteDecimal(span, ref at, chunk.Balance[i]);
                }
            }

            if (at != size)
            {
                throw new InvalidOperationException("The chunk's encoded size was miscounted.");
            }

            var written = Compress(span, compressed);
            return use(compressed.AsSpan(0, written));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(plain);
            ArrayPool<byte>.Shared.Return(compressed);
        }
    }

    private static int SevenBitLength(int value) => value < 1 << 7 ? 1 : value < 1 << 14 ? 2 : value < 1 << 21 ? 3 : value < 1 << 28 ? 4 : 5;

    private static void WriteInt(Span<byte> span, ref int at, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], value);
        at += 4;
    }

    private static void WriteDecimal(Span<byte> span, ref int at, decimal value)
    {
        Span<int> parts = stackalloc int[4];
        decimal.GetBits(value, parts);
        foreach (var part in parts)
        {
            WriteInt(span, ref at, part);
        }
    }

    // Called once per import with a loop over every row: compiled fully optimized at once instead of starting in tier 0.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static TransactionColumns Decode(ReadOnlySpan<byte> compressed)
    {
        var plain = Decompress(compressed);
        using var reader = new BinaryReader(new MemoryStream(plain, writable: false), Encoding.UTF8);
        if (reader.ReadByte() != FormatVersion)
        {
            throw new InvalidDataException("Unknown transaction chunk format.");
        }

        var count = reader.ReadInt32();
        var strings = new string[reader.ReadInt32()];
        for (var i = 0; i < strings.Length; i++)
        {
            strings[i] = reader.ReadString();
        }

        var days = new int[count];
        for (var i = 0; i < count; i++)
        {
            days[i] = reader.ReadInt32();
        }

        var amounts = new decimal[count];
        for (var i = 0; i < count; i++)
        {
            amounts[i] = reader.ReadDecimal();
        }

        int[] Column()
        {
            var column = new int[count];
            for (var i = 0; i < count; i++)
            {
                column[i] = reader.ReadInt32();
            }

            return column;
        }

        var currency = Column();
        var account = Column();
        var description = Column();
        var merchant = Column();
        var category = Column();
        var reference = Column();
        var balance = new decimal?[count];
        for (var i = 0; i < count; i++)
        {
            balance[i] = reader.ReadBoolean() ? reader.ReadDecimal() : null;
        }

        return new TransactionColumns
        {
            Strings = strings,
            Days = days,
            Amounts = amounts,
            Currency = currency,
            Account = account,
            Description = description,
            Merchant = merchant,
            Category = category,
            Reference = reference,
            Balance = balance,
        };
    }

    // The uncompressed length goes first, so decompression writes into one exactly sized array.
    private static int Compress(ReadOnlySpan<byte> plain, Span<byte> output)
    {
        BinaryPrimitives.WriteInt32LittleEndian(output, plain.Length);
        if (!BrotliEncoder.TryCompress(plain, output[4..], out var written, quality: 1, window: 22))
        {
            throw new InvalidOperationException("Compression failed.");
        }

        return 4 + written;
    }

    private static byte[] Decompress(ReadOnlySpan<byte> compressed)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(compressed);
        var plain = new byte[length];
        if (!BrotliDecoder.TryDecompress(compressed[4..], plain, out var written) || written != length)
        {
            throw new InvalidDataException("A transaction chunk does not decompress.");
        }

        return plain;
    }
}

/// <summary>
/// One chunk of an import being built, column by column, with its own table of distinct strings: the rows of the
/// statement as they are read, without an object per row. Filled on the reading thread, then encoded and sealed
/// on another while the next one fills; reused for later chunks.
/// </summary>
internal sealed class TransactionChunkBuilder(int capacity)
{
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    // The reader hands the same string instance for a repeated field (CsvHelper's field cache), so the last string
    // of each column is compared by reference before the table is asked.
    private readonly string?[] _last = new string?[6];
    private readonly int[] _lastIndex = new int[6];

    public List<string> Strings { get; } = [];
    public int[] Days { get; } = new int[capacity];
    public decimal[] Amounts { get; } = new decimal[capacity];
    public int[] Currency { get; } = new int[capacity];
    public int[] Account { get; } = new int[capacity];
    public int[] Description { get; } = new int[capacity];

    /// <summary>-1 where there is none.</summary>
    public int[] Merchant { get; } = new int[capacity];

    public int[] Category { get; } = new int[capacity];

    /// <summary>-1 where there is none.</summary>
    public int[] Reference { get; } = new int[capacity];

    public decimal[] Balance { get; } = new decimal[capacity];
    public bool[] HasBalance { get; } = new bool[capacity];

    public int Count { get; private set; }

    public int Capacity => Days.Length;

    public bool IsFull => Count == Days.Length;

    public void Add(in StatementRow row, string category)
    {
        var i = Count++;
        Days[i] = row.Date.DayNumber;
        Amounts[i] = row.Amount;
        Currency[i] = Index(0, row.Currency);
        Account[i] = Index(1, row.Account);
        Description[i] = Index(2, row.Description);
        Merchant[i] = Index(3, row.Merchant);
        Category[i] = Index(4, category);
        Reference[i] = Index(5, row.Reference);
        HasBalance[i] = row.Balance.HasValue;
        Balance[i] = row.Balance.GetValueOrDefault();
    }

    public void Clear()
    {
        Count = 0;
        Strings.Clear();
        _index.Clear();
        Array.Clear(_last);
    }

    private int Index(int column, string? s)
    {
        if (s is null)
        {
            return -1;
        }

        if (ReferenceEquals(s, _last[column]))
        {
            return _lastIndex[column];
        }

        if (!_index.TryGetValue(s, out var index))
        {
            index = Strings.Count;
            _index[s] = index;
            Strings.Add(s);
        }

        _last[column] = s;
        _lastIndex[column] = index;
        return index;
    }
}
