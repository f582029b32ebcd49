using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace ActorMlp.Data;

/// <summary>
/// The training part of a data set as one self-checking block of bytes, for a node that has no copy
/// of the data: the part in its raw form (image bytes stay bytes, a table's floats stay floats), its
/// transforms (fitted on the whole training part, so they cannot be refitted from a subset) and the
/// fingerprint of the data set it came from, which the node then names when it registers.
/// Layout, little-endian: magic "AMLPPACK", version (4 bytes), total length (8 bytes), the body,
/// and the SHA-256 of everything before it (32 bytes), which is also the pack's name on the wire.
/// </summary>
internal sealed record DataPack(string Name, string Fingerprint, Dataset Train)
{
    public const int Version = 1;
    const int HeaderSize = 20, HashSize = 32;
    static ReadOnlySpan<byte> Magic => "AMLPPACK"u8;
    enum PartKind : byte { Image = 1, Table = 2 }

    /// <summary>The pack of <paramref name="data"/>'s training part, fingerprinted as the whole data set.</summary>
    public static byte[] Write(DataSplit data) => Write(data.Name, data.Fingerprint(), data.Train);

    public static byte[] Write(string name, string fingerprint, Dataset train)
    {
        var body = new MemoryStream();
        using (var w = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(name);
            w.Write(fingerprint);
            w.Write((byte)train.Task);
            w.Write(train.Count);
            w.Write(train.Features);
            w.Write(train.TargetWidth);
            WriteTransform(w, train.Transform);
            w.Write(train.TargetTransform is not null);
            if (train.TargetTransform is { } t) WriteTransform(w, t);
            switch (train)
            {
                case ImageDataset image:
                    w.Write((byte)PartKind.Image);
                    w.Write(image.Source);
                    w.Write(image.Pixels);
                    w.Write(image.Labels);
                    break;
                case TableDataset table:
                    w.Write((byte)PartKind.Table);
                    w.Write(table.Source);
                    w.Write(MemoryMarshal.AsBytes(table.RawFeatures));
                    w.Write(MemoryMarshal.AsBytes(table.RawTargets));
                    w.Write(MemoryMarshal.AsBytes(table.Lines.AsSpan()));
                    break;
                default: throw new ArgumentException($"a {train.GetType().Name} has no data pack form");
            }
        }
        long total = HeaderSize + body.Length + HashSize;
        var pack = new byte[total];
        Magic.CopyTo(pack);
        BinaryPrimitives.WriteInt32LittleEndian(pack.AsSpan(8), Version);
        BinaryPrimitives.WriteInt64LittleEndian(pack.AsSpan(12), total);
        body.GetBuffer().AsSpan(0, (int)body.Length).CopyTo(pack.AsSpan(HeaderSize));
        SHA256.HashData(pack.AsSpan(0, (int)total - HashSize), pack.AsSpan((int)total - HashSize));
        return pack;
    }

    /// <summary>The SHA-256 a pack ends with, as lower-case hex: what a node fetching it checks its copy against.</summary>
    public static string HashOf(ReadOnlySpan<byte> pack) => pack.Length < HashSize ? "" : Convert.ToHexStringLower(pack[^HashSize..]);

    /// <summary>Bytes at the start of a pack that its SHA-256 covers: all but the hash itself.</summary>
    public static long HashedLength(long packLength) => Math.Max(0, packLength - HashSize);

    /// <summary>
    /// Null when <paramref name="pack"/> is whole and intact, else why not (cut short, too long, or bytes
    /// that do not match its SHA-256), as a sentence about <paramref name="source"/>. A reader that hashed
    /// the bytes as they came passes that hash (<paramref name="hashed"/>), saving a second pass over them.
    /// </summary>
    public static string? Problem(ReadOnlySpan<byte> pack, string source, ReadOnlySpan<byte> hashed = default)
    {
        string name = Excerpt.Of(source, Excerpt.Name);
        if (pack.Length < HeaderSize || !pack[..Magic.Length].SequenceEqual(Magic))
            return pack.Length < Magic.Length && Magic.StartsWith(pack) ? $"data pack {name} is cut short: {pack.Length} bytes"
                : $"{name} is not an ActorMlp data pack";
        int version = BinaryPrimitives.ReadInt32LittleEndian(pack[8..]);
        if (version != Version) return $"data pack {name} has format version {version}; this program reads version {Version}";
        long total = BinaryPrimitives.ReadInt64LittleEndian(pack[12..]);
        if (pack.Length < total) return $"data pack {name} is cut short: {pack.Length} of its {total} bytes";
        if (pack.Length > total) return $"data pack {name} has {pack.Length} bytes where its header says {total}";
        if (total < HeaderSize + HashSize) return $"data pack {name} declares {total} bytes, too few for a pack";
        Span<byte> hash = stackalloc byte[HashSize];
        if (hashed.Length == HashSize) hashed.CopyTo(hash);
        else SHA256.HashData(pack[..^HashSize], hash);
        return hash.SequenceEqual(pack[^HashSize..]) ? null : $"data pack {name} is corrupt: its bytes do not match its SHA-256";
    }

    /// <summary>
    /// Reads a pack, throwing a <see cref="DataException"/> naming <paramref name="source"/> when it is not
    /// whole and intact; <paramref name="checkedAlready"/> when the caller has just had <see cref="Problem"/> say null.
    /// </summary>
    public static DataPack Read(byte[] pack, string source, bool checkedAlready = false)
    {
        if (!checkedAlready && Problem(pack, source) is { } problem) throw new DataException(problem);
        string name = Excerpt.Of(source, Excerpt.Name);
        try
        {
            using var r = new BinaryReader(new MemoryStream(pack, HeaderSize, pack.Length - HeaderSize - HashSize, writable: false), Encoding.UTF8);
            string setName = r.ReadString();
            string fingerprint = r.ReadString();
            var task = (TaskKind)r.ReadByte();
            if (!Enum.IsDefined(task)) throw new InvalidDataException($"task {(int)task}");
            int count = r.ReadInt32(), features = r.ReadInt32(), targetWidth = r.ReadInt32();
            if (count < 0 || features < 0 || targetWidth < 0) throw new InvalidDataException("a negative size");
            var transform = ReadTransform(r, features);
            var targetTransform = r.ReadBoolean() ? ReadTransform(r, targetWidth) : null;
            var kind = (PartKind)r.ReadByte();
            string partSource = r.ReadString();
            Dataset train = kind switch
            {
                PartKind.Image => new ImageDataset(ReadBytes(r, (long)count * features), ReadBytes(r, count), features, partSource, transform),
                PartKind.Table => new TableDataset(ReadArray<float>(r, (long)count * features), features, ReadArray<float>(r, (long)count * targetWidth), targetWidth,
                    ReadArray<int>(r, count), partSource, task, transform, targetTransform),
                _ => throw new InvalidDataException($"part kind {(int)kind}"),
            };
            if (r.BaseStream.Position != r.BaseStream.Length) throw new InvalidDataException($"{r.BaseStream.Length - r.BaseStream.Position} bytes after the part");
            return new DataPack(setName, fingerprint, train);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or ArgumentException or IOException)
        {
            // Its SHA-256 matched: the pack was written wrongly, not damaged on the way.
            throw new DataException($"data pack {name} is intact but not readable by this program ({e.Message})", e);
        }
    }

    static void WriteTransform(BinaryWriter w, FeatureTransform t)
    {
        w.Write(t.Width);
        w.Write(MemoryMarshal.AsBytes(t.Shift.AsSpan()));
        w.Write(MemoryMarshal.AsBytes(t.Scale.AsSpan()));
    }

    static FeatureTransform ReadTransform(BinaryReader r, int width)
    {
        int n = r.ReadInt32();
        if (n != width) throw new InvalidDataException($"a transform of {n} columns for {width}");
        return new FeatureTransform(ReadArray<float>(r, n), ReadArray<float>(r, n));
    }

    static byte[] ReadBytes(BinaryReader r, long length) => ReadArray<byte>(r, length);

    static T[] ReadArray<T>(BinaryReader r, long length) where T : unmanaged
    {
        long bytes = length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        if (bytes > r.BaseStream.Length - r.BaseStream.Position) throw new EndOfStreamException($"{bytes} bytes of values where fewer are left");
        var values = new T[length];
        r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }
}
