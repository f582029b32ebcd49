using ActorMlp.Core.Model;
using ActorMlp.Core.Optim;
using ActorMlp.Core.Training;

namespace ActorMlp.Core.Tests;

public class TrainerStateTests
{
    static readonly ModelSpec Spec = new([4, 8, 3], ActivationKind.Tanh, HeadKind.SoftmaxCrossEntropy);

    static Trainer NewTrainer(OptimizerKind kind)
    {
        var plan = new TrainingPlan(64, 2, 16, 4, 3);
        var parameters = Initializer.Create(Spec, InitKind.Auto, plan.Seed);
        return new Trainer(new Mlp(Spec), plan, parameters, Optimizer.Create(new OptimizerSettings(kind), parameters.Length), new LrSchedule(0.1f));
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd)]
    [InlineData(OptimizerKind.Momentum)]
    [InlineData(OptimizerKind.Adam)]
    public void A_restored_trainer_continues_with_the_bits_of_the_captured_one(OptimizerKind kind)
    {
        var model = new Mlp(Spec);
        var samples = new Synthetic();
        var a = NewTrainer(kind);
        var engine = new LocalGradientEngine(model, samples, a.Plan);
        for (int i = 0; i < 3; i++) if (a.Apply(engine.ComputeRoot(a.Parameters, a.Current))) a.StartEpoch();

        var b = NewTrainer(kind);
        b.Restore(TrainerState.FromBytes(TrainerState.Capture(a).ToBytes(), a.Parameters.Length));
        Assert.Equal(a.Step, b.Step);
        Assert.Equal(a.EpochLoss, b.EpochLoss);
        while (!a.Finished)
        {
            if (a.Apply(engine.ComputeRoot(a.Parameters, a.Current))) a.StartEpoch();
            if (b.Apply(engine.ComputeRoot(b.Parameters, b.Current))) b.StartEpoch();
        }
        Assert.Equal(a.Parameters, b.Parameters);
    }

    [Fact]
    public void A_state_of_another_model_or_a_cut_one_is_refused_by_name()
    {
        var bytes = TrainerState.Capture(NewTrainer(OptimizerKind.Momentum)).ToBytes();
        var other = Assert.Throws<InvalidDataException>(() => TrainerState.FromBytes(bytes, 12));
        Assert.Contains("parameters", other.Message);
        var cut = Assert.Throws<InvalidDataException>(() => TrainerState.FromBytes(bytes.AsSpan(0, bytes.Length - 4), new ParameterLayout(Spec).Count));
        Assert.Contains("bytes", cut.Message);
        Assert.Throws<InvalidDataException>(() => TrainerState.FromBytes(new byte[3], 1));
    }

    [Fact]
    public void Advance_counts_a_step_applied_elsewhere_like_apply_does()
    {
        var t = NewTrainer(OptimizerKind.Sgd);
        bool ended = false;
        for (int i = 0; i < 4; i++) ended = t.Advance(2.0, 1.0);
        Assert.True(ended);
        Assert.Equal(4, t.Step);
        Assert.Equal(8.0, t.EpochLoss);
    }

    sealed class Synthetic : ISampleSource
    {
        public int Count => 64;
        public int Features => 4;
        public int TargetWidth => 1;

        public void Fill(ReadOnlySpan<int> indices, Span<float> x, Span<float> targets)
        {
            for (int i = 0; i < indices.Length; i++)
            {
                for (int f = 0; f < 4; f++) x[i * 4 + f] = MathF.Sin(indices[i] * 0.37f + f);
                targets[i] = indices[i] % 3;
            }
        }
    }
}
