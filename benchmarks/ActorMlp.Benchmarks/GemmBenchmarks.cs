using ActorMlp.Core.Tensors;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace ActorMlp.Benchmarks;

/// <summary>
/// Gemm.Multiply on the products of a 784-256-128-10 training step at batch 128, and on a square
/// n=1024 product where the kernel should run near the core's peak. The GFLOP/s column is the figure
/// to set against the peer's OpenBLAS sgemm (`pytorch_mlp.py gemm 1 N`).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Columns))]
public class GemmBenchmarks
{
    sealed class Columns : ManualConfig
    {
        public Columns()
        {
            AddColumn(new ThroughputColumn("GFLOP/s", 1e-9, c => ThroughputColumn.Parameter<GemmShape>(c)?.Flops));
            // The default 20 characters would cut the shape names down to "L1 78(...)".
            SummaryStyle = BenchmarkDotNet.Reports.SummaryStyle.Default.WithMaxParameterColumnWidth(32);
        }
    }

    float[] _a = [], _b = [], _c = [];

    public static IEnumerable<GemmShape> Shapes
        => GemmShape.DenseLayer(ReferenceModel.Layers, batch: 128).Append(GemmShape.Square(1024));

    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = GemmShape.Square(1024);

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        _a = RandomMatrix(rng, Shape.M * Shape.K);
        _b = RandomMatrix(rng, Shape.K * Shape.N);
        _c = new float[Shape.M * Shape.N];
    }

    [Benchmark]
    public void Multiply()
        => Gemm.Multiply(Shape.TransA, Shape.TransB, Shape.M, Shape.N, Shape.K,
            _a, Shape.Lda, _b, Shape.Ldb, _c, Shape.N, accumulate: false);

    internal static float[] RandomMatrix(Random rng, int length)
    {
        var m = new float[length];
        for (int i = 0; i < m.Length; i++) m[i] = (float)(rng.NextDouble() * 2 - 1);
        return m;
    }
}
