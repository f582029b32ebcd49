namespace ActorMlp.Cluster.Hosting;

/// <summary>A node's management endpoint could not listen where it was told to; the message names the address and the flags.</summary>
internal sealed class ManagementEndpointException(string message, Exception? inner = null) : Exception(message, inner);
