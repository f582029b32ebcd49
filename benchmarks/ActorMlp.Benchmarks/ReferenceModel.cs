using ActorMlp.Core.Model;

namespace ActorMlp.Benchmarks;

/// <summary>
/// The model every comparison in this suite is about: 784-256-128-10, ReLU, softmax cross-entropy,
/// He-initialized from seed 1 — the same network the PyTorch peer trains, so a figure here can be
/// read next to the peer's.
/// </summary>
public static class ReferenceModel
{
    public static readonly int[] Layers = [784, 256, 128, 10];

    public static ModelSpec Spec => new(Layers, ActivationKind.Relu, HeadKind.SoftmaxCrossEntropy);

    public static float[] InitialParameters(ModelSpec spec) => Initializer.Create(spec, InitKind.He, seed: 1);
}
