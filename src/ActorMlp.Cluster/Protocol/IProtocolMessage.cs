namespace ActorMlp.Cluster.Protocol;

/// <summary>
/// Marks every message that crosses nodes; HOCON binds them all to <see cref="Serialization.ProtocolSerializer"/>.
/// </summary>
internal interface IProtocolMessage;
