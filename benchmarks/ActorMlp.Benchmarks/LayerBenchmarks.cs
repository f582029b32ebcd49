using ActorMlp.Core.Model;
using BenchmarkDotNet.Attributes;

namespace ActorMlp.Benchmarks;

/// <summary>
/// Mlp.Forward and Mlp.ComputeLeaf of 784-256-128-10 on weights packed once (PackedWeights), as a
/// step computes them: 8 rows is one micro-shard of a batch-128 step cut into 16 leaves (the default),
/// 128 rows is a whole batch in one leaf. Their ratio shows what the small shards cost per sample.
/// </summary>
[MemoryDiagnoser]
public class LayerBenchmarks
{
    Mlp _model = null!;
    float[] _parameters = [];
    Workspace _workspace = null!;
    PackedWeights _packed = null!;
    float[] _node = [];

    [Params(8, 128)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _model = new Mlp(ReferenceModel.Spec);
        _parameters = ReferenceModel.InitialParameters(_model.Spec);
        _packed = new PackedWeights(_model.Layout);
        _packed.Pack(_parameters);
        _workspace = _model.CreateWorkspace(Rows);
        var samples = new SyntheticImages(count: Rows);
        samples.Fill(Enumerable.Range(0, Rows).ToArray(), _workspace.Inputs, _workspace.Targets);
        _node = new float[_model.NodeLength];
    }

    [Benchmark]
    public float Forward() => _model.Forward(_parameters, Rows, _workspace, _packed)[0];

    [Benchmark]
    public float ComputeLeaf()
    {
        _model.ComputeLeaf(_parameters, Rows, _workspace, _node, _packed);
        return _node[^1];
    }
}
