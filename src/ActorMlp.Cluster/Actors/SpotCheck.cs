using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using ActorMlp.Cluster.Links;
using ActorMlp.Core.Determinism;
using ActorMlp.Core.Model;
using ActorMlp.Core.Training;

namespace ActorMlp.Cluster.Actors;

/// <summary>
/// The coordinator's check on authenticated workers (verify-fraction): it computes a fraction of the
/// subtrees they send again, on the weights it sent them, and compares the bits. Any copy of a tree
/// node has the same bits wherever it was computed, so a difference is a wrong value, never noise.
/// Which nodes are checked is a keyed hash (HMAC-SHA256) of the step and the node, under a key the
/// coordinator never sends: a worker cannot tell which of its subtrees will be checked, not even from
/// the ones it saw checked before (a timing it might measure), and every copy of a chosen node is checked.
/// </summary>
internal sealed class SpotCheck
{
    readonly byte[] _key;
    readonly LocalGradientEngine _engine;
    readonly float[] _widened;
    // Subtrees that crossed a bfloat16 link: the recomputed value takes the same way before it is compared.
    readonly ushort[]? _wire;

    /// <param name="bf16Wire">Whether subtrees arrive in bfloat16 (<see cref="SubtreeWire16"/>), as on a socket link with wire-precision bf16.</param>
    public SpotCheck(double fraction, byte[] key, Mlp model, ISampleSource samples, TrainingPlan plan, bool bf16Wire = false)
    {
        Fraction = fraction;
        _key = key;
        // One thread: the bits do not depend on it, and the coordinator's process also moves every tensor.
        _engine = new LocalGradientEngine(model, samples, plan);
        _widened = new float[model.Layout.Count];
        if (bf16Wire) _wire = new ushort[SubtreeWire16.Length(model.NodeLength)];
    }

    public double Fraction { get; }

    /// <summary>Whether node <paramref name="node"/> of step <paramref name="step"/> is checked: about <paramref name="fraction"/> of all (step, node) pairs, none at 0, all at 1.</summary>
    public static bool Picks(ReadOnlySpan<byte> key, double fraction, long step, TreeNode node)
    {
        if (fraction <= 0) return false;
        if (fraction >= 1) return true;
        Span<byte> message = stackalloc byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(message, step);
        BinaryPrimitives.WriteInt32LittleEndian(message[8..], node.Level);
        BinaryPrimitives.WriteInt32LittleEndian(message[12..], node.Index);
        Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, message, hash);
        return (BinaryPrimitives.ReadUInt64LittleEndian(hash) >> 11) * (1.0 / (1UL << 53)) < fraction;
    }

    public bool Picks(long step, TreeNode node) => Picks(_key, Fraction, step, node);

    /// <summary>
    /// Computes <paramref name="node"/> of <paramref name="step"/> on the weights as the workers received
    /// them (bfloat16 when the link narrows them) and says whether <paramref name="value"/> has its bits,
    /// those of the value as it arrives: on a bfloat16 link, its gradient rounded to bfloat16.
    /// </summary>
    public bool Confirms(WeightsSnapshot weights, StepAssignment step, TreeNode node, float[] value)
    {
        float[] parameters = weights.Values;
        if (weights.Half is { } half)
        {
            Core.Tensors.BFloat16.Widen(half, _widened);
            parameters = _widened;
        }
        var recomputed = _engine.ComputeNode(parameters, step, node).AsSpan(0, value.Length);
        if (_wire is not null)
        {
            SubtreeWire16.Narrow(recomputed, _wire);
            SubtreeWire16.Widen(_wire, recomputed);
        }
        return SameBits(recomputed, value);
    }

    /// <summary>Equal as bit patterns: -0 differs from +0, which a float comparison would let pass.</summary>
    public static bool SameBits(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
        => MemoryMarshal.Cast<float, int>(a).SequenceEqual(MemoryMarshal.Cast<float, int>(b));
}
