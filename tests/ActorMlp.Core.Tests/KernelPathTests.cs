using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using ActorMlp.Core.Activations;
using ActorMlp.Core.Optim;
using ActorMlp.Core.Tensors;

namespace ActorMlp.Core.Tests;

/// <summary>
/// The kernel paths: only those whose vectors this CPU accelerates are offered, a forced path is
/// honoured and refused where missing, and every kernel gives the same bits on every path.
/// </summary>
public class KernelPathTests
{
    static int[] Bits(float[] v) => v.Select(BitConverter.SingleToInt32Bits).ToArray();

    static float[] Fill(int seed, int n, float spread = 1f)
    {
        var rng = new Random(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)(rng.NextDouble() * 2 - 1) * spread;
        return v;
    }

    [Fact]
    public void A_path_is_offered_only_where_every_vector_it_uses_is_hardware_accelerated()
    {
        Assert.Contains(ComputeKernel.Best, ComputeKernel.Supported);
        Assert.Contains(KernelPath.Vector128, ComputeKernel.Supported);   // x64 and ARM64 alike
        foreach (var path in ComputeKernel.Supported)
        {
            Assert.True(Vector128.IsHardwareAccelerated, $"{path} would use an emulated Vector128");
            if (path >= KernelPath.Avx2)
            {
                Assert.True(Vector256.IsHardwareAccelerated, $"{path} would use an emulated Vector256");
                Assert.True(ComputeKernel.HardwareFma, $"{path} would emulate its fused multiply-adds");
            }
            if (path == KernelPath.Avx512) Assert.True(Avx512F.IsSupported, "avx512 would use an emulated Vector512");
        }
        if (!Vector256.IsHardwareAccelerated) Assert.Equal([KernelPath.Vector128], ComputeKernel.Supported);
        if (!Avx512F.IsSupported) Assert.DoesNotContain(KernelPath.Avx512, ComputeKernel.Supported);
        Assert.Equal(ComputeKernel.HardwareFma ? "fma" : "mul-add", ComputeKernel.NumericClass);
    }

    [Fact]
    public void A_path_the_CPU_lacks_is_refused_at_every_kernel_entry()
    {
        foreach (var path in Enum.GetValues<KernelPath>().Where(p => !ComputeKernel.IsSupported(p)))
        {
            Assert.Throws<PlatformNotSupportedException>(() => ComputeKernel.Use(path));
            Assert.Throws<PlatformNotSupportedException>(() => ComputeKernel.PinThread(path));
            Assert.Throws<PlatformNotSupportedException>(() => LeafOuterProducts.Compute(path, new float[1], 1, new float[1], 1, [0, 1], new float[1]));
            var e = Assert.Throws<PlatformNotSupportedException>(() => Gemm.Multiply(GemmBlocking.KindOf(path), false, false, 1, 1, 1, [1f], 1, [1f], 1, new float[1], 1, false));
            Assert.Contains("emulated", e.Message);
        }
    }

    [Theory]
    [InlineData("auto", null)]
    [InlineData("avx512", KernelPath.Avx512)]
    [InlineData(" AVX2 ", KernelPath.Avx2)]
    [InlineData("vector128", KernelPath.Vector128)]
    public void Kernel_names_parse(string text, KernelPath? expected)
    {
        Assert.True(ComputeKernel.TryParse(text, out var path));
        Assert.Equal(expected, path);
        if (expected is { } p) Assert.Equal(text.Trim().ToLowerInvariant(), ComputeKernel.Name(p));
        Assert.False(ComputeKernel.TryParse("sse", out _));
    }

    [Fact]
    public void A_pinned_path_is_the_current_one_on_its_thread_only()
    {
        var before = ComputeKernel.Current;
        using (ComputeKernel.PinThread(KernelPath.Vector128))
        {
            Assert.Equal(KernelPath.Vector128, ComputeKernel.Current);
            KernelPath elsewhere = default;
            var other = new Thread(() => elsewhere = ComputeKernel.Current);
            other.Start();
            other.Join();
            Assert.Equal(before, elsewhere);
            Assert.Equal(ComputeKernel.HardwareFma ? GemmKernelKind.Vector128 : GemmKernelKind.Portable, GemmBlocking.BestKind);
        }
        Assert.Equal(before, ComputeKernel.Current);
    }

    static readonly int[] Lengths = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 100];

    /// <summary>Runs <paramref name="run"/> on every path this CPU has and insists on one result.</summary>
    static void SameOnEveryPath(string what, Func<float[]> run)
    {
        int[]? first = null;
        KernelPath firstPath = default;
        foreach (var path in ComputeKernel.Supported)
        {
            int[] bits;
            using (ComputeKernel.PinThread(path)) bits = Bits(run());
            if (first is null) (first, firstPath) = (bits, path);
            else Assert.True(first.SequenceEqual(bits), $"{what}: {path} differs from {firstPath}");
        }
    }

    [Fact]
    public void Sigmoid_tanh_and_swish_give_the_same_bits_on_every_path_and_in_the_scalar_tail()
    {
        foreach (int n in Lengths)
        {
            var z = Fill(n, n, 12f);
            if (n > 3) { z[0] = 0f; z[1] = -0f; z[2] = 100f; z[3] = -100f; }
            SameOnEveryPath($"sigmoid n={n}", () => { var a = new float[n]; new SigmoidActivation().Forward(z, a); return a; });
            SameOnEveryPath($"tanh n={n}", () => { var a = new float[n]; new TanhActivation().Forward(z, a); return a; });
            SameOnEveryPath($"swish n={n}", () => { var a = new float[n]; new SwishActivation().Forward(z, a); return a; });
            // Lane and scalar agree: element i alone gives the bits it got among the others.
            var all = new float[n];
            new TanhActivation().Forward(z, all);
            for (int i = 0; i < n; i++) Assert.Equal(BitConverter.SingleToInt32Bits(all[i]), BitConverter.SingleToInt32Bits(Numerics.DeterministicMath.Tanh(z[i])));
        }
    }

    [Fact]
    public void Leaky_relu_selection_gives_the_same_bits_on_every_path()
    {
        foreach (int n in Lengths)
        {
            var z = Fill(n + 1, n);
            var x = Fill(n + 2, n);
            SameOnEveryPath($"select n={n}", () => { var d = new float[n]; ElementwiseKernels.SelectPositive(z, x, 0.01f, d); return d; });
        }
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd, 0f, 0f)]
    [InlineData(OptimizerKind.Momentum, 0.9f, 1e-4f)]
    [InlineData(OptimizerKind.Nesterov, 0.9f, 0f)]
    public void The_optimizer_pass_gives_the_same_bits_on_every_path(OptimizerKind kind, float momentum, float decay)
    {
        foreach (int n in Lengths)
            SameOnEveryPath($"{kind} n={n}", () =>
            {
                var opt = Optimizer.Create(new OptimizerSettings(kind, momentum, 0.9f, 0.999f, 1e-8f, decay), n);
                var w = Fill(3, n);
                var copy = new float[n];
                for (int step = 0; step < 3; step++)
                    opt.Step(w, Fill(10 + step, n), 0.05f, 1f / 3, Fill(20 + step, n), copy);
                return [.. w, .. copy, .. opt.State.SelectMany(s => s)];
            });
    }

    [Fact]
    public void Bfloat16_narrowing_and_widening_give_the_same_bits_on_every_path()
    {
        foreach (int n in Lengths.Append(40))
        {
            var v = Fill(n + 7, n, 1e4f);
            if (n > 2) { v[0] = float.NaN; v[1] = float.PositiveInfinity; }
            SameOnEveryPath($"bf16 n={n}", () =>
            {
                var packed = new ushort[n];
                BFloat16.Narrow(v, packed);
                for (int i = 0; i < n; i++) Assert.Equal(BFloat16.Narrow(v[i]), packed[i]);
                var back = new float[n];
                BFloat16.Widen(packed, back);
                return back;
            });
        }
    }

    [Fact]
    public void Gemm_on_every_path_gives_the_same_bits()
    {
        foreach (var (m, n, k) in new[] { (1, 1, 1), (7, 10, 300), (13, 17, 5), (6, 8, 4), (33, 70, 600) })
        {
            var a = Fill(m, m * k);
            var b = Fill(n, k * n);
            SameOnEveryPath($"gemm {m}x{n}x{k}", () =>
            {
                var c = new float[m * n];
                Gemm.Multiply(false, true, m, n, k, a, k, b, k, c, n, accumulate: false);
                var packed = new PackedB();
                packed.Pack(false, k, n, b, n);
                var d = Fill(5, m * n);
                Gemm.Multiply(true, m, a, m, packed, d, n, accumulate: true);
                return [.. c, .. d];
            });
        }
    }
}
