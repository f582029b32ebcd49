using System.Buffers.Binary;

namespace ActorMlp.Cluster.Links;

/// <summary>
/// Hello: the sender's id (UTF-8 bytes). Piece: slice Slice of tree node (Level, Index) of step
/// Step, as floats, to that slice's owner; Piece16 the same in bfloat16 but for its last Tail values
/// (a run whose tree holds the gradient in bfloat16, <see cref="Core.Determinism.GradientPrecision"/>,
/// so narrowing loses nothing). Reduced / Reduced16: the owner's reduced slice, as
/// floats or as bfloat16 but for its last Tail values (the batch's loss sum and correct count, in
/// the last slice), which stay floats: a count past 256 does not survive bfloat16. State: a trainer state (<see cref="Core.Training.TrainerState"/>) as bytes.
/// To the coordinator: Applied, step Step is applied (two floats: the batch's loss sum and correct
/// count); Paused, the replica has stopped for view View at step Step (Index 1), or holds no state
/// (Index 0). They share the worker's one connection with its states, so the coordinator reads a
/// worker's reports in the order they were made.
/// </summary>
internal enum PeerFrameKind : byte { Hello = 1, Piece = 2, Reduced = 3, Reduced16 = 4, State = 5, Applied = 6, Paused = 7, Piece16 = 8 }

/// <summary>
/// The 40-byte header of a frame between the nodes of a peer-to-peer run, little-endian: magic
/// "AMP" and the protocol version (<see cref="FrameHeader.Version"/>), kind, tree level, tail, a spare byte, tree index, slice, view, step, run token, payload
/// length (floats, bfloat16 values or bytes by kind). The view ties a frame to the membership it
/// was sent under: slice boundaries and owners change with it.
/// </summary>
internal readonly record struct PeerFrameHeader(PeerFrameKind Kind, int Level, int Index, int Slice, int View, long Step, long RunToken, int Length, int Tail = 0)
{
    public const int Size = 40;

    public void Write(Span<byte> b)
    {
        if ((uint)Level > 255) throw new ArgumentOutOfRangeException(nameof(Level), "a tree level fits a byte");
        if ((uint)Tail > 255) throw new ArgumentOutOfRangeException(nameof(Tail), "a tail fits a byte");
        WireVersion.Write(b, "AMP"u8, FrameHeader.Version);
        b[4] = (byte)Kind;
        b[5] = (byte)Level;
        b[6] = (byte)Tail;
        b[7] = 0;
        BinaryPrimitives.WriteInt32LittleEndian(b[8..], Index);
        BinaryPrimitives.WriteInt32LittleEndian(b[12..], Slice);
        BinaryPrimitives.WriteInt32LittleEndian(b[16..], View);
        BinaryPrimitives.WriteInt64LittleEndian(b[20..], Step);
        BinaryPrimitives.WriteInt64LittleEndian(b[28..], RunToken);
        BinaryPrimitives.WriteInt32LittleEndian(b[36..], Length);
    }

    /// <summary>Reads a header; throws <see cref="InvalidDataException"/> on a wrong magic, kind or a negative field.</summary>
    public static PeerFrameHeader Read(ReadOnlySpan<byte> b)
    {
        WireVersion.Check(b, "AMP"u8, FrameHeader.Version, "peer");
        var kind = (PeerFrameKind)b[4];
        if (!Enum.IsDefined(kind)) throw new InvalidDataException($"peer frame of unknown kind {b[4]}");
        var h = new PeerFrameHeader(kind, b[5], BinaryPrimitives.ReadInt32LittleEndian(b[8..]), BinaryPrimitives.ReadInt32LittleEndian(b[12..]),
            BinaryPrimitives.ReadInt32LittleEndian(b[16..]), BinaryPrimitives.ReadInt64LittleEndian(b[20..]),
            BinaryPrimitives.ReadInt64LittleEndian(b[28..]), BinaryPrimitives.ReadInt32LittleEndian(b[36..]), b[6]);
        if (h.Length < 0 || h.Index < 0 || h.Slice < 0 || h.View < 0 || h.Step < 0) throw new InvalidDataException("peer frame with a negative field");
        if (h.Tail > h.Length) throw new InvalidDataException($"peer frame with a tail of {h.Tail} values in {h.Length}");
        return h;
    }
}
