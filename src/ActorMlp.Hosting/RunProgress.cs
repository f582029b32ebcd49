namespace ActorMlp.Hosting;

/// <summary>
/// A step the coordinator applied: its number of the run's total, its epoch (1-based) and the epoch's
/// mean training loss and accuracy so far. EpochEnded marks the last step of an epoch, whose figures are the epoch's.
/// </summary>
public sealed record RunProgress(long Step, long TotalSteps, int Epoch, int Epochs, double TrainLoss, double TrainAccuracy, bool EpochEnded);
