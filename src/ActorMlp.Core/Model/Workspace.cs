namespace ActorMlp.Core.Model;

/// <summary>
/// Every buffer one forward and backward pass needs for up to <see cref="MaxRows"/> samples,
/// allocated once per (model, shard size) so that a training step allocates nothing.
/// </summary>
public sealed class Workspace
{
    public int MaxRows { get; }

    /// <summary>Pre-activations per dense layer, (rows, pre-activations); the last one holds the logits.</summary>
    internal readonly float[][] Z;

    /// <summary>Activations per hidden layer, (rows, units).</summary>
    internal readonly float[][] A;

    /// <summary>Two ping-pong buffers for δ of the widest layer.</summary>
    internal readonly float[] DeltaA, DeltaB;

    /// <summary>Input rows and targets of one shard, filled by the caller.</summary>
    public float[] Inputs { get; }
    public float[] Targets { get; }

    internal Workspace(ModelSpec spec, int targetWidth, int maxRows)
    {
        MaxRows = Math.Max(1, maxRows);
        int layers = spec.DenseLayers;
        Z = new float[layers][];
        A = new float[layers - 1][];
        int widest = spec.Inputs;
        for (int l = 0; l < layers; l++)
        {
            Z[l] = new float[MaxRows * spec.PreActivations(l)];
            if (l < layers - 1) A[l] = new float[MaxRows * spec.Layers[l + 1]];
            widest = Math.Max(widest, spec.PreActivations(l));
        }
        DeltaA = new float[MaxRows * widest];
        DeltaB = new float[MaxRows * widest];
        Inputs = new float[MaxRows * spec.Inputs];
        Targets = new float[MaxRows * targetWidth];
    }
}
