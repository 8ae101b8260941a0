namespace Symbolon.Core.Statements;

/// <summary>
/// A statement file as it arrives (a request body, a file on disk, an upload held in memory), read once from start
/// to end. Its first bytes are read ahead, so the format and the CSV columns can be recognised before the import
/// starts, and then read again as part of the stream; <see cref="Position"/> counts the bytes handed on, for
/// progress. Nothing here keeps more of the file than that head.
/// </summary>
internal sealed class StatementSource : Stream
{
    /// <summary>How much is read ahead: enough for the format's signature and a CSV preview of the first rows.</summary>
    public const int HeadBytes = 64 * 1024;

    private readonly Stream _inner;
    private readonly byte[] _head;
    private readonly int _headLength;
    private long _position;

    private StatementSource(Stream inner, byte[] head, int headLength, long? length)
    {
        _inner = inner;
        _head = head;
        _headLength = headLength;
        TotalBytes = length;
    }

    /// <summary>The first bytes of the file (all of it when it is shorter than <see cref="HeadBytes"/>).</summary>
    public ReadOnlyMemory<byte> Head => _head.AsMemory(0, _headLength);

    /// <summary>True when <see cref="Head"/> is the whole file.</summary>
    public bool HeadIsWholeFile { get; private init; }

    /// <summary>The file's size when known in advance (a file, a request with a Content-Length), for progress.</summary>
    public long? TotalBytes { get; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => Interlocked.Read(ref _position);
        set => throw new NotSupportedException();
    }

    /// <summary>Reads the head of <paramref name="inner"/>; the source then reads <paramref name="inner"/> on, without owning it.</summary>
    public static async Task<StatementSource> OpenAsync(Stream inner, long? length = null, CancellationToken ct = default)
    {
        if (inner is StatementSource already)
        {
            return already;
        }

        var head = new byte[HeadBytes];
        var read = 0;
        while (read < head.Length)
        {
            var n = await inner.ReadAsync(head.AsMemory(read), ct);
            if (n == 0)
            {
                return new StatementSource(inner, head, read, length ?? read) { HeadIsWholeFile = true };
            }

            read += n;
        }

        return new StatementSource(inner, head, read, length);
    }

    /// <summary>A file already in memory (the web app's upload, tests): read in place, not copied.</summary>
    public static StatementSource FromMemory(ReadOnlyMemory<byte> file)
    {
        var head = file[..Math.Min(file.Length, HeadBytes)].ToArray();
        return new StatementSource(new ReadOnlyMemoryStream(file[head.Length..]), head, head.Length, file.Length) { HeadIsWholeFile = head.Length == file.Length };
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var fromHead = ReadHead(buffer);
        var n = fromHead > 0 ? fromHead : _inner.Read(buffer);
        Interlocked.Add(ref _position, n);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // Note: a local file is read synchronously. On Linux an asynchronous file read is the same read on another
        // thread, which costs two thread hops per buffer and keeps the pool's threads spinning on a small machine.
        var fromHead = ReadHead(buffer.Span);
        var n = fromHead > 0 ? fromHead : _inner is FileStream { IsAsync: false } file ? file.Read(buffer.Span) : await _inner.ReadAsync(buffer, cancellationToken);
        Interlocked.Add(ref _position, n);
        return n;
    }

    /// <summary>
    /// Reads what is left of the stream into memory (OFX, which is read whole), or null as soon as it passes
    /// <paramref name="maxBytes"/>: a file that is too large is refused without being held whole.
    /// </summary>
    public async Task<ReadOnlyMemory<byte>?> ReadToEndAsync(int maxBytes, CancellationToken ct)
    {
        using var rest = new MemoryStream(TotalBytes is { } total && total > Position && total <= maxBytes ? (int)(total - Position) : HeadBytes);
        var buffer = new byte[1 << 16];
        int n;
        while ((n = await ReadAsync(buffer, ct)) > 0)
        {
            if (rest.Length + n > maxBytes)
            {
                return null;
            }

            rest.Write(buffer, 0, n);
        }

        return rest.GetBuffer().AsMemory(0, (int)rest.Length);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int ReadHead(Span<byte> buffer)
    {
        var position = Position;
        if (position >= _headLength || buffer.IsEmpty)
        {
            return 0;
        }

        var n = (int)Math.Min(buffer.Length, _headLength - position);
        _head.AsSpan((int)position, n).CopyTo(buffer);
        return n;
    }

    /// <summary>A read-only stream over memory.</summary>
    private sealed class ReadOnlyMemoryStream(ReadOnlyMemory<byte> memory) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => memory.Length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(buffer.Length, memory.Length - _position);
            memory.Span.Slice(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
