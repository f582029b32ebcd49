namespace ActorMlp.TestKit;

/// <summary>A run's parameters are not the bits of the run they were compared with; the message names the first difference.</summary>
public sealed class BitIdentityException(string message) : Exception(message);
