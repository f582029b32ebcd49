using ActorMlp.Cluster.Hosting;
using ActorMlp.Core.Training;

namespace ActorMlp.Cluster.Actors;

/// <summary>
/// A worker's own side of the run: its id, the cores it offers, its training samples and their
/// fingerprint; the model and plan come from the coordinator. Stopped is told why the worker stopped;
/// Joined, each time a coordinator has taken it into a run or offered it the run's data.
/// A worker without data has no Train and an empty Fingerprint, and FetchData, which turns the
/// coordinator's offer into the samples and their fingerprint (on a thread of its own: it may take a while).
/// WrapLink, when given, wraps the tensor link the worker opens on joining a run, before its first use; it is
/// how ActorMlp.TestKit acts on a worker's frames at a named step. Null (the default) leaves the link as it is.
/// </summary>
internal sealed record WorkerSetup(
    string WorkerId,
    int Cores,
    ISampleSource? Train,
    string Fingerprint,
    ClusterSettings Settings,
    Action<WorkerStopped> Stopped,
    Action? Joined = null,
    Func<Protocol.DataOffered, CancellationToken, (ISampleSource Train, string Fingerprint)>? FetchData = null,
    Func<Links.IWorkerLink, Links.IWorkerLink>? WrapLink = null);

/// <summary>
/// Refused: the coordinator would not take this worker (different data); otherwise the run ended.
/// Allocation: what the worker's steps allocated (<see cref="AllocationMeter"/>), when it ran enough of them.
/// </summary>
public sealed record WorkerStopped(bool Refused, string Reason, string? Allocation = null);
