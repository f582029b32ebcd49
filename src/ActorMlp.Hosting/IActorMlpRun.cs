using ActorMlp.Cluster.Actors;

namespace ActorMlp.Hosting;

/// <summary>
/// The run a hosted coordinator trains. It starts with the host (the coordinator then waits for its
/// workers) and ends once; <see cref="Completion"/> never faults: a run that failed or was stopped says so in its outcome.
/// </summary>
public interface IActorMlpRun
{
    /// <summary>The coordinator's address, akka.tcp://actormlp@HOST:PORT, for workers' seed nodes; null until the host has started.</summary>
    string? Address { get; }

    /// <summary>The latest step applied; null before the first.</summary>
    RunProgress? Latest { get; }

    /// <summary>Every step applied from now on, ending when the run ends; a reader more than 256 steps behind loses the oldest.</summary>
    IAsyncEnumerable<RunProgress> WatchAsync(CancellationToken cancel = default);

    /// <summary>The outcome and the trained weights.</summary>
    Task<ActorMlpRunResult> Completion { get; }

    /// <summary>Stops the run gracefully: the workers are told, and Completion says Interrupted.</summary>
    void Stop(string reason);
}
