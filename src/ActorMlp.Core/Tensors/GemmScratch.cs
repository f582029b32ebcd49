using System.Runtime.CompilerServices;

namespace ActorMlp.Core.Tensors;

// Holds packed blocks: op(A) as (MC, KC) and op(B) as (KC, NC), each laid out as micro-panels.
/// <summary>
/// Per-thread packing buffers, kept between calls so a warm GEMM allocates nothing. They live on the
/// pinned object heap, so a raw pointer to them stays valid without fixed, and they are 64-byte
/// aligned so packed panels start on cache lines.
/// </summary>
internal static unsafe class GemmScratch
{
    [ThreadStatic] private static AlignedBuffer? _a;
    [ThreadStatic] private static AlignedBuffer? _b;

    public static float* A(int floats) => AlignedBuffer.Ensure(ref _a, floats);
    public static float* B(int floats) => AlignedBuffer.Ensure(ref _b, floats);
}

/// <summary>A float buffer on the pinned object heap whose first element sits on a 64-byte boundary.</summary>
internal sealed unsafe class AlignedBuffer
{
    private const int AlignFloats = 16;
    private readonly float[] _storage;

    public AlignedBuffer(int floats)
    {
        _storage = GC.AllocateUninitializedArray<float>(floats + AlignFloats, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref _storage[0]);
        nint aligned = (address + 63) & ~(nint)63;
        Pointer = (float*)aligned;
        Capacity = floats;
    }

    public float* Pointer { get; }
    public int Capacity { get; }

    /// <summary>Returns a buffer of at least <paramref name="floats"/>, growing by half again so repeated small growth stays rare.</summary>
    public static float* Ensure(ref AlignedBuffer? buffer, int floats)
    {
        if (buffer is null || buffer.Capacity < floats)
        {
            long grown = buffer is null ? 0 : Math.Min(buffer.Capacity + (long)buffer.Capacity / 2, Array.MaxLength - AlignFloats);
            buffer = new AlignedBuffer((int)Math.Max(floats, grown));
        }
        return buffer.Pointer;
    }
}
