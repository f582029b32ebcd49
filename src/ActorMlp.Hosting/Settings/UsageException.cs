namespace ActorMlp.Hosting.Settings;

/// <summary>A bad command line or configuration; the command exits with code 2 and this sentence.</summary>
public sealed class UsageException(string message, Exception? inner = null) : Exception(message, inner);
