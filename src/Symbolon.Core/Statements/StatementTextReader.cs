using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Symbolon.Core.Statements;

/// <summary>
/// Decodes a statement's bytes to text as they stream in, in the encoding its mapping names, without holding more
/// than one buffer of the file. A UTF-8 or UTF-16 byte-order mark wins over the name. "auto" reads ASCII as it
/// comes (it is the same in every encoding offered) and decides at the first other byte: UTF-8 when that byte
/// starts a valid UTF-8 sequence, Windows-1252 (the usual encoding of older European bank exports) otherwise.
/// A file read as UTF-8 that stops being valid UTF-8 is refused with the line of the first bad byte, not garbled.
/// </summary>
internal sealed class StatementTextReader : TextReader
{
    private const int BufferBytes = 64 * 1024;

    private readonly Stream _stream;
    private readonly byte[] _bytes = new byte[BufferBytes];
    private int _start;
    private int _end;
    private bool _eof;
    private bool _started;
    private Mode _mode;
    private Decoder? _decoder;
    private long _newlines;
    private int _pending = -1;

    static StatementTextReader() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public StatementTextReader(Stream stream, string encoding)
    {
        _stream = stream;
        switch (encoding.ToLowerInvariant())
        {
            case "auto":
                _mode = Mode.Undecided;
                break;
            case "utf-8" or "utf8":
                _mode = Mode.Utf8;
                break;
            case "windows-1252" or "cp1252":
                Use(Encoding.GetEncoding(1252));
                break;
            default:
                Use(Encoding.Latin1);
                break;
        }
    }

    private enum Mode
    {
        Undecided,
        Utf8,
        Decoder,
    }

    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    public override int Read(Span<char> buffer)
    {
        while (true)
        {
            if (TryDecode(buffer, out var n))
            {
                return n;
            }

            Compact();
            Filled(_stream.Read(_bytes, _end, _bytes.Length - _end));
        }
    }

    public override Task<int> ReadAsync(char[] buffer, int index, int count) => ReadAsync(buffer.AsMemory(index, count)).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (TryDecode(buffer.Span, out var n))
            {
                return n;
            }

            Compact();
            Filled(await _stream.ReadAsync(_bytes.AsMemory(_end), cancellationToken));
        }
    }

    public override int Peek() => throw new NotSupportedException();

    public override int Read()
    {
        Span<char> one = stackalloc char[1];
        return Read(one) == 0 ? -1 : one[0];
    }

    /// <summary>Decodes what the buffer holds into <paramref name="chars"/>; false when more bytes are needed first.</summary>
    private bool TryDecode(Span<char> chars, out int written)
    {
        written = 0;
        if (chars.IsEmpty)
        {
            return true;
        }

        if (_pending >= 0)
        {
            chars[0] = (char)_pending;
            _pending = -1;
            written = 1;
            return true;
        }

        if (chars.Length == 1)
        {
            // A character outside the BMP is two UTF-16 units: decode a pair and keep the second for the next read.
            Span<char> pair = stackalloc char[2];
            if (!TryDecode(pair, out written))
            {
                return false;
            }

            if (written > 0)
            {
                chars[0] = pair[0];
                _pending = written == 2 ? pair[1] : -1;
                written = 1;
            }

            return true;
        }

        if (!_started)
        {
            if (!_eof && _end - _start < 3)
            {
                return false;
            }

            _started = true;
            SkipByteOrderMark();
        }

        var bytes = _bytes.AsSpan(_start, _end - _start);
        if (bytes.IsEmpty)
        {
            return _eof;
        }

        if (_mode == Mode.Undecided)
        {
            var ascii = bytes.IndexOfAnyExceptInRange((byte)0, (byte)0x7F);
            if (ascii != 0)
            {
                var n = Math.Min(ascii < 0 ? bytes.Length : ascii, chars.Length);
                Ascii.ToUtf16(bytes[..n], chars, out written);
                return Handed(chars, written, written);
            }

            var status = Rune.DecodeFromUtf8(bytes, out _, out _);
            if (status == OperationStatus.NeedMoreData && !_eof)
            {
                return false;
            }

            if (status == OperationStatus.Done)
            {
                _mode = Mode.Utf8;
            }
            else
            {
                Use(Encoding.GetEncoding(1252));
            }
        }

        if (_mode == Mode.Utf8)
        {
            var status = Utf8.ToUtf16(bytes, chars, out var read, out written, replaceInvalidSequences: false, isFinalBlock: _eof);
            if (status == OperationStatus.InvalidData && written == 0)
            {
                throw new StatementException($"line {_newlines + 1}", "the file is not valid UTF-8; choose Windows-1252 or ISO-8859-1 as its encoding.");
            }

            return Handed(chars, read, written) || (status == OperationStatus.NeedMoreData && _eof);
        }

        _decoder!.Convert(bytes, chars, _eof, out var used, out written, out _);
        return Handed(chars, used, written) || (_eof && used == bytes.Length);
    }

    private bool Handed(Span<char> chars, int bytesUsed, int written)
    {
        _start += bytesUsed;
        _newlines += chars[..written].Count('\n');
        return written > 0;
    }

    private void Use(Encoding encoding)
    {
        _mode = Mode.Decoder;
        _decoder = encoding.GetDecoder();
    }

    private void SkipByteOrderMark()
    {
        var bytes = _bytes.AsSpan(_start, _end - _start);
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            _start += 3;
            _mode = Mode.Utf8;
        }
        else if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            _start += 2;
            Use(new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true));
        }
        else if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            _start += 2;
            Use(new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true));
        }
    }

    private void Compact()
    {
        if (_eof)
        {
            throw new InvalidOperationException("The decoder asked for more bytes at the end of the file.");
        }

        if (_start > 0)
        {
            _bytes.AsSpan(_start, _end - _start).CopyTo(_bytes);
            _end -= _start;
            _start = 0;
        }
    }

    private void Filled(int n)
    {
        _end += n;
        _eof = n == 0;
    }
}
