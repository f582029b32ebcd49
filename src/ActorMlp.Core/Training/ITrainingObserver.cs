namespace ActorMlp.Core.Training;

/// <summary>
/// Told of every applied step, by whichever driver produced it (the in-process loop or the cluster
/// coordinator), so progress, metrics, evaluation and checkpoints behave the same in both.
/// </summary>
public interface ITrainingObserver
{
    /// <param name="step">The step just applied.</param>
    /// <param name="epochEnded">True when it completed an epoch; the observer reads the epoch metrics, then the driver calls StartEpoch.</param>
    /// <param name="trainSeconds">Seconds spent in training steps so far, evaluation excluded.</param>
    void StepApplied(Trainer trainer, StepAssignment step, bool epochEnded, double trainSeconds);

    /// <summary>Saves the trainer's state now (before a graceful stop or giving up), so the run can be resumed.</summary>
    void Checkpoint(Trainer trainer);
}
