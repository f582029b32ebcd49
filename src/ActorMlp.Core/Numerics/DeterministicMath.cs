using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ActorMlp.Core.Numerics;

/// <summary>
/// The project's own exp, log, sigmoid and tanh: polynomials after range reduction, built from
/// multiply-adds of the numeric class (<see cref="Fused"/>), compares and selects, so the result
/// of each lane depends on that lane alone. The 128-, 256- and 512-bit bodies are the same
/// operations, and the scalar forms run the 128-bit body on one lane: every width and every
/// scalar tail give the same bits, on x86 and ARM64 alike, which a C runtime's expf does not promise.
/// Accuracy is a few ulp (exp, log: ≤ 2 ulp on normal results); overflow clamps at e^88.3.
/// </summary>
internal static class DeterministicMath
{
    // exp: x = n·ln2 + r, |r| ≤ ln2/2, e^r by its Taylor series to r⁷ (error below 5e-9), 2^n put into the exponent.
    const float ExpMax = 88.3f, ExpMin = -87.3f;   // n stays within [-126, 127]: 2^n is a normal float
    const float Log2E = 1.44269504088896341f;
    const float RoundShift = 12582912f;             // 1.5·2²³: adding it rounds to an integer held in the low mantissa bits
    const int RoundShiftBits = 0x4B400000;
    const float Ln2Hi = 0.693359375f, Ln2Lo = -2.12194440e-4f;   // Cody–Waite: n·Ln2Hi is exact for |n| < 2⁹
    const float E2 = 1f / 2, E3 = 1f / 6, E4 = 1f / 24, E5 = 1f / 120, E6 = 1f / 720, E7 = 1f / 5040;

    // tanh: below 0.55 its odd Taylor series to x¹⁵ (terms shrink ~0.12× each), above 1 − 2/(e^{2|x|} + 1).
    const float TanhSmall = 0.55f;
    const float T3 = -1f / 3, T5 = 2f / 15, T7 = -17f / 315, T9 = 62f / 2835, T11 = -1382f / 155925;
    const float T13 = 21844f / 6081075, T15 = -929569f / 638512875;

    // log: x = 2^e·m with m in [√½, √2), log m = 2s + 2s·z·(1/3 + z/5 + z²/7 + z³/9) with s = (m−1)/(m+1), z = s².
    const float L3 = 1f / 3, L5 = 1f / 5, L7 = 1f / 7, L9 = 1f / 9;
    const float Ln2HiLog = 0.693359375f, Ln2LoLog = -2.12194440e-4f;

    public static float Exp(float x) => Exp(Vector128.CreateScalarUnsafe(x)).ToScalar();

    public static float Sigmoid(float x) => Sigmoid(Vector128.CreateScalarUnsafe(x)).ToScalar();

    public static float Tanh(float x) => Tanh(Vector128.CreateScalarUnsafe(x)).ToScalar();

    /// <summary>Natural logarithm; log 0 = −∞, log of a negative number or NaN is NaN, log ∞ = ∞.</summary>
    public static float Log(float x)
    {
        if (!(x > 0f)) return x == 0f ? float.NegativeInfinity : float.NaN;
        if (float.IsPositiveInfinity(x)) return x;
        int bits = BitConverter.SingleToInt32Bits(x);
        int e = 0;
        if (bits < 0x00800000)
        {
            // Subnormal: scale into the normal range first (exact).
            bits = BitConverter.SingleToInt32Bits(x * 8388608f);
            e = -23;
        }
        e += (bits >> 23) - 127;
        float m = BitConverter.Int32BitsToSingle((bits & 0x007FFFFF) | 0x3F800000);
        if (m > 1.41421356f)
        {
            m *= 0.5f;
            e++;
        }
        float f = m - 1f;
        float s = f / (2f + f);
        float z = s * s;
        float q = Fused.MulAdd(L9, z, L7);
        q = Fused.MulAdd(q, z, L5);
        q = Fused.MulAdd(q, z, L3);
        float twoS = s + s;
        float logM = Fused.MulAdd(twoS * z, q, twoS);
        float n = e;
        return Fused.MulAdd(n, Ln2HiLog, Fused.MulAdd(n, Ln2LoLog, logM));
    }

    // ---- Vector128 ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Exp(Vector128<float> x)
    {
        var under = Vector128.LessThan(x, Vector128.Create(ExpMin));
        x = Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128.Create(ExpMax)), Vector128.Create(ExpMax), x);
        x = Vector128.ConditionalSelect(under, Vector128.Create(ExpMin), x);
        var t = Fused.MulAdd(x, Vector128.Create(Log2E), Vector128.Create(RoundShift));
        var n = t - Vector128.Create(RoundShift);
        var r = Fused.MulAdd(n, Vector128.Create(-Ln2Hi), x);
        r = Fused.MulAdd(n, Vector128.Create(-Ln2Lo), r);
        var p = Fused.MulAdd(Vector128.Create(E7), r, Vector128.Create(E6));
        p = Fused.MulAdd(p, r, Vector128.Create(E5));
        p = Fused.MulAdd(p, r, Vector128.Create(E4));
        p = Fused.MulAdd(p, r, Vector128.Create(E3));
        p = Fused.MulAdd(p, r, Vector128.Create(E2));
        p = Fused.MulAdd(p, r, Vector128.Create(1f));
        p = Fused.MulAdd(p, r, Vector128.Create(1f));
        var scale = ((t.AsInt32() - Vector128.Create(RoundShiftBits - 127)) << 23).AsSingle();
        return Vector128.ConditionalSelect(under, Vector128<float>.Zero, p * scale);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sigmoid(Vector128<float> x) => Vector128.Create(1f) / (Vector128.Create(1f) + Exp(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Tanh(Vector128<float> x)
    {
        var ax = Vector128.Abs(x);
        var u = x * x;
        var q = Fused.MulAdd(Vector128.Create(T15), u, Vector128.Create(T13));
        q = Fused.MulAdd(q, u, Vector128.Create(T11));
        q = Fused.MulAdd(q, u, Vector128.Create(T9));
        q = Fused.MulAdd(q, u, Vector128.Create(T7));
        q = Fused.MulAdd(q, u, Vector128.Create(T5));
        q = Fused.MulAdd(q, u, Vector128.Create(T3));
        var small = Fused.MulAdd(x * u, q, x);
        var e = Exp(ax + ax);
        var large = Vector128.Create(1f) - Vector128.Create(2f) / (e + Vector128.Create(1f));
        large = Vector128.ConditionalSelect(Vector128.Create(-0f), x, large);      // the sign of x
        return Vector128.ConditionalSelect(Vector128.LessThan(ax, Vector128.Create(TanhSmall)), small, large);
    }

    // ---- Vector256 ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        var under = Vector256.LessThan(x, Vector256.Create(ExpMin));
        x = Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256.Create(ExpMax)), Vector256.Create(ExpMax), x);
        x = Vector256.ConditionalSelect(under, Vector256.Create(ExpMin), x);
        var t = Fused.MulAdd(x, Vector256.Create(Log2E), Vector256.Create(RoundShift));
        var n = t - Vector256.Create(RoundShift);
        var r = Fused.MulAdd(n, Vector256.Create(-Ln2Hi), x);
        r = Fused.MulAdd(n, Vector256.Create(-Ln2Lo), r);
        var p = Fused.MulAdd(Vector256.Create(E7), r, Vector256.Create(E6));
        p = Fused.MulAdd(p, r, Vector256.Create(E5));
        p = Fused.MulAdd(p, r, Vector256.Create(E4));
        p = Fused.MulAdd(p, r, Vector256.Create(E3));
        p = Fused.MulAdd(p, r, Vector256.Create(E2));
        p = Fused.MulAdd(p, r, Vector256.Create(1f));
        p = Fused.MulAdd(p, r, Vector256.Create(1f));
        var scale = ((t.AsInt32() - Vector256.Create(RoundShiftBits - 127)) << 23).AsSingle();
        return Vector256.ConditionalSelect(under, Vector256<float>.Zero, p * scale);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> x) => Vector256.Create(1f) / (Vector256.Create(1f) + Exp(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x)
    {
        var ax = Vector256.Abs(x);
        var u = x * x;
        var q = Fused.MulAdd(Vector256.Create(T15), u, Vector256.Create(T13));
        q = Fused.MulAdd(q, u, Vector256.Create(T11));
        q = Fused.MulAdd(q, u, Vector256.Create(T9));
        q = Fused.MulAdd(q, u, Vector256.Create(T7));
        q = Fused.MulAdd(q, u, Vector256.Create(T5));
        q = Fused.MulAdd(q, u, Vector256.Create(T3));
        var small = Fused.MulAdd(x * u, q, x);
        var e = Exp(ax + ax);
        var large = Vector256.Create(1f) - Vector256.Create(2f) / (e + Vector256.Create(1f));
        large = Vector256.ConditionalSelect(Vector256.Create(-0f), x, large);      // the sign of x
        return Vector256.ConditionalSelect(Vector256.LessThan(ax, Vector256.Create(TanhSmall)), small, large);
    }

    // ---- Vector512 ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        var under = Vector512.LessThan(x, Vector512.Create(ExpMin));
        x = Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(ExpMax)), Vector512.Create(ExpMax), x);
        x = Vector512.ConditionalSelect(under, Vector512.Create(ExpMin), x);
        var t = Fused.MulAdd(x, Vector512.Create(Log2E), Vector512.Create(RoundShift));
        var n = t - Vector512.Create(RoundShift);
        var r = Fused.MulAdd(n, Vector512.Create(-Ln2Hi), x);
        r = Fused.MulAdd(n, Vector512.Create(-Ln2Lo), r);
        var p = Fused.MulAdd(Vector512.Create(E7), r, Vector512.Create(E6));
        p = Fused.MulAdd(p, r, Vector512.Create(E5));
        p = Fused.MulAdd(p, r, Vector512.Create(E4));
        p = Fused.MulAdd(p, r, Vector512.Create(E3));
        p = Fused.MulAdd(p, r, Vector512.Create(E2));
        p = Fused.MulAdd(p, r, Vector512.Create(1f));
        p = Fused.MulAdd(p, r, Vector512.Create(1f));
        var scale = ((t.AsInt32() - Vector512.Create(RoundShiftBits - 127)) << 23).AsSingle();
        return Vector512.ConditionalSelect(under, Vector512<float>.Zero, p * scale);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sigmoid(Vector512<float> x) => Vector512.Create(1f) / (Vector512.Create(1f) + Exp(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x)
    {
        var ax = Vector512.Abs(x);
        var u = x * x;
        var q = Fused.MulAdd(Vector512.Create(T15), u, Vector512.Create(T13));
        q = Fused.MulAdd(q, u, Vector512.Create(T11));
        q = Fused.MulAdd(q, u, Vector512.Create(T9));
        q = Fused.MulAdd(q, u, Vector512.Create(T7));
        q = Fused.MulAdd(q, u, Vector512.Create(T5));
        q = Fused.MulAdd(q, u, Vector512.Create(T3));
        var small = Fused.MulAdd(x * u, q, x);
        var e = Exp(ax + ax);
        var large = Vector512.Create(1f) - Vector512.Create(2f) / (e + Vector512.Create(1f));
        large = Vector512.ConditionalSelect(Vector512.Create(-0f), x, large);      // the sign of x
        return Vector512.ConditionalSelect(Vector512.LessThan(ax, Vector512.Create(TanhSmall)), small, large);
    }
}
