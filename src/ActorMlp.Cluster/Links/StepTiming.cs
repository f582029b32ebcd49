using System.Buffers.Binary;
using System.Diagnostics;

namespace ActorMlp.Cluster.Links;

/// <summary>
/// How a worker spent a step, in microseconds of its own clock, sent after the step's subtrees in a
/// Timing frame. Durations only: worker and coordinator clocks differ, so the coordinator places them
/// on its own timeline, ending the subtrees' sending when the frame arrives. Received: reading the
/// weights off the link; Queued: from then to the first compute; Compute and Sent: computing the
/// subtrees and writing them (interleaved node by node, added up each); Wait: from the end of the
/// worker's previous step to the first compute of this one — the time it had nothing to do.
/// </summary>
internal readonly record struct StepTiming(long Received, long Queued, long Compute, long Sent, long Wait)
{
    /// <summary>Payload bytes of a Timing frame (its Length field counts them).</summary>
    public const int Size = 5 * sizeof(long);

    public void Write(Span<byte> b)
    {
        BinaryPrimitives.WriteInt64LittleEndian(b, Received);
        BinaryPrimitives.WriteInt64LittleEndian(b[8..], Queued);
        BinaryPrimitives.WriteInt64LittleEndian(b[16..], Compute);
        BinaryPrimitives.WriteInt64LittleEndian(b[24..], Sent);
        BinaryPrimitives.WriteInt64LittleEndian(b[32..], Wait);
    }

    /// <summary>Reads a payload; throws <see cref="InvalidDataException"/> on a negative duration.</summary>
    public static StepTiming Read(ReadOnlySpan<byte> b)
    {
        var t = new StepTiming(BinaryPrimitives.ReadInt64LittleEndian(b), BinaryPrimitives.ReadInt64LittleEndian(b[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(b[16..]), BinaryPrimitives.ReadInt64LittleEndian(b[24..]),
            BinaryPrimitives.ReadInt64LittleEndian(b[32..]));
        if (t.Received < 0 || t.Queued < 0 || t.Compute < 0 || t.Sent < 0 || t.Wait < 0)
            throw new InvalidDataException("timing frame with a negative duration");
        return t;
    }

    public static long Micros(long fromTimestamp, long toTimestamp)
        => toTimestamp <= fromTimestamp ? 0 : (toTimestamp - fromTimestamp) * 1_000_000 / Stopwatch.Frequency;
}
