namespace ActorMlp.Core.Model;

public enum ActivationKind { Sigmoid, Tanh, Relu, LeakyRelu, Swish, Maxout }

internal static class ActivationKindNames
{
    static readonly (string Name, ActivationKind Kind)[] Names =
    {
        ("sigmoid", ActivationKind.Sigmoid), ("tanh", ActivationKind.Tanh), ("relu", ActivationKind.Relu),
        ("leaky-relu", ActivationKind.LeakyRelu), ("swish", ActivationKind.Swish), ("maxout", ActivationKind.Maxout),
    };

    public static string ToName(this ActivationKind kind) => Names.First(n => n.Kind == kind).Name;

    public static bool TryParse(string name, out ActivationKind kind)
    {
        string n = name.Trim().ToLowerInvariant();
        if (n is "silu") n = "swish";
        if (n is "leaky_relu" or "leakyrelu") n = "leaky-relu";
        foreach (var (s, k) in Names)
            if (s == n) { kind = k; return true; }
        kind = default;
        return false;
    }

    public static string Choices => string.Join(", ", Names.Select(n => n.Name));
}
