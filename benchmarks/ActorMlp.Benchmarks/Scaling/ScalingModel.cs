using ActorMlp.Cluster.Actors;
using ActorMlp.Core.Determinism;

namespace ActorMlp.Benchmarks.Scaling;

/// <summary>
/// Predicts the time of one synchronous data-parallel step from measured costs and link figures:
///
///   step = compute(busiest worker's rows, P) + max(bytes sent, bytes received) of the busiest node / link rate
///          + rounds · latency + optimizer(P) + fixed overhead
///
/// Assumptions, all of them optimistic in the same direction so schemes compare like with like:
/// - compute and communication do not overlap (a step's exchange starts when its compute ends);
/// - links are full duplex and a node has one: sending and receiving share nothing, so a node's
///   time on the wire is the larger of the two, and the busiest node sets the pace (for the star a lower
///   bound: the last worker's subtree cannot start back before its weights went out);
/// - only payload bytes count (no frame headers, no TCP/IP framing, about 3 % at a 1500-byte MTU);
/// - a round of messages costs one latency, whatever the number of messages in it;
/// - summing subtrees or slices and converting to bfloat16 cost nothing beside the optimizer.
/// The leaf split is the product's own (<see cref="LeafRanges"/>, <see cref="TreeNode.Cover(int,int)"/>),
/// so a worker with an unaligned range sends as many subtrees as it would in a real run.
/// </summary>
public static class ScalingModel
{
    /// <summary>Weights and biases of a dense network with the given layer sizes.</summary>
    public static long Parameters(IReadOnlyList<int> layers)
    {
        long p = 0;
        for (int l = 0; l + 1 < layers.Count; l++) p += ((long)layers[l] + 1) * layers[l + 1];
        return p;
    }

    /// <summary>The leaf range [start, end) of each of <paramref name="workers"/> equal workers, as the coordinator splits them.</summary>
    public static (int Start, int End)[] LeafRanges(int workers, int microShards)
        => Cluster.Actors.LeafRanges.Split(0, microShards, Enumerable.Repeat(1, workers).ToArray());

    /// <summary>
    /// The rows of the worker with the most: the leaves of its range, each a micro-shard of the batch.
    /// When workers outnumber leaves only <c>microShards</c> of them compute, one leaf each. A ring
    /// (DDP) has no leaves: each rank takes ⌈B/K⌉ rows.
    /// </summary>
    public static int BusiestRows(Exchange exchange, int batch, int microShards, int workers)
    {
        if (exchange == Exchange.RingFp32) return (batch + workers - 1) / workers;
        int most = 0;
        foreach (var (start, end) in LeafRanges(workers, microShards))
            most = Math.Max(most, ShardPlan.Start(batch, microShards, end) - ShardPlan.Start(batch, microShards, start));
        return most;
    }

    /// <summary>
    /// Bytes each node sends and receives in one step. For the star, node 0 is the coordinator and
    /// nodes 1..K the workers; for the others, the K workers (ranks).
    /// </summary>
    public static Traffic[] NodeTraffic(Exchange exchange, long parameters, int workers, int microShards)
    {
        // A subtree value is the gradient and two metrics (loss sum, correct count).
        long node = parameters + 2;
        var ranges = LeafRanges(workers, microShards);
        var subtrees = ranges.Select(r => r.End > r.Start ? TreeNode.Cover(r.Start, r.End).Count : 0).ToArray();
        switch (exchange)
        {
            case Exchange.StarFp32:
            case Exchange.StarBf16:
            {
                // Weights go only to workers that have leaves. A bf16 subtree frame is the gradient in
                // bfloat16 and its two metrics in fp32 (SubtreeWire16): 2P + 8 bytes, like fp32's 4P + 8.
                int width = exchange == Exchange.StarBf16 ? 2 : 4;
                long weights = width * parameters, subtree = width * parameters + 8;
                var traffic = new Traffic[workers + 1];
                for (int w = 0; w < workers; w++)
                {
                    long received = subtrees[w] > 0 ? weights : 0;
                    traffic[w + 1] = new Traffic(subtrees[w] * subtree, received);
                    traffic[0] = new Traffic(traffic[0].Sent + received, traffic[0].Received + subtrees[w] * subtree);
                }
                return traffic;
            }
            case Exchange.PeerFp32:
            case Exchange.PeerBf16:
            {
                // Reduce-scatter: slice j of every subtree a worker computed goes to slice j's owner.
                // All-gather: every owner sends its reduced slice to every other worker. In bf16 both
                // phases carry bfloat16 (the tree holds the gradient in it; the two metrics, a negligible
                // tail, are counted at the same width).
                int width = exchange == Exchange.PeerBf16 ? 2 : 4;
                long allSubtrees = subtrees.Sum();
                var traffic = new Traffic[workers];
                for (int w = 0; w < workers; w++)
                {
                    long slice = Slice(node, workers, w);
                    long scatterSent = width * subtrees[w] * (node - slice);
                    long scatterReceived = width * (allSubtrees - subtrees[w]) * slice;
                    long gatherSent = (long)width * (workers - 1) * slice;
                    long gatherReceived = width * (node - slice);
                    traffic[w] = new Traffic(scatterSent + gatherSent, scatterReceived + gatherReceived);
                }
                return traffic;
            }
            case Exchange.RingFp32:
            {
                // Ring all-reduce of the gradient (no metrics ride with it): K−1 chunks out and K−1 in
                // while reducing, as many again while gathering.
                var traffic = new Traffic[workers];
                for (int w = 0; w < workers; w++)
                {
                    long bytes = 2 * 4 * (parameters - Slice(parameters, workers, w));
                    traffic[w] = new Traffic(bytes, bytes);
                }
                return traffic;
            }
            default: throw new ArgumentOutOfRangeException(nameof(exchange));
        }
    }

    /// <summary>Message rounds one after the other in a step, each paying the latency once.</summary>
    public static int Rounds(Exchange exchange, int workers) => exchange switch
    {
        Exchange.RingFp32 => 2 * (workers - 1),
        // reduce-scatter, all-gather; a lone worker has no peer to talk to
        Exchange.PeerFp32 or Exchange.PeerBf16 => workers > 1 ? 2 : 0,
        // weights out, subtrees back
        _ => 2,
    };

    /// <summary>The busiest node's traffic: the largest of every node's larger direction.</summary>
    public static Traffic Busiest(IEnumerable<Traffic> nodes) => nodes.MaxBy(t => t.Wire);

    public static StepEstimate Estimate(Exchange exchange, long parameters, ClusterShape cluster, LinkSpec link, StepCosts costs)
    {
        int rows = BusiestRows(exchange, cluster.Batch, cluster.MicroShards, cluster.Workers);
        var busiest = Busiest(NodeTraffic(exchange, parameters, cluster.Workers, cluster.MicroShards));
        double wire = busiest.Wire / link.BytesPerSecond + Rounds(exchange, cluster.Workers) * link.LatencySeconds;
        return new StepEstimate(rows, busiest,
            Compute: costs.Compute(rows, parameters),
            Communication: wire,
            Optimizer: parameters * costs.OptimizerSecondsPerParameter,
            Overhead: costs.OverheadSeconds);
    }

    // Slice i of n contiguous slices of length items, as the shard plan cuts a batch.
    static long Slice(long length, int slices, int i) => (i + 1) * length / slices - i * length / slices;
}
