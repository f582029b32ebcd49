namespace ActorMlp.Core.Optim;

/// <summary>
/// Updates the flat parameter array from the batch-mean gradient. Its state (velocity, moments,
/// step count) is plain float arrays so a checkpoint can save and restore it bit for bit.
/// </summary>
public abstract class Optimizer
{
    // Only the optimizers of this assembly derive from it: Create makes them.
    private protected Optimizer() { }

    /// <summary>Updates applied so far (Adam's bias correction uses it).</summary>
    public long Steps { get; internal set; }

    /// <summary>State buffers, each as long as the parameters.</summary>
    public abstract float[][] State { get; }

    // w is (P), g is (P); g may be overwritten
    /// <summary>
    /// One update from (g + <paramref name="addend"/>)·<paramref name="gradientScale"/>: the trainer passes
    /// 1/B to turn a batch sum into a mean, and the second half of the tree's root as the addend, so the
    /// root's last sum costs no pass of its own. An empty addend adds nothing. The new weights are also
    /// written to <paramref name="copyTo"/> when it is not empty (the coordinator's outgoing snapshot),
    /// in the same pass.
    /// </summary>
    internal void Step(Span<float> w, Span<float> g, float learningRate, float gradientScale = 1f, ReadOnlySpan<float> addend = default,
        Span<float> copyTo = default)
    {
        if (w.Length != g.Length) throw new ArgumentException("parameters and gradient differ in length");
        if (!addend.IsEmpty && addend.Length != g.Length) throw new ArgumentException("the gradient's halves differ in length");
        if (!copyTo.IsEmpty && copyTo.Length != w.Length) throw new ArgumentException("the copy of the weights differs in length");
        Steps++;
        Apply(w, g, learningRate, gradientScale, addend, copyTo);
    }

    private protected abstract void Apply(Span<float> w, Span<float> g, float lr, float scale, ReadOnlySpan<float> addend, Span<float> copyTo);

    /// <summary>Puts back state saved from an optimizer of the same kind and size (a checkpoint's).</summary>
    public void Restore(float[][] state, long steps)
    {
        var own = State;
        if (state.Length != own.Length || state.Where((s, i) => s.Length != own[i].Length).Any())
            throw new ArgumentException($"the saved optimizer state has {state.Length} buffers of {string.Join("/", state.Select(s => s.Length))} floats; this optimizer needs {own.Length} of {string.Join("/", own.Select(s => s.Length))}");
        for (int i = 0; i < own.Length; i++) state[i].CopyTo(own[i], 0);
        Steps = steps;
    }

    public static Optimizer Create(OptimizerSettings settings, int parameters) => settings.Kind switch
    {
        OptimizerKind.Adam or OptimizerKind.AdamW => new AdamOptimizer(settings, parameters),
        _ => new SgdOptimizer(settings, parameters),
    };
}
