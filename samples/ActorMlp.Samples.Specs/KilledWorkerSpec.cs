using ActorMlp.Core.Model;
using ActorMlp.Core.Optim;
using ActorMlp.Core.Training;
using ActorMlp.TestKit;
using Xunit;

namespace ActorMlp.Samples.Specs;

public sealed class KilledWorkerSpec
{
    [Fact]
    public async Task A_worker_killed_mid_step_leaves_the_bits_of_the_fault_free_run()
    {
        var samples = new GaussianSamples(64);
        var recipe = new RunRecipe(
            new ModelSpec([samples.Features, 8, samples.Classes], ActivationKind.Tanh, HeadKind.SoftmaxCrossEntropy),
            new TrainingPlan(samples.Count, Epochs: 2, Batch: 16, MicroShards: 4, Seed: 3),
            samples, samples.Fingerprint, new OptimizerSettings(OptimizerKind.Momentum), new LrSchedule(0.1f));

        await using var cluster = new ClusterFixture(recipe, workers: 2);
        cluster.Faults.At("worker-2", step: 2, FaultPhase.WeightsArrived).Kill();

        var outcome = await cluster.RunAsync();

        Assert.True(outcome.Succeeded, outcome.Message);
        Assert.Contains(cluster.Faults.Fired, f => f.Kind == FaultKind.Kill);
        cluster.AssertBitIdenticalToFaultFreeRun();
    }
}
