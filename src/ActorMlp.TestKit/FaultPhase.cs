namespace ActorMlp.TestKit;

/// <summary>Where in a step a fault acts, seen from the worker it acts on.</summary>
public enum FaultPhase
{
    /// <summary>
    /// The worker has read the weights of the step from its tensor link and is about to compute
    /// (the socket link only: the Akka-message link delivers weights as actor messages, which the kit does not touch).
    /// </summary>
    WeightsArrived,

    /// <summary>The worker has computed a subtree of the step and is about to send it; a frame fault acts on each of the step's subtree frames.</summary>
    SubtreeSending,
}
