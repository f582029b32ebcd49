using ActorMlp.Core.Determinism;
using ActorMlp.Core.Model;

namespace ActorMlp.Core.Training;

/// <summary>
/// Computes tree nodes in this process on T threads: the node is cut at the level below it that has
/// 2^⌊log₂T⌋ subtrees (no more than it has leaves), each thread computes whole subtrees, and the
/// parts are summed pairwise in tree order, so the bits do not depend on the thread count. The
/// coordinator-less trainer asks it for each step's root; a worker for the nodes of its range.
/// </summary>
public sealed class LocalGradientEngine
{
    readonly LeafComputer[] _computers;
    readonly float[][] _partValues;
    readonly TreeNode _root;
    readonly int _threads;
    readonly int _parameterCount;
    readonly int _rounded;

    /// <param name="precision">How the tree's nodes hold the gradient; part of a run's bits, as the plan is.</param>
    public LocalGradientEngine(Mlp model, ISampleSource samples, TrainingPlan plan, int threads = 1, GradientPrecision precision = GradientPrecision.Float32)
    {
        Precision = precision;
        _rounded = precision == GradientPrecision.BFloat16 ? model.Layout.Count : 0;
        _root = TreeNode.Root(plan.MicroShards);
        _parameterCount = model.Layout.Count;
        _threads = 1;
        while (_threads * 2 <= threads && _threads * 2 <= plan.MicroShards) _threads *= 2;
        _computers = Enumerable.Range(0, _threads).Select(_ => new LeafComputer(model, samples, plan, precision)).ToArray();
        _partValues = Enumerable.Range(0, _threads).Select(_ => new float[model.NodeLength]).ToArray();
    }

    public GradientPrecision Precision { get; }

    /// <summary>
    /// Computes step 0's root once, on zero weights, and throws it away. The first compute of a
    /// process JIT-compiles the kernels and touches every workspace (about 0.1 s on Fashion-MNIST);
    /// done here, before training, that cost is not charged to the first step, which in a cluster
    /// would hold up every other worker.
    /// </summary>
    public void WarmUp() => ComputeParts(new float[_parameterCount], new StepAssignment(0, 0, 0), _root);

    /// <summary>The root of step <paramref name="step"/> for the given parameters; the returned buffer is reused next call.</summary>
    public float[] ComputeRoot(float[] parameters, StepAssignment step)
    {
        ComputeParts(parameters, step, _root);
        return _partValues[0];
    }

    /// <summary>Writes the value of <paramref name="node"/> of step <paramref name="step"/>'s tree.</summary>
    internal void ComputeNode(float[] parameters, StepAssignment step, TreeNode node, Span<float> result)
        => ComputeNode(parameters, step, node, result, default);

    /// <summary>The value of <paramref name="node"/> of step <paramref name="step"/>'s tree, in a buffer reused next call.</summary>
    internal float[] ComputeNode(float[] parameters, StepAssignment step, TreeNode node)
    {
        ComputeParts(parameters, step, node);
        return _partValues[0];
    }

    /// <summary>
    /// Writes the value of <paramref name="node"/> into <paramref name="result"/>, its first layer's weight
    /// gradient in the parts given, each reported as soon as it is final (<see cref="NodeParts"/>). On
    /// several threads the node is summed from whole subtrees, so every part is reported at the end.
    /// </summary>
    internal void ComputeNode(float[] parameters, StepAssignment step, TreeNode node, Span<float> result, NodeParts parts)
    {
        if (Math.Min(_threads, node.LeafCount) == 1)
        {
            _computers[0].ComputeNode(parameters, step, node, result, parts);
            return;
        }
        ComputeParts(parameters, step, node);
        _partValues[0].AsSpan(0, result.Length).CopyTo(result);
        for (int i = 0; i < parts.FirstLayerRows.Length; i++) parts.Done?.Invoke(i);
    }

    // Leaves the node's value in _partValues[0].
    void ComputeParts(float[] parameters, StepAssignment step, TreeNode node)
    {
        int parts = Math.Min(_threads, node.LeafCount);
        if (parts == 1)
        {
            _computers[0].ComputeNode(parameters, step, node, _partValues[0]);
            return;
        }
        ComputeInParallel(parameters, step, node, parts);
        for (int width = 1; width < parts; width *= 2)
            for (int i = 0; i + width < parts; i += 2 * width)
                SubtreeReducer.Combine(_partValues[i], _partValues[i + width], _rounded);
    }

    // Apart from ComputeParts: the lambda's captures would otherwise be allocated on every call, threads or not.
    void ComputeInParallel(float[] parameters, StepAssignment step, TreeNode node, int parts)
    {
        int level = node.Level - System.Numerics.BitOperations.Log2((uint)parts);
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts },
            i => _computers[i].ComputeNode(parameters, step, new TreeNode(level, node.Index * parts + i), _partValues[i]));
    }
}
