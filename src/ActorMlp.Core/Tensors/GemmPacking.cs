using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
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
    public static void PackA(bool transA, float* a, int lda, int i0, int mc, int p0, int kc, int mr, float* dst)
    {
        if (transA)
        {
            // Stored (k, m): each depth is already a contiguous run of op(A) rows.
            SpreadRows(a + (nint)p0 * lda + i0, lda, dst, mr, kc, mc);
            return;
        }

        for (int ir = 0; ir < mc; ir += mr)
            Transpose(a + (nint)(i0 + ir) * lda + p0, lda, dst + (nint)ir * kc, mr, kc, Math.Min(mr, mc - ir));
    }

    /// <summary>Packs depths [p0, p0+kc) and columns [j0, j0+nc) of op(B).</summary>
    public static void PackB(bool transB, float* b, int ldb, int j0, int nc, int p0, int kc, int nr, float* dst)
    {
        if (!transB)
        {
            SpreadRows(b + (nint)p0 * ldb + j0, ldb, dst, nr, kc, nc);
            return;
        }

        for (int jr = 0; jr < nc; jr += nr)
            Transpose(b + (nint)(j0 + jr) * ldb + p0, ldb, dst + (nint)jr * kc, nr, kc, Math.Min(nr, nc - jr));
    }

    /// <summary>
    /// Deals kc source rows of <paramref name="count"/> floats out to ⌈count/width⌉ panels: element t of row p
    /// lands at (t/width)·width·kc + p·width + t%width, zero-padded to a whole panel. Reading each source row
    /// once, front to back, keeps the reads sequential even when ld is a large power of two.
    /// </summary>
    private static void SpreadRows(float* src, int ld, float* dst, int width, int kc, int count)
    {
        int full = count / width, rest = count - full * width;
        nint panelStride = (nint)width * kc;
        bool vector = Avx.IsSupported && (width & 7) == 0;
        for (int p = 0; p < kc; p++, src += ld)
        {
            float* s = src;
            float* d = dst + (nint)p * width;
            for (int q = 0; q < full; q++, s += width, d += panelStride)
            {
                if (vector)
                    for (int t = 0; t < width; t += 8)
                        Vector256.Store(Vector256.Load(s + t), d + t);
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
    private static void Transpose(float* src, int ld, float* dst, int width, int kc, int count)
    {
        int t = 0;
        if (Avx.IsSupported)
            for (; t + 8 <= count; t += 8)
                Transpose8(src + (nint)t * ld, ld, dst + t, width, kc);

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
}
