using System.Runtime.Intrinsics;

namespace ActorMlp.Core.Tensors;

// Packed A micro-panel is (kc, MR), packed B micro-panel is (kc, NR), the C tile is (MR, NR) with row stride ldc.
/// <summary>
/// The contract every micro-kernel meets: it sums one packed A micro-panel times one packed B
/// micro-panel into registers starting from zero, p ascending, then writes C = sum or C += sum.
/// Starting from zero (rather than loading C) keeps the k order independent of accumulate, and
/// lets accumulate=false overwrite whatever C held, NaN included.
/// </summary>
internal unsafe interface IGemmMicroKernel
{
    static abstract int MR { get; }
    static abstract int NR { get; }

    /// <param name="mr">Valid rows of the tile (≤ MR); rows past it in the packed panel are zero padding.</param>
    /// <param name="nr">Valid columns of the tile (≤ NR).</param>
    /// <param name="tile">MR·NR floats of scratch for edge tiles, so the kernel never writes outside C.</param>
    static abstract void Run(int kc, float* pa, float* pb, float* c, int ldc, int mr, int nr, bool overwrite, float* tile);
}

// The tile is (MR, NR) with row stride tileStride; only its (mr, nr) corner lands in C.
internal static unsafe class GemmTile
{
    /// <summary>Writes the valid corner of an edge tile; the same single add per element as the full-tile path, so edges round alike.</summary>
    public static void Store(float* tile, int tileStride, float* c, int ldc, int mr, int nr, bool overwrite)
    {
        // The 128-bit path stays within 128 bits, as it would on ARM64; a plain add either way, so the same bits.
        bool wide = Vector256.IsHardwareAccelerated && ComputeKernel.Current != KernelPath.Vector128;
        for (int i = 0; i < mr; i++)
        {
            float* src = tile + i * tileStride;
            float* dst = c + (nint)i * ldc;
            int j = 0;
            if (wide)
                for (; j + 8 <= nr; j += 8)
                {
                    Vector256<float> v = Vector256.Load(src + j);
                    (overwrite ? v : Vector256.Load(dst + j) + v).Store(dst + j);
                }
            if (overwrite)
                for (; j < nr; j++) dst[j] = src[j];
            else
                for (; j < nr; j++) dst[j] += src[j];
        }
    }
}
