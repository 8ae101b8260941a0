using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
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

    // Called once per chunk with loops over its rows: compiled fully optimized at once instead of starting in tier 0.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static TransactionColumns Decode(ReadOnlySpan<byte> compressed)
    {
        using var plain = Decompress(compressed);
        var chunk = Layout.Parse(plain.Span);
        var strings = new string[chunk.StringCount];
        var table = chunk.Strings;
        for (var i = 0; i < strings.Length; i++)
        {
            strings[i] = Encoding.UTF8.GetString(table.Next());
        }

        var amounts = new decimal[chunk.Count];
        var balance = new decimal?[chunk.Count];
        var balances = chunk.Balances;
        for (var i = 0; i < amounts.Length; i++)
        {
            amounts[i] = chunk.Amount(i);
            balance[i] = balances.Next();
        }

        return new TransactionColumns
        {
            Strings = strings,
            Days = Layout.Ints(chunk.Days),
            Amounts = amounts,
            Currency = Layout.Ints(chunk.Currency),
            Account = Layout.Ints(chunk.Account),
            Description = Layout.Ints(chunk.Description),
            Merchant = Layout.Ints(chunk.Merchant),
            Category = Layout.Ints(chunk.Category),
            Reference = Layout.Ints(chunk.Reference),
            Balance = balance,
        };
    }

    /// <summary>Decompresses a chunk into a pooled buffer, which goes back to the pool cleared when disposed.</summary>
    public static PlainChunk Decompress(ReadOnlySpan<byte> compressed)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(compressed);
        var plain = new PlainChunk(length);
        if (!BrotliDecoder.TryDecompress(compressed[4..], plain.Buffer.AsSpan(0, length), out var written) || written != length)
        {
            plain.Dispose();
            throw new InvalidDataException("A transaction chunk does not decompress.");
        }

        return plain;
    }

    /// <summary>
    /// The sections of a decompressed chunk as spans over its bytes, read the way BinaryWriter wrote them: a version
    /// byte, the row count, the string table (a 7-bit-encoded UTF-8 length and the bytes per string), then the columns
    /// (little-endian ints; decimals as their four 32-bit parts: low, middle, high, flags), then a balance per row (a
    /// flag byte and, when set, a decimal). Whole columns are taken as spans rather than a value at a time.
    /// </summary>
    public readonly ref struct Layout
    {
        public int Count { get; private init; }

        public int StringCount { get; private init; }

        /// <summary>The string table, read one string after the other with <see cref="StringTable.Next"/>.</summary>
        public StringTable Strings { get; private init; }

        public ReadOnlySpan<byte> Days { get; private init; }

        public ReadOnlySpan<byte> Amounts { get; private init; }

        public ReadOnlySpan<byte> Currency { get; private init; }

        public ReadOnlySpan<byte> Account { get; private init; }

        public ReadOnlySpan<byte> Description { get; private init; }

        /// <summary>-1 where there is none.</summary>
        public ReadOnlySpan<byte> Merchant { get; private init; }

        public ReadOnlySpan<byte> Category { get; private init; }

        /// <summary>-1 where there is none.</summary>
        public ReadOnlySpan<byte> Reference { get; private init; }

        public BalanceColumn Balances { get; private init; }

        public static Layout Parse(ReadOnlySpan<byte> plain)
        {
            if (plain.Length < 9 || plain[0] != FormatVersion)
            {
                throw new InvalidDataException("Unknown transaction chunk format.");
            }

            var count = BinaryPrimitives.ReadInt32LittleEndian(plain[1..]);
            var stringCount = BinaryPrimitives.ReadInt32LittleEndian(plain[5..]);
            var table = new StringTable(plain[9..], 9);
            for (var i = 0; i < stringCount; i++)
            {
                table.Next();
            }

            var strings = new StringTable(plain.Slice(9, table.Read), 9);
            var rest = plain[(9 + table.Read)..];
            if (count < 0 || (long)count * (4 + 16 + (6 * 4)) > rest.Length)
            {
                throw new InvalidDataException("A transaction chunk ends early.");
            }

            var column = count * 4;
            return new Layout
            {
                Count = count,
                StringCount = stringCount,
                Strings = strings,
                Days = rest[..column],
                Amounts = rest.Slice(column, count * 16),
                Currency = rest.Slice(column * 5, column),
                Account = rest.Slice(column * 6, column),
                Description = rest.Slice(column * 7, column),
                Merchant = rest.Slice(column * 8, column),
                Category = rest.Slice(column * 9, column),
                Reference = rest.Slice(column * 10, column),
                Balances = new BalanceColumn(rest[(column * 11)..]),
            };
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static int Int(ReadOnlySpan<byte> column, int i) => BinaryPrimitives.ReadInt32LittleEndian(column[(i * 4)..]);

        public static int[] Ints(ReadOnlySpan<byte> column)
        {
            var values = MemoryMarshal.Cast<byte, int>(column).ToArray();
            if (!BitConverter.IsLittleEndian)
            {
                BinaryPrimitives.ReverseEndianness(values, values);
            }

            return values;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public decimal Amount(int i) => ReadDecimal(Amounts[(i * 16)..]);

        // decimal.GetBits order: low, middle, high, then flags (the sign in the top bit, the scale in bits 16 to 23).
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        internal static decimal ReadDecimal(ReadOnlySpan<byte> bytes)
        {
            var flags = BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]);
            if ((flags & 0x7F00FFFF) != 0 || ((flags >> 16) & 0xFF) > 28)
            {
                throw new InvalidDataException("A transaction chunk holds a malformed amount.");
            }

            return new decimal(
                BinaryPrimitives.ReadInt32LittleEndian(bytes),
                BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]),
                BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]),
                flags < 0,
                (byte)(flags >> 16));
        }

        /// <summary>
        /// The string table: each <see cref="Next"/> gives the UTF-8 bytes of the next string; <see cref="Offset"/>
        /// is where those bytes are in the whole chunk.
        /// </summary>
        public ref struct StringTable(ReadOnlySpan<byte> bytes, int offset)
        {
            private readonly ReadOnlySpan<byte> _bytes = bytes;
            private int _at;

            /// <summary>Where the bytes of the string <see cref="Next"/> gave last begin, counted from the chunk's start.</summary>
            public int Offset { get; private set; }

            /// <summary>How many bytes of the table have been read.</summary>
            public readonly int Read => _at;

            public ReadOnlySpan<byte> Next()
            {
                var length = 0;
                for (var shift = 0; ; shift += 7)
                {
                    if (_at >= _bytes.Length || shift > 28)
                    {
                        throw new InvalidDataException("A transaction chunk holds a malformed string.");
                    }

                    var b = _bytes[_at++];
                    length |= (b & 0x7F) << shift;
                    if (b < 0x80)
                    {
                        break;
                    }
                }

                if ((uint)length > (uint)(_bytes.Length - _at))
                {
                    throw new InvalidDataException("A transaction chunk ends early.");
                }

                Offset = offset + _at;
                var value = _bytes.Slice(_at, length);
                _at += length;
                return value;
            }
        }

        /// <summary>The balance column: each <see cref="Next"/> gives the next row's balance or null.</summary>
        public ref struct BalanceColumn(ReadOnlySpan<byte> bytes)
        {
            private ReadOnlySpan<byte> _rest = bytes;

            public decimal? Next()
            {
                if (_rest.IsEmpty)
                {
                    throw new InvalidDataException("A transaction chunk ends early.");
                }

                var has = _rest[0] != 0;
                _rest = _rest[1..];
                if (!has)
                {
                    return null;
                }

                var value = ReadDecimal(_rest);
                _rest = _rest[16..];
                return value;
            }
        }
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
}

/// <summary>A decompressed chunk in a buffer borrowed from the pool.</summary>
internal sealed class PlainChunk(int length) : IDisposable
{
    public byte[] Buffer { get; private set; } = ArrayPool<byte>.Shared.Rent(length);

    public ReadOnlySpan<byte> Span => Buffer.AsSpan(0, length);

    public void Dispose()
    {
        // Note: the buffer held decrypted statement text; it goes back to the pool cleared.
        if (Buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(Buffer, clearArray: true);
            Buffer = [];
        }
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
