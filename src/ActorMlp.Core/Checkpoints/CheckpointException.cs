namespace ActorMlp.Core.Checkpoints;

/// <summary>A checkpoint file that cannot be trusted; the message names the file and the reason.</summary>
public sealed class CheckpointException(string message, Exception? inner = null) : Exception(message, inner);
