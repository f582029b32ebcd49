namespace ActorMlp.Hosting;

/// <summary>A node whose remoting could not listen: the sentence names the address and the settings that choose it.</summary>
internal sealed class NodeStartException(string message, Exception inner) : Exception(message, inner);
