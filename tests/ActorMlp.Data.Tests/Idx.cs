using System.Buffers.Binary;
using System.IO.Compression;

namespace ActorMlp.Data.Tests;

/// <summary>Builds IDX files (the MNIST format) for tests, raw or gzip-compressed.</summary>
public static class Idx
{
    public static byte[] Images(int count, int rows, int columns, byte[] pixels)
    {
        var bytes = new byte[16 + pixels.Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, 0x0803);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), columns);
        pixels.CopyTo(bytes, 16);
        return bytes;
    }

    public static byte[] Labels(byte[] labels)
    {
        var bytes = new byte[8 + labels.Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, 0x0801);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), labels.Length);
        labels.CopyTo(bytes, 8);
        return bytes;
    }

    public static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest)) gzip.Write(bytes);
        return output.ToArray();
    }

    /// <summary>Pixels 0, 1, 2, … (mod 256) for count images of rows×columns.</summary>
    public static byte[] Ramp(int count, int rows, int columns, int start = 0)
        => Enumerable.Range(start, count * rows * columns).Select(i => (byte)(i * 7 % 256)).ToArray();

    public static readonly string[] Names = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>Writes a complete IDX set into folder: 6 train and 4 test images of 2×3 pixels, labels 0..2.</summary>
    public static void WriteSet(string folder, bool gzip, int trainCount = 6, int testCount = 4)
    {
        Directory.CreateDirectory(folder);
        byte[][] files =
        [
            Images(trainCount, 2, 3, Ramp(trainCount, 2, 3)),
            Labels(Enumerable.Range(0, trainCount).Select(i => (byte)(i % 3)).ToArray()),
            Images(testCount, 2, 3, Ramp(testCount, 2, 3, start: 100)),
            Labels(Enumerable.Range(0, testCount).Select(i => (byte)((i + 1) % 3)).ToArray()),
        ];
        for (int i = 0; i < files.Length; i++)
            File.WriteAllBytes(Path.Combine(folder, Names[i] + (gzip ? ".gz" : "")), gzip ? Gzip(files[i]) : files[i]);
    }
}
