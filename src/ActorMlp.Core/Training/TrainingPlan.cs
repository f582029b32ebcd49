using ActorMlp.Core.Determinism;

namespace ActorMlp.Core.Training;

/// <summary>
/// The shape of a run: how many epochs of how many full batches, cut into how many leaves.
/// Each epoch visits ⌊N/B⌋ full batches in a fresh seeded order; the few samples past the last
/// full batch are visited in other epochs, since the order changes every epoch.
/// </summary>
public sealed record TrainingPlan(int TrainSamples, int Epochs, int Batch, int MicroShards, ulong Seed)
{
    public long StepsPerEpoch => TrainSamples / Batch;
    public long TotalSteps => StepsPerEpoch * Epochs;

    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentException($"epochs must be at least 1, got {Epochs}");
        if (Batch < 1) throw new ArgumentException($"the batch size must be at least 1, got {Batch}");
        if (!ShardPlan.IsPowerOfTwo(MicroShards) || MicroShards > 1 << 20)
            throw new ArgumentException($"micro-shards must be a power of two, got {MicroShards}");
        if (Batch > TrainSamples)
            throw new ArgumentException($"the batch size {Batch} is larger than the {TrainSamples} training samples");
    }

    public StepAssignment Assignment(long step) => new(step, (int)(step / StepsPerEpoch), (int)(step % StepsPerEpoch));
}

/// <summary>Global step t is batch <see cref="Batch"/> of epoch <see cref="Epoch"/>.</summary>
public readonly record struct StepAssignment(long Step, int Epoch, int Batch);
