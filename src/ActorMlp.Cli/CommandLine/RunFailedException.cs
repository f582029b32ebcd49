namespace ActorMlp.Cli.CommandLine;

/// <summary>A run that started and could not finish (diverged, lost its workers for good); exit code 1.</summary>
internal sealed class RunFailedException(string message) : Exception(message);
