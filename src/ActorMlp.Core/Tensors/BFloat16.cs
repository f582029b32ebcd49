using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ActorMlp.Core.Tensors;

// source is (n) floats, destination is (n) bfloat16 bit patterns (the high 16 bits of a float), or back.
/// <summary>
/// bfloat16 packing for the wire: a float keeps its sign, exponent and the top 7 bits of its
/// mantissa, rounded to nearest, ties to even; NaN stays NaN. Widening back is exact. Both are pure
/// functions of their input, so a run on bf16 tensors is as reproducible as one on floats.
/// </summary>
internal static class BFloat16
{
    /// <summary>One float, the plain way: the oracle for <see cref="Narrow(ReadOnlySpan{float}, Span{ushort})"/>.</summary>
    public static ushort Narrow(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value)) return (ushort)((bits >> 16) | 0x40); // quiet, never rounded into infinity
        uint roundingBias = 0x7FFF + ((bits >> 16) & 1);
        return (ushort)((bits + roundingBias) >> 16);
    }

    public static float Widen(ushort value) => BitConverter.UInt32BitsToSingle((uint)value << 16);

    /// <summary>The float that <see cref="Narrow(float)"/> then <see cref="Widen(ushort)"/> give: the value as bfloat16 holds it, still a float.</summary>
    public static float Round(float value) => Widen(Narrow(value));

    // The same rounding on every lane: the float bits
    // plus 0x7FFF (0x8000 when the kept part is odd, ties to even), low half cleared; NaN kept quiet.
    // The NaN test compares |bits| as signed integers: both sides are below 2³¹, and SSE2 has no unsigned compare.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> Round(Vector128<float> v)
    {
        var u = v.AsUInt32();
        var rounded = (u + (Vector128.Create(0x7FFFu) + ((u >> 16) & Vector128<uint>.One))) & Vector128.Create(0xFFFF0000u);
        var nan = Vector128.GreaterThan((u & Vector128.Create(0x7FFFFFFFu)).AsInt32(), Vector128.Create(0x7F800000)).AsUInt32();
        return Vector128.ConditionalSelect(nan, (u | Vector128.Create(0x00400000u)) & Vector128.Create(0xFFFF0000u), rounded).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Round(Vector256<float> v)
    {
        var u = v.AsUInt32();
        var rounded = (u + (Vector256.Create(0x7FFFu) + ((u >> 16) & Vector256<uint>.One))) & Vector256.Create(0xFFFF0000u);
        var nan = Vector256.GreaterThan((u & Vector256.Create(0x7FFFFFFFu)).AsInt32(), Vector256.Create(0x7F800000)).AsUInt32();
        return Vector256.ConditionalSelect(nan, (u | Vector256.Create(0x00400000u)) & Vector256.Create(0xFFFF0000u), rounded).AsSingle();
    }

    /// <summary>Rounds every value in place (<see cref="Round(float)"/>), on the process's path.</summary>
    public static void Round(Span<float> values)
    {
        int i = 0;
        if (ComputeKernel.Current != KernelPath.Vector128)
            for (; i <= values.Length - Vector256<float>.Count; i += Vector256<float>.Count)
                Round(Vector256.Create(values.Slice(i, 8))).CopyTo(values.Slice(i));
        for (; i <= values.Length - Vector128<float>.Count; i += Vector128<float>.Count)
            Round(Vector128.Create(values.Slice(i, 4))).CopyTo(values.Slice(i));
        for (; i < values.Length; i++) values[i] = Round(values[i]);
    }

    public static void Narrow(ReadOnlySpan<float> source, Span<ushort> destination)
    {
        if (destination.Length < source.Length) throw new ArgumentException("the destination is shorter than the source", nameof(destination));
        var bits = MemoryMarshal.Cast<float, uint>(source);
        int i = 0;
        if (ComputeKernel.Current != KernelPath.Vector128)
            for (; i <= source.Length - Vector256<uint>.Count * 2; i += Vector256<uint>.Count * 2)
            {
                var lo = High(Vector256.Create(bits.Slice(i, 8)));
                var hi = High(Vector256.Create(bits.Slice(i + 8, 8)));
                Vector256.Narrow(lo, hi).CopyTo(destination.Slice(i));
            }
        for (; i <= source.Length - Vector128<uint>.Count * 2; i += Vector128<uint>.Count * 2)
        {
            var lo = High(Vector128.Create(bits.Slice(i, 4)));
            var hi = High(Vector128.Create(bits.Slice(i + 4, 4)));
            Vector128.Narrow(lo, hi).CopyTo(destination.Slice(i));
        }
        for (; i < source.Length; i++) destination[i] = Narrow(source[i]);
    }

    // The rounded high halves of the floats, in the low 16 bits of each lane: Round's bits shifted down.
    static Vector256<uint> High(Vector256<uint> u) => Round(u.AsSingle()).AsUInt32() >> 16;

    static Vector128<uint> High(Vector128<uint> u) => Round(u.AsSingle()).AsUInt32() >> 16;

    public static void Widen(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        if (destination.Length < source.Length) throw new ArgumentException("the destination is shorter than the source", nameof(destination));
        var bits = MemoryMarshal.Cast<float, uint>(destination);
        int i = 0;
        if (ComputeKernel.Current != KernelPath.Vector128)
            for (; i <= source.Length - Vector256<ushort>.Count; i += Vector256<ushort>.Count)
            {
                var (lo, hi) = Vector256.Widen(Vector256.Create(source.Slice(i, 16)));
                (lo << 16).CopyTo(bits.Slice(i));
                (hi << 16).CopyTo(bits.Slice(i + 8));
            }
        for (; i <= source.Length - Vector128<ushort>.Count; i += Vector128<ushort>.Count)
        {
            var (lo, hi) = Vector128.Widen(Vector128.Create(source.Slice(i, 8)));
            (lo << 16).CopyTo(bits.Slice(i));
            (hi << 16).CopyTo(bits.Slice(i + 4));
        }
        for (; i < source.Length; i++) destination[i] = Widen(source[i]);
    }
}
