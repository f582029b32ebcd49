using System.Numerics.Tensors;
using ActorMlp.Core.Model;
using ActorMlp.Core.Optim;

namespace ActorMlp.Core.Training;

/// <summary>
/// The optimizer side of a run: takes each step's root (the summed gradient of the batch plus its
/// loss and correct count), turns it into the batch mean, and updates the parameters. Whoever
/// produces the root — this process alone, or workers across a cluster — the updates are the same.
/// </summary>
public sealed class Trainer
{
    readonly Mlp _model;
    readonly LrSchedule _schedule;

    public TrainingPlan Plan { get; }
    public float[] Parameters { get; }
    public Optimizer Optimizer { get; }

    /// <summary>Steps applied so far; the next step to compute.</summary>
    public long Step { get; private set; }

    /// <summary>Loss sum, correct count and samples of the epoch in progress.</summary>
    public double EpochLoss { get; private set; }
    public double EpochCorrect { get; private set; }

    public Trainer(Mlp model, TrainingPlan plan, float[] parameters, Optimizer optimizer, LrSchedule schedule,
        long step = 0, double epochLoss = 0, double epochCorrect = 0)
    {
        if (parameters.Length != model.Layout.Count)
            throw new ArgumentException($"the model has {model.Layout.Count} parameters, got {parameters.Length}");
        _model = model;
        _schedule = schedule;
        Plan = plan;
        Parameters = parameters;
        Optimizer = optimizer;
        Step = step;
        EpochLoss = epochLoss;
        EpochCorrect = epochCorrect;
    }

    public bool Finished => Step >= Plan.TotalSteps;

    public StepAssignment Current => Plan.Assignment(Step);

    public float LearningRate => _schedule.At(Step, Plan.StepsPerEpoch, Plan.TotalSteps);

    public LrSchedule Schedule => _schedule;

    /// <summary>
    /// Applies the root of the current step (length NodeLength; overwritten). Returns true when
    /// this step completed an epoch; read the epoch's metrics first, then call <see cref="StartEpoch"/>.
    /// </summary>
    public bool Apply(Span<float> root) => Apply(root, ReadOnlySpan<float>.Empty);

    /// <summary>
    /// The same for a root given as its two halves (root = left + right, elementwise; left is
    /// overwritten): the sum is formed inside the optimizer's pass, with the same bits as summing first.
    /// An empty right means left is the whole root.
    /// </summary>
    /// <param name="copyTo">When not empty, also receives the new parameters, written in the optimizer's pass.</param>
    internal bool Apply(Span<float> left, ReadOnlySpan<float> right, Span<float> copyTo = default)
    {
        if (Finished) throw new InvalidOperationException("the run has no steps left");
        int n = _model.Layout.Count;
        if (!right.IsEmpty)
        {
            left[n] += right[n];
            left[n + 1] += right[n + 1];
        }
        var (loss, correct) = _model.Metrics(left);
        if (!double.IsFinite(loss))
            throw new ArithmeticException($"the loss of step {Step} is not finite; lower the learning rate");
        Optimizer.Step(Parameters, left[..n], LearningRate, 1f / Plan.Batch, right.IsEmpty ? right : right[..n], copyTo);
        EpochLoss += loss;
        EpochCorrect += correct;
        Step++;
        return Step % Plan.StepsPerEpoch == 0;
    }

    /// <summary>Mean loss and accuracy of the steps of the epoch in progress.</summary>
    public (double Loss, double Accuracy) EpochMetrics()
    {
        long steps = Step % Plan.StepsPerEpoch == 0 && Step > 0 ? Plan.StepsPerEpoch : Step % Plan.StepsPerEpoch;
        double samples = Math.Max(1, steps * Plan.Batch);
        return (EpochLoss / samples, EpochCorrect / samples);
    }

    /// <summary>
    /// Counts the current step as applied elsewhere — the workers of a peer-to-peer run each apply it
    /// to their own replica — with its loss sum and correct count, so this trainer's position and the
    /// epoch's metrics follow without the weights; <see cref="Restore"/> brings those when needed.
    /// Returns true when the step completed an epoch, as <see cref="Apply(Span{float})"/> does.
    /// </summary>
    internal bool Advance(double loss, double correct)
    {
        if (Finished) throw new InvalidOperationException("the run has no steps left");
        EpochLoss += loss;
        EpochCorrect += correct;
        Step++;
        return Step % Plan.StepsPerEpoch == 0;
    }

    /// <summary>Takes over a state captured from a trainer of the same run (<see cref="TrainerState.Capture"/>).</summary>
    internal void Restore(TrainerState state)
    {
        if (state.Parameters.Length != Parameters.Length)
            throw new ArgumentException($"the state holds {state.Parameters.Length} parameters; the model has {Parameters.Length}");
        Optimizer.Restore(state.OptimizerState, state.OptimizerSteps);
        state.Parameters.CopyTo(Parameters, 0);
        Step = state.Step;
        EpochLoss = state.EpochLoss;
        EpochCorrect = state.EpochCorrect;
    }

    public void StartEpoch()
    {
        EpochLoss = 0;
        EpochCorrect = 0;
    }
}
