using System.Runtime.InteropServices;
using ActorMlp.Core.Tensors;

namespace ActorMlp.Cluster.Links;

// node is (n) floats: the gradient, then the loss sum and the correct count; the wire form is (n + 2) ushorts.
/// <summary>
/// A subtree value in bfloat16 for the wire: the gradient rounded to bfloat16, the two metrics kept
/// as whole floats (a correct count past 256 does not survive bfloat16), 2·n + 4 bytes in all.
/// </summary>
internal static class SubtreeWire16
{
    public static int Length(int nodeLength) => nodeLength + 2;

    public static void Narrow(ReadOnlySpan<float> node, Span<ushort> wire)
    {
        int g = node.Length - 2;
        BFloat16.Narrow(node[..g], wire[..g]);
        MemoryMarshal.Cast<float, ushort>(node[g..]).CopyTo(wire.Slice(g, 4));
    }

    public static void Widen(ReadOnlySpan<ushort> wire, Span<float> node)
    {
        int g = node.Length - 2;
        BFloat16.Widen(wire[..g], node[..g]);
        MemoryMarshal.Cast<ushort, float>(wire.Slice(g, 4)).CopyTo(node[g..]);
    }
}
