namespace ActorMlp.Cli.Runs;

/// <summary>The facts of a finished run, written as summary.json (snake_case keys).</summary>
internal sealed record Summary
{
    public required string Dataset { get; init; }
    public required string DataFingerprint { get; init; }
    public required string Task { get; init; }
    public required int[] Layers { get; init; }
    public required string Activation { get; init; }
    public required string Loss { get; init; }
    public required string Optimizer { get; init; }
    public required double LearningRate { get; init; }
    /// <summary>"auto" when --lr auto chose the rate by task, else "given".</summary>
    public required string LearningRateChoice { get; init; }
    public required int Epochs { get; init; }
    public required long Steps { get; init; }
    public required int Workers { get; init; }
    public required int Batch { get; init; }
    /// <summary>"auto" when --batch auto fitted the batch to the training set, else "given".</summary>
    public required string BatchChoice { get; init; }
    public required int MicroShards { get; init; }
    public required ulong Seed { get; init; }
    public required int TrainSamples { get; init; }
    public required int TestSamples { get; init; }
    public required double TrainLoss { get; init; }
    public required double TestLoss { get; init; }
    public double? TrainAccuracy { get; init; }
    public double? TestAccuracy { get; init; }
    public double? TestRmse { get; init; }
    public double? BaselineRmse { get; init; }
    public required double SamplesPerSecond { get; init; }
    public required double TrainSeconds { get; init; }
    public required double WallSeconds { get; init; }
    public required int Parameters { get; init; }
    public required string ParametersSha256 { get; init; }
    /// <summary>The kernel path of this process (avx512, avx2, vector128); a cluster's workers report theirs in their logs.</summary>
    public required string Kernel { get; init; }
    /// <summary>fma or mul-add: runs of one class give the same bits on every path.</summary>
    public required string NumericClass { get; init; }
    /// <summary>
    /// fp32, or bf16 where every node of the reduction tree was rounded to bfloat16 as it was formed (a peer
    /// run, or one in this process, with wire-precision bf16): part of what the bits depend on.
    /// </summary>
    public required string GradientPrecision { get; init; }
}
