using System.Buffers.Binary;

namespace ActorMlp.Cluster.Links;

/// <summary>
/// Weights16 and Subtree16 carry bfloat16 values (2 bytes each) instead of floats. Timing follows a
/// worker's subtrees of a step: how it spent the step (<see cref="StepTiming"/>), its Length in bytes.
/// </summary>
internal enum FrameKind : byte { Hello = 0, Weights = 1, Subtree = 2, Weights16 = 3, Subtree16 = 4, Timing = 5 }

/// <summary>
/// The 32-byte header of a tensor frame, little-endian: magic "AMT" and the protocol version, kind, tree level (3 bytes), tree
/// index, step, run token, payload length (floats; bytes of the worker id for Hello). The payload
/// follows as raw little-endian floats, read straight into the buffer that will use them.
/// A weights frame uses level and index for the leaves it comes with: [Index, Index + Level), the
/// step's assignment riding with its weights so the worker can start without waiting for the
/// control plane; Level 0 gives none.
/// </summary>
internal readonly record struct FrameHeader(FrameKind Kind, int Level, int Index, long Step, long RunToken, int Length)
{
    public const int Size = 32;

    /// <summary>
    /// Bumped whenever a frame's layout or meaning changes, so that nodes of different releases refuse
    /// each other at the hello with a sentence, instead of misreading each other's frames.
    /// Version 2 added the Timing frame.
    /// </summary>
    public const byte Version = 2;

    public void Write(Span<byte> b)
    {
        WireVersion.Write(b, "AMT"u8, Version);
        b[4] = (byte)Kind;
        if ((uint)Level > 0xFFFFFF) throw new ArgumentOutOfRangeException(nameof(Level), "a frame's level field holds 24 bits");
        b[5] = (byte)Level;
        b[6] = (byte)(Level >> 8);
        b[7] = (byte)(Level >> 16);
        BinaryPrimitives.WriteInt32LittleEndian(b[8..], Index);
        BinaryPrimitives.WriteInt64LittleEndian(b[12..], Step);
        BinaryPrimitives.WriteInt64LittleEndian(b[20..], RunToken);
        BinaryPrimitives.WriteInt32LittleEndian(b[28..], Length);
    }

    /// <summary>Reads a header; throws <see cref="InvalidDataException"/> on a wrong magic or kind.</summary>
    public static FrameHeader Read(ReadOnlySpan<byte> b)
    {
        WireVersion.Check(b, "AMT"u8, Version, "tensor");
        var kind = (FrameKind)b[4];
        if (!Enum.IsDefined(kind)) throw new InvalidDataException($"tensor frame of unknown kind {b[4]}");
        var header = new FrameHeader(kind, b[5] | b[6] << 8 | b[7] << 16, BinaryPrimitives.ReadInt32LittleEndian(b[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(b[12..]), BinaryPrimitives.ReadInt64LittleEndian(b[20..]),
            BinaryPrimitives.ReadInt32LittleEndian(b[28..]));
        if (header.Length < 0) throw new InvalidDataException("tensor frame with a negative length");
        return header;
    }
}
