using ActorMlp.Core.Determinism;
using ActorMlp.Core.Model;
using ActorMlp.Core.Optim;
using ActorMlp.Core.Training;

namespace ActorMlp.Core.Tests;

public class TrainingTests
{
    /// <summary>Two Gaussian blobs in 3-D with a class index target.</summary>
    sealed class Blobs : ISampleSource
    {
        readonly float[] _x;
        readonly float[] _y;

        public Blobs(int count, int seed)
        {
            var rng = new SplitMix64((ulong)seed);
            _x = new float[count * 3];
            _y = new float[count];
            for (int i = 0; i < count; i++)
            {
                _y[i] = i % 2;
                for (int j = 0; j < 3; j++) _x[i * 3 + j] = (float)(rng.NextGaussian() + (i % 2 == 0 ? -1.5 : 1.5));
            }
        }

        public int Count => _y.Length;
        public int Features => 3;
        public int TargetWidth => 1;

        public void Fill(ReadOnlySpan<int> indices, Span<float> x, Span<float> targets)
        {
            for (int i = 0; i < indices.Length; i++)
            {
                _x.AsSpan(indices[i] * 3, 3).CopyTo(x.Slice(i * 3, 3));
                targets[i] = _y[indices[i]];
            }
        }
    }

    static (float[] Parameters, Evaluation Test) Train(int threads, ulong seed = 1, GradientPrecision precision = GradientPrecision.Float32)
    {
        var spec = new ModelSpec([3, 8, 2], ActivationKind.Relu, HeadKind.SoftmaxCrossEntropy);
        var model = new Mlp(spec);
        var data = new Blobs(200, 1);
        var plan = new TrainingPlan(data.Count, Epochs: 3, Batch: 20, MicroShards: 8, seed);
        var parameters = Initializer.Create(spec, InitKind.Auto, seed);
        var trainer = new Trainer(model, plan, parameters, Optimizer.Create(new OptimizerSettings(OptimizerKind.Momentum), parameters.Length), new LrSchedule(0.1f));
        var engine = new LocalGradientEngine(model, data, plan, threads, precision);
        while (!trainer.Finished) trainer.Apply(engine.ComputeRoot(trainer.Parameters, trainer.Current));
        return (parameters, new Evaluator(model).Evaluate(parameters, new Blobs(100, 2)));
    }

    [Fact]
    public void Training_learns_a_separable_problem()
        => Assert.True(Train(1).Test.Accuracy > 0.95);

    [Fact]
    public void Thread_count_does_not_change_a_bit()
    {
        var one = Train(1).Parameters;
        Assert.Equal(one, Train(2).Parameters);
        Assert.Equal(one, Train(3).Parameters);
        Assert.Equal(one, Train(8).Parameters);
        Assert.NotEqual(one, Train(1, seed: 2).Parameters);
    }

    [Fact]
    public void A_bfloat16_tree_learns_and_the_thread_count_does_not_change_a_bit()
    {
        var (one, test) = Train(1, precision: GradientPrecision.BFloat16);
        Assert.True(test.Accuracy > 0.95);
        Assert.NotEqual(Train(1).Parameters, one);
        Assert.Equal(one, Train(2, precision: GradientPrecision.BFloat16).Parameters);
        Assert.Equal(one, Train(8, precision: GradientPrecision.BFloat16).Parameters);
    }

    [Fact]
    public void Threads_split_any_node_without_changing_a_bit()
    {
        var spec = new ModelSpec([3, 8, 2], ActivationKind.Relu, HeadKind.SoftmaxCrossEntropy);
        var model = new Mlp(spec);
        var data = new Blobs(200, 1);
        var plan = new TrainingPlan(data.Count, 1, 40, 16, 7);
        var parameters = Initializer.Create(spec, InitKind.Auto, 7);
        var step = new StepAssignment(2, 0, 2);
        var one = new float[model.NodeLength];
        var many = new float[model.NodeLength];
        foreach (var node in new[] { new TreeNode(2, 1), new TreeNode(3, 1), new TreeNode(0, 5), TreeNode.Root(16) })
        {
            new LocalGradientEngine(model, data, plan, 1).ComputeNode(parameters, step, node, one);
            new LocalGradientEngine(model, data, plan, 4).ComputeNode(parameters, step, node, many);
            Assert.Equal(one, many);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Warm_up_leaves_no_trace_in_the_first_step(int threads)
    {
        var spec = new ModelSpec([3, 8, 2], ActivationKind.Relu, HeadKind.SoftmaxCrossEntropy);
        var model = new Mlp(spec);
        var data = new Blobs(200, 1);
        var plan = new TrainingPlan(data.Count, 1, 40, 16, 7);
        var parameters = Initializer.Create(spec, InitKind.Auto, 7);
        var step = plan.Assignment(0);
        var cold = new LocalGradientEngine(model, data, plan, threads).ComputeRoot(parameters, step);
        var engine = new LocalGradientEngine(model, data, plan, threads);
        engine.WarmUp();
        var warm = engine.ComputeRoot(parameters, step);
        Assert.Equal(cold, warm);
        Assert.Contains(warm, v => v != 0);
    }

    [Fact]
    public void Plan_counts_full_batches_and_refuses_bad_shapes()
    {
        var plan = new TrainingPlan(1000, 3, 128, 16, 1);
        Assert.Equal(7, plan.StepsPerEpoch);
        Assert.Equal(21, plan.TotalSteps);
        Assert.Equal(new StepAssignment(9, 1, 2), plan.Assignment(9));
        Assert.Throws<ArgumentException>(() => new TrainingPlan(10, 1, 11, 4, 1).Validate());
        Assert.Throws<ArgumentException>(() => new TrainingPlan(10, 1, 5, 3, 1).Validate());
    }
}
