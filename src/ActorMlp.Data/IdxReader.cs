using System.Buffers.Binary;
using System.IO.Compression;

namespace ActorMlp.Data;

/// <summary>
/// Reads the IDX format of MNIST and Fashion-MNIST, gzip-compressed or raw (told apart by the
/// gzip magic bytes): a big-endian header (0, 0, type 0x08 = unsigned byte, dimension count,
/// then one 32-bit size per dimension) followed by the values.
/// </summary>
internal static class IdxReader
{
    public sealed record Images(int Count, int Rows, int Columns, byte[] Pixels)
    {
        public int Features => Rows * Columns;
    }

    public static Images ReadImages(string path) => ReadImages(ReadFile(path), path);

    /// <summary>An IDX image file's bytes (gzip or not) as read from <paramref name="path"/>, which error messages name.</summary>
    public static Images ReadImages(byte[] file, string path)
    {
        var bytes = Unzip(file, path);
        var dims = Header(path, bytes, expectedDims: 3, "image");
        long count = dims[0], rows = dims[1], cols = dims[2];
        long expected = count * rows * cols;
        long actual = bytes.Length - 16;
        if (actual != expected)
            throw new DataException($"{path} is {(actual < expected ? "truncated" : "longer than its header says")}: the header promises {count} images of {rows}×{cols} ({expected} bytes), the file holds {actual}");
        if (rows * cols == 0) throw new DataException($"{path} holds images of {rows}×{cols} pixels");
        return new Images((int)count, (int)rows, (int)cols, bytes.AsSpan(16).ToArray());
    }

    public static byte[] ReadLabels(string path) => ReadLabels(ReadFile(path), path);

    /// <summary>An IDX label file's bytes (gzip or not) as read from <paramref name="path"/>, which error messages name.</summary>
    public static byte[] ReadLabels(byte[] file, string path)
    {
        var bytes = Unzip(file, path);
        var dims = Header(path, bytes, expectedDims: 1, "label");
        long count = dims[0], actual = bytes.Length - 8;
        if (actual != count)
            throw new DataException($"{path} is {(actual < count ? "truncated" : "longer than its header says")}: the header promises {count} labels, the file holds {actual}");
        return bytes.AsSpan(8).ToArray();
    }

    static int[] Header(string path, byte[] bytes, int expectedDims, string what)
    {
        int headerLength = 4 + 4 * expectedDims;
        uint expectedMagic = 0x0800u | (uint)expectedDims;
        if (bytes.Length < 4)
            throw new DataException($"{path} is too short to be an IDX {what} file ({bytes.Length} bytes)");
        uint magic = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        if (magic != expectedMagic)
            throw new DataException($"{path} is not an IDX {what} file: magic number 0x{magic:X8}, expected 0x{expectedMagic:X8}");
        if (bytes.Length < headerLength)
            throw new DataException($"{path} is truncated inside its IDX header");
        var dims = new int[expectedDims];
        for (int d = 0; d < expectedDims; d++)
        {
            dims[d] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * d));
            if (dims[d] < 0) throw new DataException($"{path} has a negative size {dims[d]} in its IDX header");
        }
        return dims;
    }

    /// <summary>The most an IDX file may hold once unzipped: a small gzip file cannot make the reader allocate without bound.</summary>
    public const long MaxBytes = 1L << 30;

    static byte[] ReadFile(string path)
    {
        try { return File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OutOfMemoryException)
        {
            throw new DataException($"cannot read {path}: {e.Message}", e);
        }
    }

    static byte[] Unzip(byte[] raw, string path)
    {
        if (raw.Length < 2 || raw[0] != 0x1F || raw[1] != 0x8B) return raw;
        try
        {
            using var gzip = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            using var output = new MemoryStream();
            var buffer = new byte[81920];
            int n;
            while ((n = gzip.Read(buffer)) > 0)
            {
                if (output.Length + n > MaxBytes) throw new DataException($"{path} unzips to more than {MaxBytes >> 20} MiB, more than an IDX file of ActorMlp may hold");
                output.Write(buffer, 0, n);
            }
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new DataException($"{path} is not a valid gzip file: {e.Message}", e);
        }
    }
}
