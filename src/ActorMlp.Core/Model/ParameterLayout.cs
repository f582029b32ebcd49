namespace ActorMlp.Core.Model;

/// <summary>
/// Where each layer's weights live in the one flat parameter array: per dense layer, W as
/// (rows = pre-activations, cols = inputs) row-major, then b (rows). Gradients use the same layout.
/// </summary>
public sealed class ParameterLayout
{
    public readonly record struct Dense(int Inputs, int Rows, int WeightOffset, int BiasOffset)
    {
        public int WeightCount => Inputs * Rows;
    }

    public IReadOnlyList<Dense> Layers { get; }

    /// <summary>Number of parameters.</summary>
    public int Count { get; }

    public ParameterLayout(ModelSpec spec)
    {
        var layers = new Dense[spec.DenseLayers];
        long offset = 0;
        for (int l = 0; l < layers.Length; l++)
        {
            int inputs = spec.Layers[l], rows = spec.PreActivations(l);
            long w = offset, b = w + (long)inputs * rows;
            offset = b + rows;
            if (offset > Array.MaxLength)
                throw new ArgumentException($"the model {spec} has more parameters than one array can hold");
            layers[l] = new Dense(inputs, rows, (int)w, (int)b);
        }
        Layers = layers;
        Count = (int)offset;
    }
}
