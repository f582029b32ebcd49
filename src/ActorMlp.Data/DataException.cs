namespace ActorMlp.Data;

/// <summary>Bad input data: the message is one sentence naming the file, line or field at fault.</summary>
public sealed class DataException(string message, Exception? inner = null) : Exception(message, inner);
