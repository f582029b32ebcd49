namespace ActorMlp.Core.Model;

/// <summary>
/// What a network is: layer sizes from input to output, the hidden activation and the output head.
/// Maxout hidden layers of width h compute h·pieces pre-activations and keep the max of each group.
/// </summary>
public sealed record ModelSpec(int[] Layers, ActivationKind Activation, HeadKind Head, int MaxoutPieces = 2, float LeakySlope = 0.01f)
{
    public int Inputs => Layers[0];
    public int Outputs => Layers[^1];
    public int DenseLayers => Layers.Length - 1;

    /// <summary>Throws <see cref="ArgumentException"/> with a sentence naming what is wrong.</summary>
    public void Validate()
    {
        if (Layers.Length < 2) throw new ArgumentException("a model needs at least an input and an output layer");
        for (int i = 0; i < Layers.Length; i++)
            if (Layers[i] < 1) throw new ArgumentException($"layer {i} has size {Layers[i]}; every layer needs at least one unit");
        if (Activation == ActivationKind.Maxout && MaxoutPieces < 2)
            throw new ArgumentException($"maxout needs at least 2 pieces, got {MaxoutPieces}");
        if (Head == HeadKind.SigmoidLogLoss && Outputs != 1)
            throw new ArgumentException($"the log-loss head has one output, but the last layer has {Outputs}");
        if (Head == HeadKind.SoftmaxCrossEntropy && Outputs < 2)
            throw new ArgumentException("the cross-entropy head needs at least 2 outputs");
        if (!float.IsFinite(LeakySlope)) throw new ArgumentException("the leaky ReLU slope must be finite");
    }

    /// <summary>Pre-activation rows of dense layer l (its W has this many rows).</summary>
    public int PreActivations(int layer)
        => layer < DenseLayers - 1 && Activation == ActivationKind.Maxout ? Layers[layer + 1] * MaxoutPieces : Layers[layer + 1];

    public override string ToString()
        => $"{string.Join('-', Layers)} {Activation.ToName()}{(Activation == ActivationKind.Maxout ? $"({MaxoutPieces})" : "")} {Head.ToName()}";
}
