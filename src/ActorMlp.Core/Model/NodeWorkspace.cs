namespace ActorMlp.Core.Model;

/// <summary>
/// Buffers for computing a whole reduction-tree node at once (<see cref="NodeBackprop"/>): activations
/// and deltas for every row of the node.
/// Allocated once per (model, largest node) so that a step allocates nothing.
/// </summary>
internal sealed class NodeWorkspace
{
    public int MaxRows { get; }
    internal readonly float[][] Z, A;
    internal readonly float[] DeltaA, DeltaB;
    public float[] Inputs { get; }
    public float[] Targets { get; }

    public NodeWorkspace(ModelSpec spec, int targetWidth, int maxRows)
    {
        MaxRows = Math.Max(1, maxRows);
        int layers = spec.DenseLayers, widest = spec.Inputs;
        Z = new float[layers][];
        A = new float[layers - 1][];
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
