using ActorMlp.Core.Model;
using ActorMlp.Core.Optim;
using ActorMlp.Core.Training;

namespace ActorMlp.TestKit;

/// <summary>
/// Everything that fixes a run's bits: the model, the plan (its seed included), the training samples with
/// their fingerprint, the optimizer, the learning-rate schedule and the initialization. A cluster run and
/// the in-process reference built from the same recipe must end on the same parameters, bit for bit.
/// </summary>
public sealed record RunRecipe(
    ModelSpec Spec,
    TrainingPlan Plan,
    ISampleSource Samples,
    string Fingerprint,
    OptimizerSettings Optimizer,
    LrSchedule Schedule,
    InitKind Init = InitKind.Auto)
{
    /// <summary>A fresh trainer at step 0: what a coordinator of this recipe starts from.</summary>
    public Trainer NewTrainer()
    {
        var parameters = Initializer.Create(Spec, Init, Plan.Seed);
        return new Trainer(new Mlp(Spec), Plan, parameters, Core.Optim.Optimizer.Create(Optimizer, parameters.Length), Schedule);
    }

    /// <summary>The fault-free reference: the whole plan trained in this process, on one thread, without actors.</summary>
    public float[] TrainLocally()
    {
        var trainer = NewTrainer();
        var engine = new LocalGradientEngine(new Mlp(Spec), Samples, Plan, 1);
        while (!trainer.Finished)
            if (trainer.Apply(engine.ComputeRoot(trainer.Parameters, trainer.Current))) trainer.StartEpoch();
        return trainer.Parameters;
    }
}
