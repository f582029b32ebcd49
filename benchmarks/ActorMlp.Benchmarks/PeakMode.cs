using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using ActorMlp.Core.Tensors;

namespace ActorMlp.Benchmarks;

/// <summary>
/// `peak [--kernel avx512|avx2|vector128]`: the machine's single-core FP32 FMA peak at one vector
/// width (the best path by default), measured rather than looked up: independent chains of fused
/// multiply-adds in registers (24 of 512 bits, 12 of 256 or 128 bits: enough to cover the FMA
/// latency on two FMA ports within 16 registers), no memory traffic. GFLOP/s ÷ (lanes · 2 flops ·
/// FMA units) is the clock the core really ran at, which in a virtual machine often differs from the nominal one.
/// </summary>
public static class PeakMode
{
    public const string Usage = "usage: ActorMlp.Benchmarks peak [--kernel avx512|avx2|vector128]";

    public static int Run(string[] args)
    {
        KernelPath? path = null;
        bool ok = args.Length == 1 || args.Length == 3 && args[1] == "--kernel" && ComputeKernel.TryParse(args[2], out path);
        if (!ok)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        KernelPath p = path ?? ComputeKernel.Best;
        if (!ComputeKernel.IsSupported(p) || !ComputeKernel.HardwareFma)
        {
            Console.Error.WriteLine($"peak: this CPU has no hardware-fused {ComputeKernel.Name(p)} path; it runs {string.Join(", ", ComputeKernel.Supported.Select(ComputeKernel.Name))}"
                + (ComputeKernel.HardwareFma ? "" : " without FMA"));
            return 2;
        }
        Func<long, float> chains = p switch { KernelPath.Avx512 => Chains512, KernelPath.Avx2 => Chains256, _ => Chains128 };
        int lanes = p switch { KernelPath.Avx512 => 16, KernelPath.Avx2 => 8, _ => 4 };
        int count = p == KernelPath.Avx512 ? 24 : 12;
        chains(1000); // compile before timing
        double best = 0;
        for (int batch = 0; batch < 5; batch++)
        {
            const long iterations = 20_000_000;
            long start = Stopwatch.GetTimestamp();
            float sink = chains(iterations);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (float.IsNaN(sink)) Console.Write("");
            best = Math.Max(best, iterations * (double)count * lanes * 2 / seconds / 1e9);
        }
        // Two FMA units per core: Xeon Scalable (Skylake-SP and later, Gold/Platinum), Haswell and later, Zen 2 and later.
        double clock = best / (lanes * 2 * 2);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT peak threads=1 kernel={ComputeKernel.Name(p)} gflops={best:F1} fma_units=2 lanes={lanes} implied_ghz={clock:F2}"));
        return 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static float Chains512(long iterations)
    {
        var m = Vector512.Create(0.9999999f);
        var a = Vector512.Create(1e-7f);
        Vector512<float> c0 = m, c1 = m, c2 = m, c3 = m, c4 = m, c5 = m, c6 = m, c7 = m, c8 = m, c9 = m, c10 = m, c11 = m;
        Vector512<float> c12 = m, c13 = m, c14 = m, c15 = m, c16 = m, c17 = m, c18 = m, c19 = m, c20 = m, c21 = m, c22 = m, c23 = m;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(c0, m, a); c1 = Vector512.FusedMultiplyAdd(c1, m, a);
            c2 = Vector512.FusedMultiplyAdd(c2, m, a); c3 = Vector512.FusedMultiplyAdd(c3, m, a);
            c4 = Vector512.FusedMultiplyAdd(c4, m, a); c5 = Vector512.FusedMultiplyAdd(c5, m, a);
            c6 = Vector512.FusedMultiplyAdd(c6, m, a); c7 = Vector512.FusedMultiplyAdd(c7, m, a);
            c8 = Vector512.FusedMultiplyAdd(c8, m, a); c9 = Vector512.FusedMultiplyAdd(c9, m, a);
            c10 = Vector512.FusedMultiplyAdd(c10, m, a); c11 = Vector512.FusedMultiplyAdd(c11, m, a);
            c12 = Vector512.FusedMultiplyAdd(c12, m, a); c13 = Vector512.FusedMultiplyAdd(c13, m, a);
            c14 = Vector512.FusedMultiplyAdd(c14, m, a); c15 = Vector512.FusedMultiplyAdd(c15, m, a);
            c16 = Vector512.FusedMultiplyAdd(c16, m, a); c17 = Vector512.FusedMultiplyAdd(c17, m, a);
            c18 = Vector512.FusedMultiplyAdd(c18, m, a); c19 = Vector512.FusedMultiplyAdd(c19, m, a);
            c20 = Vector512.FusedMultiplyAdd(c20, m, a); c21 = Vector512.FusedMultiplyAdd(c21, m, a);
            c22 = Vector512.FusedMultiplyAdd(c22, m, a); c23 = Vector512.FusedMultiplyAdd(c23, m, a);
        }
        var s = c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11 + c12 + c13 + c14 + c15 + c16 + c17 + c18 + c19 + c20 + c21 + c22 + c23;
        return Vector512.Sum(s);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static float Chains256(long iterations)
    {
        var m = Vector256.Create(0.9999999f);
        var a = Vector256.Create(1e-7f);
        Vector256<float> c0 = m, c1 = m, c2 = m, c3 = m, c4 = m, c5 = m, c6 = m, c7 = m, c8 = m, c9 = m, c10 = m, c11 = m;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Vector256.FusedMultiplyAdd(c0, m, a); c1 = Vector256.FusedMultiplyAdd(c1, m, a);
            c2 = Vector256.FusedMultiplyAdd(c2, m, a); c3 = Vector256.FusedMultiplyAdd(c3, m, a);
            c4 = Vector256.FusedMultiplyAdd(c4, m, a); c5 = Vector256.FusedMultiplyAdd(c5, m, a);
            c6 = Vector256.FusedMultiplyAdd(c6, m, a); c7 = Vector256.FusedMultiplyAdd(c7, m, a);
            c8 = Vector256.FusedMultiplyAdd(c8, m, a); c9 = Vector256.FusedMultiplyAdd(c9, m, a);
            c10 = Vector256.FusedMultiplyAdd(c10, m, a); c11 = Vector256.FusedMultiplyAdd(c11, m, a);
        }
        var s = c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11;
        return Vector256.Sum(s);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static float Chains128(long iterations)
    {
        var m = Vector128.Create(0.9999999f);
        var a = Vector128.Create(1e-7f);
        Vector128<float> c0 = m, c1 = m, c2 = m, c3 = m, c4 = m, c5 = m, c6 = m, c7 = m, c8 = m, c9 = m, c10 = m, c11 = m;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Vector128.FusedMultiplyAdd(c0, m, a); c1 = Vector128.FusedMultiplyAdd(c1, m, a);
            c2 = Vector128.FusedMultiplyAdd(c2, m, a); c3 = Vector128.FusedMultiplyAdd(c3, m, a);
            c4 = Vector128.FusedMultiplyAdd(c4, m, a); c5 = Vector128.FusedMultiplyAdd(c5, m, a);
            c6 = Vector128.FusedMultiplyAdd(c6, m, a); c7 = Vector128.FusedMultiplyAdd(c7, m, a);
            c8 = Vector128.FusedMultiplyAdd(c8, m, a); c9 = Vector128.FusedMultiplyAdd(c9, m, a);
            c10 = Vector128.FusedMultiplyAdd(c10, m, a); c11 = Vector128.FusedMultiplyAdd(c11, m, a);
        }
        var s = c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11;
        return Vector128.Sum(s);
    }
}
