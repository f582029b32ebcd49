namespace ActorMlp.Core.Training;

/// <summary>
/// The mini-batch of --batch auto: <see cref="Max"/>, halved while an epoch would have fewer than
/// <see cref="StepsPerEpoch"/> steps and the half is still at least <see cref="Min"/>; never more
/// than the training set. Large sets keep the large batch the kernels are fastest at; a table of a
/// few hundred rows gets enough steps per epoch to learn in the default ten epochs.
/// </summary>
internal sealed record AutoBatch(int Min, int Max, int StepsPerEpoch)
{
    public int For(int trainSamples)
    {
        int batch = Max;
        while (batch / 2 >= Min && trainSamples / batch < StepsPerEpoch) batch /= 2;
        return Math.Max(1, Math.Min(batch, trainSamples));
    }
}
