using MessagePack;

namespace ActorMlp.Cluster.Protocol;

/// <summary>
/// The coordinator has dropped this worker from the run (it did not answer in time, say): it forgets
/// the run and registers again, to be taken back as a joining worker.
/// </summary>
[MessagePackObject]
internal sealed record RejoinRun([property: Key(0)] string Reason) : IProtocolMessage;
