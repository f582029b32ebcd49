namespace ActorMlp.Core.Optim;

public enum OptimizerKind { Sgd, Momentum, Nesterov, Adam, AdamW }

internal static class OptimizerKindNames
{
    public static string ToName(this OptimizerKind kind) => kind.ToString().ToLowerInvariant();

    public static bool TryParse(string name, out OptimizerKind kind)
        => Enum.TryParse(name.Trim(), ignoreCase: true, out kind) && Enum.IsDefined(kind) && !int.TryParse(name, out _);

    public static string Choices => string.Join(", ", Enum.GetValues<OptimizerKind>().Select(k => k.ToName()));
}
