using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace ActorMlp.Core.Tensors;

// Packed A: (mc, kc) of op(A) as ⌈mc/MR⌉ micro-panels, each (kc, MR) row-major; packed B: (kc, nc) of op(B) as ⌈nc/NR⌉ micro-panels, each (kc, NR).
/// <summary>
/// Copies blocks of A and B into the order the micro-kernel reads them: one contiguous stream per
/// micro-panel, zero-padded to full MR/NR, so a single kernel serves every transpose combination and
/// every edge. Panel q of a packed block starts at q·MR·kc (A) or q·NR·kc (B).
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>Packs rows [i0, i0+mc) and depths [p0, p0+kc) of op(A).</summary>
    public static void PackA(bool transA, float* a, int lda, int i0, int mc, int p0, int kc, int mr, float* dst, bool wide)
    {
        if (transA)
        {
            // Stored (k, m): each depth is already a contiguous run of op(A) rows.
            SpreadRows(a + (nint)p0 * lda + i0, lda, dst, mr, kc, mc, wide);
            return;
        }

        for (int ir = 0; ir < mc; ir += mr)
            Transpose(a + (nint)(i0 + ir) * lda + p0, lda, dst + (nint)ir * kc, mr, kc, Math.Min(mr, mc - ir), wide);
    }

    /// <summary>Packs depths [p0, p0+kc) and columns [j0, j0+nc) of op(B).</summary>
    public static void PackB(bool transB, float* b, int ldb, int j0, int nc, int p0, int kc, int nr, float* dst, bool wide)
    {
        if (!transB)
        {
            SpreadRows(b + (nint)p0 * ldb + j0, ldb, dst, nr, kc, nc, wide);
            return;
        }

        for (int jr = 0; jr < nc; jr += nr)
            Transpose(b + (nint)(j0 + jr) * ldb + p0, ldb, dst + (nint)jr * kc, nr, kc, Math.Min(nr, nc - jr), wide);
    }

    /// <summary>
    /// Deals kc source rows of <paramref name="count"/> floats out to ⌈count/width⌉ panels: element t of row p
    /// lands at (t/width)·width·kc + p·width + t%width, zero-padded to a whole panel. Reading each source row
    /// once, front to back, keeps the reads sequential even when ld is a large power of two.
    /// </summary>
    /// Packing only moves floats, so every path packs the same bits; <paramref name="wide"/> (the 256- and
    /// 512-bit paths) allows 256-bit moves, the 128-bit path keeps to Vector128 as ARM64 would.
    private static void SpreadRows(float* src, int ld, float* dst, int width, int kc, int count, bool wide)
    {
        int full = count / width, rest = count - full * width;
        nint panelStride = (nint)width * kc;
        bool vector = wide && Avx.IsSupported && (width & 7) == 0;
        bool narrow = !vector && Vector128.IsHardwareAccelerated && (width & 3) == 0;
        for (int p = 0; p < kc; p++, src += ld)
        {
            float* s = src;
            float* d = dst + (nint)p * width;
            for (int q = 0; q < full; q++, s += width, d += panelStride)
            {
                if (vector)
                    for (int t = 0; t < width; t += 8)
                        Vector256.Store(Vector256.Load(s + t), d + t);
                else if (narrow)
                    for (int t = 0; t < width; t += 4)
                        Vector128.Store(Vector128.Load(s + t), d + t);
                else
                    for (int t = 0; t < width; t++) d[t] = s[t];
            }
            if (rest > 0)
            {
                int t = 0;
                for (; t < rest; t++) d[t] = s[t];
                for (; t < width; t++) d[t] = 0f;
            }
        }
    }

    /// <summary>dst[p·width + t] = src[t·ld + p] for t &lt; count, zero for count ≤ t &lt; width.</summary>
    private static void Transpose(float* src, int ld, float* dst, int width, int kc, int count, bool wide)
    {
        if (wide && Avx.IsSupported && width == 6 && count == 6)
        {
            Transpose6(src, ld, dst, kc);
            return;
        }
        int t = 0;
        if (wide && Avx.IsSupported)
            for (; t + 8 <= count; t += 8)
                Transpose8(src + (nint)t * ld, ld, dst + t, width, kc);
        if (Sse.IsSupported || AdvSimd.Arm64.IsSupported)
            for (; t + 4 <= count; t += 4)
                Transpose4(src + (nint)t * ld, ld, dst + t, width, kc);

        // Walking each source row contiguously keeps reads sequential; the strided writes land in a block that fits L1.
        for (; t < count; t++)
        {
            float* s = src + (nint)t * ld;
            float* d = dst + t;
            for (int p = 0; p < kc; p++) d[(nint)p * width] = s[p];
        }
        for (; t < width; t++)
        {
            float* d = dst + t;
            for (int p = 0; p < kc; p++) d[(nint)p * width] = 0f;
        }
    }

    /// <summary>Transposes an (8, kc) strip of rows into 8 adjacent columns of the panel, eight depths at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8(float* src, int ld, float* dst, int width, int kc)
    {
        float* s0 = src, s1 = src + ld, s2 = src + 2 * (nint)ld, s3 = src + 3 * (nint)ld;
        float* s4 = src + 4 * (nint)ld, s5 = src + 5 * (nint)ld, s6 = src + 6 * (nint)ld, s7 = src + 7 * (nint)ld;
        int p = 0;
        for (; p + 8 <= kc; p += 8)
        {
            Vector256<float> r0 = Vector256.Load(s0 + p), r1 = Vector256.Load(s1 + p);
            Vector256<float> r2 = Vector256.Load(s2 + p), r3 = Vector256.Load(s3 + p);
            Vector256<float> r4 = Vector256.Load(s4 + p), r5 = Vector256.Load(s5 + p);
            Vector256<float> r6 = Vector256.Load(s6 + p), r7 = Vector256.Load(s7 + p);

            // The classic 8x8 transpose: interleave element pairs, then pairs of pairs, then 128-bit halves.
            Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
            Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
            Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
            Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);

            Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
            Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
            Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
            Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);

            float* d = dst + (nint)p * width;
            Vector256.Store(Avx.Permute2x128(u0, u4, 0x20), d);
            Vector256.Store(Avx.Permute2x128(u1, u5, 0x20), d + width);
            Vector256.Store(Avx.Permute2x128(u2, u6, 0x20), d + 2 * width);
            Vector256.Store(Avx.Permute2x128(u3, u7, 0x20), d + 3 * width);
            Vector256.Store(Avx.Permute2x128(u0, u4, 0x31), d + 4 * width);
            Vector256.Store(Avx.Permute2x128(u1, u5, 0x31), d + 5 * width);
            Vector256.Store(Avx.Permute2x128(u2, u6, 0x31), d + 6 * width);
            Vector256.Store(Avx.Permute2x128(u3, u7, 0x31), d + 7 * width);
        }
        for (; p < kc; p++)
        {
            float* d = dst + (nint)p * width;
            d[0] = s0[p]; d[1] = s1[p]; d[2] = s2[p]; d[3] = s3[p];
            d[4] = s4[p]; d[5] = s5[p]; d[6] = s6[p]; d[7] = s7[p];
        }
    }

    /// <summary>
    /// Transposes a (6, kc) strip into a whole 6-wide panel (the AVX2 kernel's A), eight depths at a time,
    /// as the 8x8 transpose with two zero rows. Each depth's 8-float store runs 2 floats into the next
    /// depth, which the next store (or the scalar tail, or the next panel) overwrites; after the last
    /// panel of a buffer it leaves 2 floats of slack used, so packed-A buffers hold 8 floats more.
    /// Scalar, the 6 rows cost a fifth of the forward product at (128, 784)·(784, 256).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose6(float* src, int ld, float* dst, int kc)
    {
        const int width = 6;
        float* s0 = src, s1 = src + ld, s2 = src + 2 * (nint)ld, s3 = src + 3 * (nint)ld;
        float* s4 = src + 4 * (nint)ld, s5 = src + 5 * (nint)ld;
        int p = 0;
        for (; p + 8 <= kc; p += 8)
        {
            Vector256<float> r0 = Vector256.Load(s0 + p), r1 = Vector256.Load(s1 + p);
            Vector256<float> r2 = Vector256.Load(s2 + p), r3 = Vector256.Load(s3 + p);
            Vector256<float> r4 = Vector256.Load(s4 + p), r5 = Vector256.Load(s5 + p);

            Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
            Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
            Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
            Vector256<float> t6 = Vector256<float>.Zero;

            Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
            Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
            Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
            Vector256<float> u6 = Avx.Shuffle(t5, t6, 0x44), u7 = Avx.Shuffle(t5, t6, 0xEE);

            float* d = dst + (nint)p * width;
            Vector256.Store(Avx.Permute2x128(u0, u4, 0x20), d);
            Vector256.Store(Avx.Permute2x128(u1, u5, 0x20), d + width);
            Vector256.Store(Avx.Permute2x128(u2, u6, 0x20), d + 2 * width);
            Vector256.Store(Avx.Permute2x128(u3, u7, 0x20), d + 3 * width);
            Vector256.Store(Avx.Permute2x128(u0, u4, 0x31), d + 4 * width);
            Vector256.Store(Avx.Permute2x128(u1, u5, 0x31), d + 5 * width);
            Vector256.Store(Avx.Permute2x128(u2, u6, 0x31), d + 6 * width);
            Vector256.Store(Avx.Permute2x128(u3, u7, 0x31), d + 7 * width);
        }
        for (; p < kc; p++)
        {
            float* d = dst + (nint)p * width;
            d[0] = s0[p]; d[1] = s1[p]; d[2] = s2[p]; d[3] = s3[p]; d[4] = s4[p]; d[5] = s5[p];
        }
    }

    /// <summary>Transposes a (4, kc) strip of rows into 4 adjacent columns of the panel, four depths at a time, in 128-bit registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4(float* src, int ld, float* dst, int width, int kc)
    {
        float* s0 = src, s1 = src + ld, s2 = src + 2 * (nint)ld, s3 = src + 3 * (nint)ld;
        int p = 0;
        for (; p + 4 <= kc; p += 4)
        {
            Vector128<float> r0 = Vector128.Load(s0 + p), r1 = Vector128.Load(s1 + p);
            Vector128<float> r2 = Vector128.Load(s2 + p), r3 = Vector128.Load(s3 + p);
            Vector128<float> o0, o1, o2, o3;
            if (Sse.IsSupported)
            {
                Vector128<float> t0 = Sse.UnpackLow(r0, r1), t1 = Sse.UnpackLow(r2, r3);
                Vector128<float> t2 = Sse.UnpackHigh(r0, r1), t3 = Sse.UnpackHigh(r2, r3);
                o0 = Sse.MoveLowToHigh(t0, t1); o1 = Sse.MoveHighToLow(t1, t0);
                o2 = Sse.MoveLowToHigh(t2, t3); o3 = Sse.MoveHighToLow(t3, t2);
            }
            else
            {
                Vector128<double> t0 = AdvSimd.Arm64.ZipLow(r0, r1).AsDouble(), t1 = AdvSimd.Arm64.ZipLow(r2, r3).AsDouble();
                Vector128<double> t2 = AdvSimd.Arm64.ZipHigh(r0, r1).AsDouble(), t3 = AdvSimd.Arm64.ZipHigh(r2, r3).AsDouble();
                o0 = AdvSimd.Arm64.ZipLow(t0, t1).AsSingle(); o1 = AdvSimd.Arm64.ZipHigh(t0, t1).AsSingle();
                o2 = AdvSimd.Arm64.ZipLow(t2, t3).AsSingle(); o3 = AdvSimd.Arm64.ZipHigh(t2, t3).AsSingle();
            }
            float* d = dst + (nint)p * width;
            Vector128.Store(o0, d);
            Vector128.Store(o1, d + width);
            Vector128.Store(o2, d + 2 * width);
            Vector128.Store(o3, d + 3 * width);
        }
        for (; p < kc; p++)
        {
            float* d = dst + (nint)p * width;
            d[0] = s0[p]; d[1] = s1[p]; d[2] = s2[p]; d[3] = s3[p];
        }
    }
}
