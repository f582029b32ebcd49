using ActorMlp.Core.Determinism;
using System.Diagnostics;
using System.Globalization;
using ActorMlp.Core.Tensors;

namespace ActorMlp.Benchmarks;

/// <summary>
/// `gemm N` or `gemm M,K,N`: GFLOP/s of C = A(M×K)·B(K×N) on one thread, timed exactly as the PyTorch
/// peer times its sgemm — one warm-up product, then the best of 3 batches of max(5, 2·10¹⁰/flop)
/// products — so the compare script sets like against like. BenchmarkDotNet's statistics would be
/// better on their own, but a ratio is only meaningful when both sides use one method.
/// </summary>
public static class GemmThroughputMode
{
    public const string Usage = "usage: ActorMlp.Benchmarks gemm N | gemm M,K,N [--leaves L [--precision fp32|bf16]] [--kernel auto|avx512|avx2|vector128]\n" +
        "  (C = A(M×K)·B(K×N), one thread; --leaves L: a weight gradient instead, C = δᵀ·x over K rows cut into L tree leaves,\n" +
        "  LeafOuterProducts, its tree nodes held in --precision; --kernel: the kernel path, as train's flag)";

    public static int Run(string[] args)
    {
        int leaves = 0;
        KernelPath? path = null;
        var precision = GradientPrecision.Float32;
        bool ok = args.Length >= 2 && args.Length % 2 == 0;
        for (int i = 2; ok && i < args.Length; i += 2)
            ok = args[i] switch
            {
                "--leaves" => int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out leaves) && leaves >= 1 && int.IsPow2(leaves),
                "--kernel" => ComputeKernel.TryParse(args[i + 1], out path),
                "--precision" => args[i + 1] switch
                {
                    "fp32" => (precision = GradientPrecision.Float32) == GradientPrecision.Float32,
                    "bf16" => (precision = GradientPrecision.BFloat16) == GradientPrecision.BFloat16,
                    _ => false,
                },
                _ => false,
            };
        if (!ok || !TryParseShape(args[1], out int m, out int k, out int n))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        if (path is { } chosen)
        {
            if (!ComputeKernel.IsSupported(chosen))
            {
                Console.Error.WriteLine($"gemm: --kernel {ComputeKernel.Name(chosen)} is not available on this CPU; it runs {string.Join(", ", ComputeKernel.Supported.Select(ComputeKernel.Name))}");
                return 2;
            }
            ComputeKernel.Use(chosen);
        }

        var rng = new Random(1);
        var a = GemmBenchmarks.RandomMatrix(rng, m * k);
        var b = GemmBenchmarks.RandomMatrix(rng, k * n);
        var c = new float[m * n];
        // As a weight gradient, A is stored (K, M) like δ is (rows, out).
        int[] bounds = Enumerable.Range(0, leaves + 1).Select(j => (int)((long)j * k / Math.Max(1, leaves))).ToArray();
        Action product = leaves == 0
            ? () => Gemm.Multiply(false, false, m, n, k, a, k, b, n, c, n, accumulate: false)
            : () => LeafOuterProducts.Compute(a, m, b, n, bounds, c, 0, m, precision);
        void Product() => product();

        double flop = 2.0 * m * k * n;
        int reps = (int)Math.Max(5, 2e10 / flop);
        // Tiered JIT: the first calls run unoptimized code, which the peer (no JIT) never pays for, so
        // warm up for a second before any batch counts; the peer's single warm-up product covers the rest.
        long warm = Stopwatch.GetTimestamp();
        do Product(); while (Stopwatch.GetElapsedTime(warm).TotalSeconds < 1.0);

        double best = double.PositiveInfinity;
        for (int batch = 0; batch < 3; batch++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int r = 0; r < reps; r++) Product();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        double gflops = flop * reps / best / 1e9;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT gemm threads=1 kernel={ComputeKernel.Name(ComputeKernel.Current)} m={m} k={k} n={n}{(leaves > 0 ? $" leaves={leaves}" : "")}{(precision == GradientPrecision.BFloat16 ? " precision=bf16" : "")} gflops={gflops:F1}"));
        return 0;
    }

    static bool TryParseShape(string text, out int m, out int k, out int n)
    {
        m = k = n = 0;
        var parts = text.Split(',');
        var dims = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]) || dims[i] < 1 || dims[i] > 16384)
                return false;
        if (dims.Length == 1) (m, k, n) = (dims[0], dims[0], dims[0]);
        else if (dims.Length == 3) (m, k, n) = (dims[0], dims[1], dims[2]);
        else return false;
        return true;
    }
}
