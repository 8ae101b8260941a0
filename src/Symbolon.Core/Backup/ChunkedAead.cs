using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Symbolon.Core.Backup;

/// <summary>
/// Streaming AES-256-GCM in the style of the STREAM construction: the plaintext is cut into chunks, each sealed
/// with a nonce made of its index and a "last chunk" flag, so chunks cannot be reordered, dropped or truncated
/// without detection. The key is unique per file (HKDF with a random salt), which makes counter nonces safe.
/// </summary>
internal sealed class ChunkedAeadWriter(Stream inner, byte[] key, byte[] associatedData) : Stream
{
    public const int ChunkSize = 64 * 1024;

    private readonly AesGcm _aes = new(key, 16);
    private readonly byte[] _buffer = new byte[ChunkSize];
    private int _filled;
    private long _index;
    private bool _finished;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        while (!buffer.IsEmpty)
        {
            // A full buffer is sealed only once more data arrives, so the last chunk is always the one marked final.
            if (_filled == ChunkSize)
            {
                SealChunk(final: false);
            }

            var take = Math.Min(buffer.Length, ChunkSize - _filled);
            buffer[..take].CopyTo(_buffer.AsSpan(_filled));
            _filled += take;
            buffer = buffer[take..];
        }
    }

    /// <summary>Seals the final chunk. Must be called once all data is written.</summary>
    public void Finish()
    {
        if (!_finished)
        {
            SealChunk(final: true);
            _finished = true;
            inner.Flush();
        }
    }

    private void SealChunk(bool final)
    {
        var sealedChunk = new byte[4 + _filled + 16];
        BinaryPrimitives.WriteInt32BigEndian(sealedChunk, _filled);
        _aes.Encrypt(ChunkNonce(_index, final), _buffer.AsSpan(0, _filled), sealedChunk.AsSpan(4, _filled), sealedChunk.AsSpan(4 + _filled, 16), associatedData);
        inner.Write(sealedChunk);
        _index++;
        _filled = 0;
    }

    internal static byte[] ChunkNonce(long index, bool final)
    {
        var nonce = new byte[12];
        BinaryPrimitives.WriteInt64BigEndian(nonce, index);
        nonce[11] = final ? (byte)1 : (byte)0;
        return nonce;
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _aes.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>Reads what <see cref="ChunkedAeadWriter"/> wrote; throws <see cref="InvalidDataException"/> on any damage.</summary>
internal sealed class ChunkedAeadReader(Stream inner, byte[] key, byte[] associatedData) : Stream
{
    private readonly AesGcm _aes = new(key, 16);
    private byte[] _plain = [];
    private int _position;
    private long _index;
    private bool _sawFinal;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (_position == _plain.Length)
        {
            if (_sawFinal)
            {
                return 0;
            }

            NextChunk();
        }

        var take = Math.Min(buffer.Length, _plain.Length - _position);
        _plain.AsSpan(_position, take).CopyTo(buffer);
        _position += take;
        return take;
    }

    private void NextChunk()
    {
        Span<byte> lengthBytes = stackalloc byte[4];
        if (!TryReadFull(lengthBytes))
        {
            throw new InvalidDataException("The backup file is truncated: its last part is missing.");
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(lengthBytes);
        if (length < 0 || length > ChunkedAeadWriter.ChunkSize)
        {
            throw new InvalidDataException("The backup file is damaged (bad chunk length).");
        }

        var sealedChunk = new byte[length + 16];
        if (!TryReadFull(sealedChunk))
        {
            throw new InvalidDataException("The backup file is truncated.");
        }

        var plain = new byte[length];
        var final = false;
        try
        {
            _aes.Decrypt(ChunkedAeadWriter.ChunkNonce(_index, false), sealedChunk.AsSpan(0, length), sealedChunk.AsSpan(length), plain, associatedData);
        }
        catch (AuthenticationTagMismatchException)
        {
            try
            {
                _aes.Decrypt(ChunkedAeadWriter.ChunkNonce(_index, true), sealedChunk.AsSpan(0, length), sealedChunk.AsSpan(length), plain, associatedData);
                final = true;
            }
            catch (AuthenticationTagMismatchException)
            {
                throw new InvalidDataException("The backup file is damaged or was altered, or the key does not match it.");
            }
        }

        if (final && inner.ReadByte() != -1)
        {
            throw new InvalidDataException("The backup file has data after its end.");
        }

        _index++;
        _plain = plain;
        _position = 0;
        _sawFinal = final;
    }

    private bool TryReadFull(Span<byte> target)
    {
        var read = 0;
        while (read < target.Length)
        {
            var n = inner.Read(target[read..]);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _aes.Dispose();
        }

        base.Dispose(disposing);
    }
}
