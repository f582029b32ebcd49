using ActorMlp.Core.Model;
using ActorMlp.Core.Optim;
using ActorMlp.Core.Training;
using BenchmarkDotNet.Attributes;

namespace ActorMlp.Benchmarks;

/// <summary>
/// One whole training step of 784-256-128-10, as `actormlp train --workers 0` runs it: the root of the
/// step's reduction tree over 16 micro-shards (LocalGradientEngine, one thread), then Trainer.Apply
/// (batch mean, SGD with momentum). The engine and trainer live across invocations, so the memory
/// diagnoser's figure is the steady-state allocation per step, which the design requires to be none.
/// </summary>
[MemoryDiagnoser]
public class StepBenchmarks
{
    // Far more steps than any run of this benchmark takes, so the trainer never runs out of steps.
    const int Epochs = 100_000;

    LocalGradientEngine _engine = null!;
    Trainer _trainer = null!;

    [Params(128, 512)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var model = new Mlp(ReferenceModel.Spec);
        var samples = new SyntheticImages();
        var plan = new TrainingPlan(samples.Count, Epochs, Batch, MicroShards: 16, Seed: 1);
        plan.Validate();
        var parameters = ReferenceModel.InitialParameters(model.Spec);
        var optimizer = Optimizer.Create(new OptimizerSettings(OptimizerKind.Sgd, Momentum: 0.9f), parameters.Length);
        // A constant rate: random labels cannot be learnt, and a modest rate keeps the loss finite
        // over the many thousand steps a benchmark run applies.
        _trainer = new Trainer(model, plan, parameters, optimizer, new LrSchedule(0.01f));
        _engine = new LocalGradientEngine(model, samples, plan, threads: 1);
    }

    [Benchmark]
    public long Step()
    {
        var root = _engine.ComputeRoot(_trainer.Parameters, _trainer.Current);
        if (_trainer.Apply(root)) _trainer.StartEpoch();
        return _trainer.Step;
    }
}
