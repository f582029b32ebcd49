using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ActorMlp.Core.Tensors;

public static unsafe partial class LeafOuterProducts
{
    // One (R, 16) tile of dW, all leaves, on 256-bit registers: R = 4 keeps 8 accumulators, two x vectors and a
    // broadcast in AVX2's 16 registers. delta walks the rows with dStride (R of its values per row, from the
    // pointer given); x walks them with xStride (16 of its values per row); dW is the tile's corner, row stride
    // ldw. Each element is the FMA chain and the merges of Tile: only the register width differs.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Tile256<TR>(float* delta, int dStride, float* x, int xStride, int* bounds, int leaves, float* dW, int ldw, float* stack)
        where TR : struct, IRows
    {
        const int W = 8, Slot = 4 * 2 * W;
        int R = TR.Count;
        float* top = stack;
        for (int leaf = 0; leaf < leaves; leaf++)
        {
            Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
            int end = bounds[leaf + 1];
            for (int r = bounds[leaf]; r < end; r++)
            {
                float* xr = x + (nint)r * xStride;
                float* dr = delta + (nint)r * dStride;
                Vector256<float> b0 = Vector256.Load(xr), b1 = Vector256.Load(xr + W);
                Vector256<float> a = Vector256.Create(dr[0]);
                c00 = Vector256.FusedMultiplyAdd(a, b0, c00); c01 = Vector256.FusedMultiplyAdd(a, b1, c01);
                if (R > 1)
                {
                    a = Vector256.Create(dr[1]);
                    c10 = Vector256.FusedMultiplyAdd(a, b0, c10); c11 = Vector256.FusedMultiplyAdd(a, b1, c11);
                    a = Vector256.Create(dr[2]);
                    c20 = Vector256.FusedMultiplyAdd(a, b0, c20); c21 = Vector256.FusedMultiplyAdd(a, b1, c21);
                    a = Vector256.Create(dr[3]);
                    c30 = Vector256.FusedMultiplyAdd(a, b0, c30); c31 = Vector256.FusedMultiplyAdd(a, b1, c31);
                }
            }

            // As in Tile: leaf `leaf` closes one pending left sibling per trailing one bit of its index.
            for (int merges = BitOperations.TrailingZeroCount(leaf + 1); merges > 0; merges--)
            {
                top -= Slot;
                c00 = Vector256.Load(top) + c00; c01 = Vector256.Load(top + W) + c01;
                if (R > 1)
                {
                    c10 = Vector256.Load(top + 2 * W) + c10; c11 = Vector256.Load(top + 3 * W) + c11;
                    c20 = Vector256.Load(top + 4 * W) + c20; c21 = Vector256.Load(top + 5 * W) + c21;
                    c30 = Vector256.Load(top + 6 * W) + c30; c31 = Vector256.Load(top + 7 * W) + c31;
                }
            }

            float* dst;
            int ld;
            if (leaf + 1 == leaves)
            {
                dst = dW;
                ld = ldw;
            }
            else
            {
                dst = top;
                ld = 2 * W;
                top += Slot;
            }
            c00.Store(dst); c01.Store(dst + W);
            if (R > 1)
            {
                c10.Store(dst + ld); c11.Store(dst + ld + W);
                c20.Store(dst + 2 * ld); c21.Store(dst + 2 * ld + W);
                c30.Store(dst + 3 * ld); c31.Store(dst + 3 * ld + W);
            }
        }
    }
}
