using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using DuckDB.NET.Data;
using DuckDB.NET.Native;

namespace Symbolon.Core.Statements;

/// <summary>
/// Appends rows to a DuckDB table a vector at a time through DuckDB's C API: the caller writes each column of up to
/// <see cref="VectorSize"/> rows straight into DuckDB's memory (<see cref="Column{T}"/>), in DuckDB's physical types,
/// then <see cref="Append"/> hands the chunk over. DuckDB.NET's appender does the same one value at a time through a
/// row object, converting every string to UTF-8 again. Columns here have no NULLs; text goes in as
/// <see cref="DuckDBString"/> values from a <see cref="DuckDBStrings"/> table, which DuckDB copies when it takes the chunk.
/// </summary>
internal sealed unsafe class DuckDBVectorAppender : IDisposable
{
    private readonly string _table;
    private readonly DuckDB.NET.Native.DuckDBAppender _appender;
    private readonly DuckDBDataChunk _chunk;
    private readonly DuckDBType[] _types;
    private bool _closed;

    public DuckDBVectorAppender(DuckDBConnection connection, string table)
    {
        _table = table;
        if (NativeMethods.Appender.DuckDBAppenderCreate(connection.NativeConnection, null, table, out _appender) != DuckDBState.Success)
        {
            _appender.Dispose();
            throw new InvalidOperationException($"DuckDB could not open an appender on {table}.");
        }

        var count = (int)NativeMethods.Appender.DuckDBAppenderColumnCount(_appender);
        var types = new DuckDBLogicalType[count];
        try
        {
            _types = new DuckDBType[count];
            var handles = new IntPtr[count];
            for (var i = 0; i < count; i++)
            {
                types[i] = NativeMethods.Appender.DuckDBAppenderColumnType(_appender, (ulong)i);
                _types[i] = NativeMethods.LogicalType.DuckDBGetTypeId(types[i]);
                handles[i] = types[i].DangerousGetHandle();
            }

            _chunk = NativeMethods.DataChunks.DuckDBCreateDataChunk(handles, (ulong)count);
        }
        finally
        {
            foreach (var type in types)
            {
                type?.Dispose();
            }
        }
    }

    /// <summary>Rows per chunk (DuckDB's vector size).</summary>
    public static int VectorSize { get; } = (int)NativeMethods.Helpers.DuckDBVectorSize();

    /// <summary>
    /// The current chunk's column <paramref name="column"/>, <see cref="VectorSize"/> values of <typeparamref name="T"/>,
    /// which must be the column's physical type (int for INTEGER and DATE, long for BIGINT and DECIMAL(18,s), a
    /// 16-byte hugeint for UUID, <see cref="DuckDBString"/> for VARCHAR).
    /// </summary>
    public Span<T> Column<T>(int column)
        where T : unmanaged
    {
        var expected = _types[column] switch
        {
            DuckDBType.Integer or DuckDBType.Date => sizeof(int),
            DuckDBType.BigInt or DuckDBType.Decimal => sizeof(long),
            DuckDBType.Uuid or DuckDBType.HugeInt or DuckDBType.Varchar => 16,
            _ => throw new NotSupportedException($"Column {column} of {_table} is {_types[column]}; only fixed-width columns are written this way."),
        };
        if (sizeof(T) != expected)
        {
            throw new ArgumentException($"Column {column} of {_table} holds {expected}-byte values, not {typeof(T).Name}.", nameof(column));
        }

        var vector = NativeMethods.DataChunks.DuckDBDataChunkGetVector(_chunk, column);
        return new Span<T>(NativeMethods.Vectors.DuckDBVectorGetData(vector), VectorSize);
    }

    /// <summary>Appends the first <paramref name="rows"/> rows written into the columns and starts a new chunk.</summary>
    public void Append(int rows)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rows, VectorSize);
        NativeMethods.DataChunks.DuckDBDataChunkSetSize(_chunk, (ulong)rows);
        if (NativeMethods.Appender.DuckDBAppendDataChunk(_appender, _chunk) != DuckDBState.Success)
        {
            throw Failed();
        }

        NativeMethods.DataChunks.DuckDBDataChunkReset(_chunk);
    }

    /// <summary>Flushes what was appended into the table.</summary>
    public void Close()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        if (NativeMethods.Appender.DuckDBAppenderClose(_appender) != DuckDBState.Success)
        {
            throw Failed();
        }
    }

    public void Dispose()
    {
        _chunk.Dispose();
        _appender.Dispose();
    }

    private InvalidOperationException Failed()
    {
        using var error = NativeMethods.Appender.DuckDBAppenderErrorData(_appender);
        return new InvalidOperationException($"DuckDB refused rows appended to {_table}: {NativeMethods.ErrorData.DuckDBErrorDataMessage(error)}");
    }
}

/// <summary>
/// DuckDB's <c>duckdb_string_t</c>: the length, then up to 12 bytes inline, or the first 4 bytes and a pointer to
/// the rest. Unused inline bytes are zero, since DuckDB compares short strings by all 16 bytes.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly struct DuckDBString
{
    private readonly uint _length;
    private readonly uint _prefix;
    private readonly ulong _inlinedOrPointer;

    private DuckDBString(uint length, uint prefix, ulong inlinedOrPointer) => (_length, _prefix, _inlinedOrPointer) = (length, prefix, inlinedOrPointer);

    /// <summary>The string of the UTF-8 bytes at <paramref name="utf8"/>, which must stay where they are while DuckDB reads it.</summary>
    public static unsafe DuckDBString Of(byte* utf8, int length)
    {
        Span<byte> inline = stackalloc byte[12];
        inline.Clear();
        new ReadOnlySpan<byte>(utf8, Math.Min(length, 12)).CopyTo(inline);
        var prefix = BinaryPrimitives.ReadUInt32LittleEndian(inline);
        return length <= 12
            ? new DuckDBString((uint)length, prefix, BinaryPrimitives.ReadUInt64LittleEndian(inline[4..]))
            : new DuckDBString((uint)length, prefix, (ulong)utf8);
    }
}

/// <summary>
/// Strings as <see cref="DuckDBString"/> values over blocks of native memory holding their UTF-8, for
/// <see cref="DuckDBVectorAppender"/>, by the number they were added as; freed when disposed. Texts here are the
/// vault's decrypted statement texts: the blocks are cleared before they are freed.
/// </summary>
internal sealed unsafe class DuckDBStrings : IDisposable
{
    private const int BlockSize = 1 << 16;
    private readonly List<(IntPtr Block, nuint Size)> _blocks = [];
    private DuckDBString[] _values = new DuckDBString[1024];
    private byte* _free;
    private int _freeLength;

    public int Count { get; private set; }

    /// <summary>The string added as number <paramref name="index"/>, valid until disposed.</summary>
    public DuckDBString this[int index] => (uint)index < (uint)Count ? _values[index] : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>Adds the strings of <paramref name="strings"/> from number <see cref="Count"/> on (null as an empty string).</summary>
    public void AddFrom(IReadOnlyList<string?> strings)
    {
        for (var i = Count; i < strings.Count; i++)
        {
            Add(strings[i]);
        }
    }

    public void Add(string? text)
    {
        text ??= "";
        var length = Encoding.UTF8.GetByteCount(text);
        if (length > _freeLength)
        {
            var size = (nuint)Math.Max(length, BlockSize);
            _free = (byte*)NativeMemory.Alloc(size);
            _freeLength = (int)size;
            _blocks.Add(((IntPtr)_free, size));
        }

        Encoding.UTF8.GetBytes(text, new Span<byte>(_free, length));
        if (Count == _values.Length)
        {
            Array.Resize(ref _values, Count * 2);
        }

        _values[Count++] = DuckDBString.Of(_free, length);
        _free += length;
        _freeLength -= length;
    }

    public void Dispose()
    {
        foreach (var (block, size) in _blocks)
        {
            NativeMemory.Clear((void*)block, size);
            NativeMemory.Free((void*)block);
        }

        _blocks.Clear();
        Count = 0;
        _freeLength = 0;
    }
}
