using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace ActorMlp.Core.Training;

/// <summary>
/// A trainer at a step boundary — position, the epoch's running metrics, weights and optimizer
/// state — as one byte block: what a peer hands a worker that joins or fell a step behind, and what
/// a worker hands the coordinator to evaluate and checkpoint. Floats travel as raw little-endian
/// bytes, so a restored trainer continues with exactly the bits of the one captured.
/// </summary>
internal sealed record TrainerState(long Step, double EpochLoss, double EpochCorrect, long OptimizerSteps, float[] Parameters, float[][] OptimizerState)
{
    const uint Magic = 0x53544D41; // "AMTS"
    const int HeaderBytes = 4 + 8 + 8 + 8 + 8 + 4 + 4;

    public static TrainerState Capture(Trainer t) => new(t.Step, t.EpochLoss, t.EpochCorrect, t.Optimizer.Steps,
        (float[])t.Parameters.Clone(), t.Optimizer.State.Select(s => (float[])s.Clone()).ToArray());

    public int ByteLength => LengthOf(Parameters.Length, OptimizerState.Length);

    internal static int LengthOf(int parameters, int buffers) => HeaderBytes + 4 * parameters * (1 + buffers);

    /// <summary>Optimizer buffers a state may hold (Adam has two).</summary>
    public const int MaxOptimizerBuffers = 8;

    /// <summary>The most bytes a state of a model with <paramref name="parameters"/> parameters can take: what a link accepts.</summary>
    public static int MaxLength(int parameters) => LengthOf(parameters, MaxOptimizerBuffers);

    /// <summary>Bytes a state of <paramref name="t"/> takes.</summary>
    public static int LengthOf(Trainer t) => LengthOf(t.Parameters.Length, t.Optimizer.State.Length);

    public byte[] ToBytes()
    {
        var bytes = new byte[ByteLength];
        Write(bytes, Step, EpochLoss, EpochCorrect, OptimizerSteps, Parameters, OptimizerState);
        return bytes;
    }

    /// <summary>Writes the state of <paramref name="t"/> as it is now into <paramref name="b"/> (<see cref="LengthOf(Trainer)"/> bytes), copying nothing else.</summary>
    public static void Write(Trainer t, Span<byte> b) => Write(b, t.Step, t.EpochLoss, t.EpochCorrect, t.Optimizer.Steps, t.Parameters, t.Optimizer.State);

    internal static void Write(Span<byte> b, long step, double epochLoss, double epochCorrect, long optimizerSteps, float[] parameters, float[][] state)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(b, Magic);
        BinaryPrimitives.WriteInt64LittleEndian(b[4..], step);
        BinaryPrimitives.WriteDoubleLittleEndian(b[12..], epochLoss);
        BinaryPrimitives.WriteDoubleLittleEndian(b[20..], epochCorrect);
        BinaryPrimitives.WriteInt64LittleEndian(b[28..], optimizerSteps);
        BinaryPrimitives.WriteInt32LittleEndian(b[36..], parameters.Length);
        BinaryPrimitives.WriteInt32LittleEndian(b[40..], state.Length);
        MemoryMarshal.AsBytes(parameters.AsSpan()).CopyTo(b[HeaderBytes..]);
        int offset = HeaderBytes + 4 * parameters.Length;
        foreach (var block in state)
        {
            MemoryMarshal.AsBytes(block.AsSpan()).CopyTo(b[offset..]);
            offset += 4 * block.Length;
        }
    }

    /// <summary>Reads a state of a model with <paramref name="parameters"/> parameters; throws <see cref="InvalidDataException"/> naming what does not fit.</summary>
    public static TrainerState FromBytes(ReadOnlySpan<byte> b, int parameters)
    {
        if (b.Length < HeaderBytes || BinaryPrimitives.ReadUInt32LittleEndian(b) != Magic)
            throw new InvalidDataException("a trainer state without its AMTS header");
        int count = BinaryPrimitives.ReadInt32LittleEndian(b[36..]);
        int buffers = BinaryPrimitives.ReadInt32LittleEndian(b[40..]);
        if (count != parameters) throw new InvalidDataException($"a trainer state of {count} parameters where the model has {parameters}");
        if (buffers is < 0 or > MaxOptimizerBuffers || b.Length != HeaderBytes + 4L * count * (1 + buffers))
            throw new InvalidDataException($"a trainer state of {b.Length} bytes does not hold {1 + buffers} blocks of {count} floats");
        var blocks = new float[1 + buffers][];
        int offset = HeaderBytes;
        for (int i = 0; i < blocks.Length; i++)
        {
            blocks[i] = MemoryMarshal.Cast<byte, float>(b.Slice(offset, 4 * count)).ToArray();
            offset += 4 * count;
        }
        return new TrainerState(BinaryPrimitives.ReadInt64LittleEndian(b[4..]), BinaryPrimitives.ReadDoubleLittleEndian(b[12..]),
            BinaryPrimitives.ReadDoubleLittleEndian(b[20..]), BinaryPrimitives.ReadInt64LittleEndian(b[28..]), blocks[0], blocks[1..]);
    }
}
