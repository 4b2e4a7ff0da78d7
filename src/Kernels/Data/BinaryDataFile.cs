using System.IO.Compression;

namespace DistTrain.Kernels.Data;

/// <summary>
/// Reads a binary data file, raw or gzip (detected by the magic bytes 1F 8B), tracking the
/// offset into the (decompressed) bytes so that every error can name it. Raw files are
/// checked against the length their header implies before anything is allocated; gzip
/// files are read in growing chunks, so that what is allocated is bounded by the bytes that
/// really decompress, never by what a header claims.
/// </summary>
internal sealed class BinaryDataFile : IDisposable
{
    private const int GrowChunk = 1 << 16;
    private readonly FileStream _file;
    private readonly Stream _stream;

    private BinaryDataFile(string path, FileStream file, bool isGzip)
    {
        FilePath = path;
        _file = file;
        IsGzip = isGzip;
        _stream = isGzip ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    /// <summary>The file's path, as given.</summary>
    public string FilePath { get; }

    /// <summary>Whether the file is gzip-compressed.</summary>
    public bool IsGzip { get; }

    /// <summary>The file's length for a raw file; null for gzip, whose decompressed length is unknown until read.</summary>
    public long? RawLength => IsGzip ? null : _file.Length;

    /// <summary>Offset of the next byte in the (decompressed) data.</summary>
    public long Position { get; private set; }

    /// <summary>Opens <paramref name="path"/>; a missing file gives <see cref="FileNotFoundException"/>.</summary>
    public static BinaryDataFile Open(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        try
        {
            Span<byte> magic = stackalloc byte[2];
            int got = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
            file.Position = 0;
            return new BinaryDataFile(path, file, got == 2 && magic[0] == 0x1F && magic[1] == 0x8B);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Reads exactly <c>buffer.Length</c> bytes or throws naming <paramref name="what"/>.</summary>
    public void ReadExactly(Span<byte> buffer, string what)
    {
        long start = Position;
        int got = ReadSome(buffer);
        if (got < buffer.Length)
        {
            throw new DataFormatException(FilePath, start + got,
                $"the file ends inside {what} ({buffer.Length} bytes expected from offset {start}, {got} present)");
        }
    }

    /// <summary>
    /// For a raw file, checks that exactly <paramref name="count"/> bytes remain after the
    /// current position (the length the header implies). Gzip files are checked while reading.
    /// </summary>
    public void RequireRemaining(long count, string what)
    {
        if (IsGzip)
        {
            return;
        }

        long end = Position + count;
        if (_file.Length < end)
        {
            throw new DataFormatException(FilePath, _file.Length,
                $"the file is truncated: it is {_file.Length} bytes but its header implies {end} bytes ({what})");
        }

        if (_file.Length > end)
        {
            throw new DataFormatException(FilePath, end,
                $"{_file.Length - end} unexpected bytes after the end of {what} (the header implies {end} bytes)");
        }
    }

    /// <summary>
    /// Reads the remaining <paramref name="count"/> bytes (the data the header promised) and
    /// checks that nothing follows them.
    /// </summary>
    public byte[] ReadPayload(int count, string what)
    {
        RequireRemaining(count, what);
        byte[] buffer;
        if (!IsGzip)
        {
            buffer = new byte[count];
            ReadExactly(buffer, what);
        }
        else
        {
            buffer = ReadGrowing(count, what);
        }

        RequireEnd(what);
        return buffer;
    }

    /// <summary>
    /// Reads everything up to the end of the data, failing once more than
    /// <paramref name="maxBytes"/> bytes have been read (for formats without a header).
    /// </summary>
    public byte[] ReadToEnd(long maxBytes, string what)
    {
        if (!IsGzip)
        {
            long remaining = _file.Length - Position;
            if (remaining > maxBytes)
            {
                throw new DataFormatException(FilePath, Position + maxBytes,
                    $"{what} is {remaining} bytes, more than the limit of {maxBytes} bytes");
            }

            var all = new byte[remaining];
            ReadExactly(all, what);
            return all;
        }

        int limit = (int)Math.Min(maxBytes, Array.MaxLength - 1);
        byte[] buffer = ReadGrowing(limit + 1, what, allowShort: true, out int filled);
        if (filled > limit)
        {
            throw new DataFormatException(FilePath, Position - 1,
                $"{what} decompresses to more than the limit of {maxBytes} bytes");
        }

        return filled == buffer.Length ? buffer : buffer[..filled];
    }

    /// <summary>Throws when any byte remains after the data.</summary>
    public void RequireEnd(string what)
    {
        Span<byte> probe = stackalloc byte[1];
        long end = Position;
        if (ReadSome(probe) != 0)
        {
            throw new DataFormatException(FilePath, end, $"unexpected bytes after the end of {what}");
        }
    }

    public void Dispose()
    {
        _stream.Dispose();
        _file.Dispose();
    }

    private byte[] ReadGrowing(int count, string what) => ReadGrowing(count, what, allowShort: false, out _);

    /// <summary>Reads up to <paramref name="count"/> bytes into a buffer that doubles as data arrives.</summary>
    private byte[] ReadGrowing(int count, string what, bool allowShort, out int filled)
    {
        long start = Position;
        var buffer = new byte[Math.Min(count, GrowChunk)];
        filled = 0;
        while (filled < count)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min(count, 2L * buffer.Length));
            }

            int got = ReadSome(buffer.AsSpan(filled));
            if (got == 0)
            {
                if (allowShort)
                {
                    return buffer;
                }

                throw new DataFormatException(FilePath, start + filled,
                    $"the file is truncated: it ends inside {what} ({count} bytes expected from offset {start}, {filled} present)");
            }

            filled += got;
        }

        return buffer;
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the data ends; gzip corruption becomes a <see cref="DataFormatException"/>.</summary>
    private int ReadSome(Span<byte> buffer)
    {
        int total = 0;
        try
        {
            while (total < buffer.Length)
            {
                int got = _stream.Read(buffer[total..]);
                if (got == 0)
                {
                    break;
                }

                total += got;
                Position += got;
            }
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(FilePath, Position, $"the gzip data is corrupt ({e.Message})", e);
        }

        return total;
    }
}
