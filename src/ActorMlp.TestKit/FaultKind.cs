namespace ActorMlp.TestKit;

/// <summary>What a fault does; see <see cref="FaultRule"/> for what each really does to the node.</summary>
public enum FaultKind { Kill, Pause, Delay, Drop, Corrupt, Partition, Action }
