using ActorMlp.Core.Determinism;

namespace ActorMlp.Core.Model;

/// <summary>
/// Seeded initial weights: Xavier/Glorot uniform U(±√(6/(fan_in+fan_out))) or He normal N(0, 2/fan_in),
/// biases zero. Layers are filled in layout order from one SplitMix64 stream, Derive(seed, Initialization).
/// </summary>
public static class Initializer
{
    public static float[] Create(ModelSpec spec, InitKind kind, ulong seed)
    {
        var layout = new ParameterLayout(spec);
        var parameters = new float[layout.Count];
        var rng = new SplitMix64(SplitMix64.Derive(seed, SeedPurpose.Initialization));
        var resolved = Resolve(kind, spec.Activation);
        foreach (var d in layout.Layers)
        {
            var w = parameters.AsSpan(d.WeightOffset, d.WeightCount);
            if (resolved == InitKind.He)
            {
                double std = Math.Sqrt(2.0 / d.Inputs);
                for (int i = 0; i < w.Length; i++) w[i] = (float)(rng.NextGaussian() * std);
            }
            else
            {
                double limit = Math.Sqrt(6.0 / (d.Inputs + d.Rows));
                for (int i = 0; i < w.Length; i++) w[i] = (float)((2.0 * rng.NextDouble() - 1.0) * limit);
            }
        }
        return parameters;
    }

    public static InitKind Resolve(InitKind kind, ActivationKind activation) => kind != InitKind.Auto ? kind
        : activation is ActivationKind.Sigmoid or ActivationKind.Tanh ? InitKind.Xavier : InitKind.He;
}
