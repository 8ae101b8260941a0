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

    // Called once per import with a loop over every row: compiled fully optimized at once instead of starting in tier 0.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static byte[] Encode(IReadOnlyList<StatementLine> lines, int start, int count)
    {
        var table = new Dictionary<string, int>(StringComparer.Ordinal);
        var strings = new List<string>();
        int Index(string? s)
        {
            if (s is null)
            {
                return -1;
            }

            if (!table.TryGetValue(s, out var index))
            {
                index = strings.Count;
                table[s] = index;
                strings.Add(s);
            }

            return index;
        }

        var indices = new int[count * 6];
        for (var i = 0; i < count; i++)
        {
            var line = lines[start + i];
            indices[i] = Index(line.Currency);
            indices[count + i] = Index(line.Account);
            indices[(2 * count) + i] = Index(line.Description);
            indices[(3 * count) + i] = Index(line.Merchant);
            indices[(4 * count) + i] = Index(line.Category);
            indices[(5 * count) + i] = Index(line.Reference);
        }

        using var buffer = new MemoryStream(count * 64);
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(FormatVersion);
            writer.Write(count);
            writer.Write(strings.Count);
            foreach (var s in strings)
            {
                writer.Write(s);
            }

            for (var i = 0; i < count; i++)
            {
                writer.Write(lines[start + i].Date.DayNumber);
            }

            for (var i = 0; i < count; i++)
            {
                writer.Write(lines[start + i].Amount);
            }

            foreach (var index in indices)
            {
                writer.Write(index);
            }

            for (var i = 0; i < count; i++)
            {
                var balance = lines[start + i].Balance;
                writer.Write(balance.HasValue);
                if (balance.HasValue)
                {
                    writer.Write(balance.Value);
                }
            }
        }

        return Compress(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
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
    private static byte[] Compress(ReadOnlySpan<byte> plain)
    {
        var output = new byte[4 + BrotliEncoder.GetMaxCompressedLength(plain.Length)];
        BinaryPrimitives.WriteInt32LittleEndian(output, plain.Length);
        if (!BrotliEncoder.TryCompress(plain, output.AsSpan(4), out var written, quality: 1, window: 22))
        {
            throw new InvalidOperationException("Compression failed.");
        }

        return output[..(4 + written)];
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
