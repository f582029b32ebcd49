using ActorMlp.Core.Determinism;
using ActorMlp.Core.Model;

namespace ActorMlp.Core.Training;

/// <summary>
/// Produces each step's root in this process. With T threads the tree is cut at the level that has
/// 2^⌊log₂T⌋ nodes; each thread computes whole subtrees and the assembler sums them in tree order,
/// so the bits do not depend on the thread count.
/// </summary>
public sealed class LocalGradientEngine
{
    readonly LeafComputer[] _computers;
    readonly TreeNode[] _parts;
    readonly float[][] _partValues;
    readonly TreeAssembler _assembler;
    readonly TreeNode _root;

    public LocalGradientEngine(Mlp model, ISampleSource samples, TrainingPlan plan, int threads = 1)
    {
        _root = TreeNode.Root(plan.MicroShards);
        int parts = 1;
        while (parts * 2 <= threads && parts * 2 <= plan.MicroShards) parts *= 2;
        int level = _root.Level - System.Numerics.BitOperations.Log2((uint)parts);
        _parts = Enumerable.Range(0, parts).Select(i => new TreeNode(level, i)).ToArray();
        _computers = Enumerable.Range(0, parts).Select(_ => new LeafComputer(model, samples, plan)).ToArray();
        _partValues = Enumerable.Range(0, parts).Select(_ => new float[model.NodeLength]).ToArray();
        _assembler = new TreeAssembler(plan.MicroShards);
    }

    /// <summary>The root of step <paramref name="step"/> for the given parameters; the returned buffer is reused next call.</summary>
    public float[] ComputeRoot(float[] parameters, StepAssignment step)
    {
        if (_parts.Length == 1)
        {
            _computers[0].ComputeNode(parameters, step, _root, _partValues[0]);
            return _partValues[0];
        }
        return ComputeInParallel(parameters, step);
    }

    // Apart from ComputeRoot so that the single-thread path does not allocate the lambda's closure every step.
    float[] ComputeInParallel(float[] parameters, StepAssignment step)
    {
        Parallel.For(0, _parts.Length, new ParallelOptions { MaxDegreeOfParallelism = _parts.Length },
            i => _computers[i].ComputeNode(parameters, step, _parts[i], _partValues[i]));
        _assembler.Clear();
        for (int i = 0; i < _parts.Length; i++) _assembler.TryAdd(_parts[i], _partValues[i]);
        return _assembler.Root();
    }
}
