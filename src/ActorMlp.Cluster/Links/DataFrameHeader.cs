using System.Buffers.Binary;

namespace ActorMlp.Cluster.Links;

/// <summary>
/// Request: a worker asks for the run's data pack from byte Offset on (0, or what its partial copy
/// holds). Chunk: Length bytes of the pack at Offset follow. Refused: Length bytes of a UTF-8 reason follow.
/// </summary>
internal enum DataFrameKind : byte { Request = 1, Chunk = 2, Refused = 3 }

/// <summary>
/// The 32-byte header of a data-pack frame on a tensor endpoint, little-endian: magic "AMD" and the
/// protocol version (<see cref="FrameHeader.Version"/>), kind, three spare bytes, offset, run token,
/// payload length in bytes, four spare bytes. A connection that opens with a Request is a transfer,
/// not a worker's tensor link: the endpoint answers it with the pack's bytes from Offset to the end
/// in Chunk frames, written back to back (the client never acknowledges), then closes it.
/// </summary>
internal readonly record struct DataFrameHeader(DataFrameKind Kind, long Offset, long RunToken, int Length)
{
    public const int Size = 32;

    /// <summary>Bytes of pack per Chunk frame: big, so the headers cost nothing, and a multiple of a file system's block.</summary>
    public const int ChunkBytes = 1 << 20;

    static ReadOnlySpan<byte> Magic => "AMD"u8;

    /// <summary>Whether a connection's first four bytes open a data-pack request rather than a tensor link's hello.</summary>
    public static bool Opens(ReadOnlySpan<byte> first4) => first4[..3].SequenceEqual(Magic);

    public void Write(Span<byte> b)
    {
        WireVersion.Write(b, Magic, FrameHeader.Version);
        b[4] = (byte)Kind;
        b[5] = b[6] = b[7] = 0;
        BinaryPrimitives.WriteInt64LittleEndian(b[8..], Offset);
        BinaryPrimitives.WriteInt64LittleEndian(b[16..], RunToken);
        BinaryPrimitives.WriteInt32LittleEndian(b[24..], Length);
        BinaryPrimitives.WriteInt32LittleEndian(b[28..], 0);
    }

    /// <summary>Reads a header; throws <see cref="InvalidDataException"/> on a wrong magic, version, kind or a negative field.</summary>
    public static DataFrameHeader Read(ReadOnlySpan<byte> b)
    {
        WireVersion.Check(b, Magic, FrameHeader.Version, "data");
        var kind = (DataFrameKind)b[4];
        if (!Enum.IsDefined(kind)) throw new InvalidDataException($"data frame of unknown kind {b[4]}");
        var h = new DataFrameHeader(kind, BinaryPrimitives.ReadInt64LittleEndian(b[8..]), BinaryPrimitives.ReadInt64LittleEndian(b[16..]),
            BinaryPrimitives.ReadInt32LittleEndian(b[24..]));
        if (h.Offset < 0 || h.Length < 0) throw new InvalidDataException("data frame with a negative field");
        return h;
    }
}
