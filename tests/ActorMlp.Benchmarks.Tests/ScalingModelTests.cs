using ActorMlp.Benchmarks.Scaling;
using ActorMlp.Core.Model;

namespace ActorMlp.Benchmarks.Tests;

// The byte counts are written out by hand from the protocol (4-byte floats, 2-byte bfloat16, a subtree
// value of P gradient floats and 2 metrics), so a slip in the model's loops cannot hide behind itself.
public class ScalingModelTests
{
    [Theory]
    [InlineData(new[] { 784, 256, 128, 10 }, 235_146)]
    [InlineData(new[] { 784, 1024, 1024, 10 }, 1_863_690)]
    public void Parameters_count_weights_and_biases_as_the_product_lays_them_out(int[] layers, long expected)
    {
        Assert.Equal(expected, ScalingModel.Parameters(layers));
        Assert.Equal(expected, new ParameterLayout(new ModelSpec(layers, ActivationKind.Relu, HeadKind.SoftmaxCrossEntropy)).Count);
    }

    [Fact]
    public void Star_coordinator_sends_weights_to_each_worker_and_receives_a_subtree_from_each()
    {
        const long p = 1000;
        var t = ScalingModel.NodeTraffic(Exchange.StarFp32, p, workers: 4, microShards: 16);
        Assert.Equal(5, t.Length);
        Assert.Equal(new Traffic(4 * 4 * p, 4 * (4 * p + 8)), t[0]);
        Assert.All(t.Skip(1), w => Assert.Equal(new Traffic(4 * p + 8, 4 * p), w));
    }

    [Fact]
    public void Star_in_bf16_halves_the_gradient_but_not_the_metrics()
    {
        const long p = 1000;
        var t = ScalingModel.NodeTraffic(Exchange.StarBf16, p, workers: 2, microShards: 16);
        Assert.Equal(new Traffic(2 * 2 * p, 2 * (2 * p + 8)), t[0]);
    }

    [Fact]
    public void Star_sends_no_weights_to_workers_beyond_the_leaves()
    {
        const long p = 1000;
        var t = ScalingModel.NodeTraffic(Exchange.StarFp32, p, workers: 64, microShards: 16);
        Assert.Equal(new Traffic(16 * 4 * p, 16 * (4 * p + 8)), t[0]);
        Assert.Equal(48, t.Skip(1).Count(w => w == new Traffic(0, 0)));
    }

    [Fact]
    public void Peer_aligned_sends_three_quarters_of_the_vector_each_way_in_each_phase_at_half_the_width_in_bf16()
    {
        // P + 2 = 100 floats cut into 4 slices of 25; each worker owns 4 aligned leaves (one subtree).
        const long p = 98;
        foreach (var w in ScalingModel.NodeTraffic(Exchange.PeerFp32, p, workers: 4, microShards: 16))
            Assert.Equal(new Traffic(4 * 75 + 4 * 3 * 25, 4 * 3 * 25 + 4 * 75), w);
        foreach (var w in ScalingModel.NodeTraffic(Exchange.PeerBf16, p, workers: 4, microShards: 16))
            Assert.Equal(new Traffic(2 * 75 + 2 * 3 * 25, 2 * 3 * 25 + 2 * 75), w);
    }

    [Fact]
    public void Peer_worker_whose_range_needs_several_subtrees_sends_each_one()
    {
        // 16 leaves over 3 workers: [0,5) [5,11) [11,16) → subtrees {0-3, 4}, {5, 6-7, 8-9, 10}, {11, 12-15}.
        Assert.Equal([(0, 5), (5, 11), (11, 16)], ScalingModel.LeafRanges(3, 16));
        const long p = 100; // 102 floats: slices 34, 34, 34
        var t = ScalingModel.NodeTraffic(Exchange.PeerFp32, p, workers: 3, microShards: 16);
        Assert.Equal(4 * 4 * (102 - 34) + 4 * 2 * 34, t[1].Sent);
        Assert.Equal(4 * (2 + 2) * 34 + 4 * (102 - 34), t[1].Received);
    }

    [Fact]
    public void Ring_sends_and_receives_twice_all_but_one_chunk()
    {
        const long p = 1000;
        Assert.All(ScalingModel.NodeTraffic(Exchange.RingFp32, p, workers: 8, microShards: 16),
            w => Assert.Equal(new Traffic(2 * 4 * 875, 2 * 4 * 875), w));
        Assert.Equal(14, ScalingModel.Rounds(Exchange.RingFp32, 8));
        Assert.Equal(2, ScalingModel.Rounds(Exchange.PeerFp32, 8));
    }

    [Theory]
    [InlineData(128, 16, 8, 16)]   // 2 leaves of 8 rows
    [InlineData(128, 16, 64, 8)]   // only 16 of 64 workers have a leaf
    [InlineData(128, 64, 64, 2)]
    [InlineData(512, 16, 3, 192)]  // 6 leaves of 32 rows for the middle worker
    public void Busiest_worker_computes_its_leaves_rows(int batch, int microShards, int workers, int rows)
        => Assert.Equal(rows, ScalingModel.BusiestRows(Exchange.PeerFp32, batch, microShards, workers));

    [Fact]
    public void Ring_ranks_split_the_batch_without_leaves()
        => Assert.Equal(2, ScalingModel.BusiestRows(Exchange.RingFp32, 128, 16, 64));

    [Fact]
    public void Step_is_compute_plus_the_busiest_direction_plus_latency_plus_optimizer_plus_overhead()
    {
        // Star, 2 workers, 1 leaf each of 2 rows; P = 98: the coordinator sends 2·392 B and receives 2·400 B.
        var s = ScalingModel.Estimate(Exchange.StarFp32, 98, new ClusterShape(2, 4, 2), new LinkSpec(8000, 0.01),
            new StepCosts(ComputeSecondsPerRow: 0.25, ComputeSecondsPerParameter: 0.002, OptimizerSecondsPerParameter: 0.001, OverheadSeconds: 0.5));
        Assert.Equal(2, s.BusiestRows);
        Assert.Equal(new Traffic(784, 800), s.BusiestNode);
        Assert.Equal(2 * 0.25 + 98 * 0.002, s.Compute, 12);
        Assert.Equal(800 / 1000.0 + 2 * 0.01, s.Communication, 12);
        Assert.Equal(0.098, s.Optimizer, 12);
        Assert.Equal(0.696 + 0.82 + 0.098 + 0.5, s.Seconds, 12);
        Assert.Equal(4 / 2.114, s.SamplesPerSecond(4), 12);
    }

    [Fact]
    public void Rates_read_in_gigabits_and_megabits()
    {
        Assert.True(ScalingMode.TryParseRates("1gbit,10gbit,100mbit", out var rates));
        Assert.Equal([1e9, 10e9, 100e6], rates);
        Assert.False(ScalingMode.TryParseRates("1gb", out _));
    }

    [Fact]
    public void A_worker_without_leaves_computes_nothing_not_even_its_per_step_part()
    {
        var costs = new StepCosts(ComputeSecondsPerRow: 1, ComputeSecondsPerParameter: 1, OptimizerSecondsPerParameter: 0, OverheadSeconds: 0);
        Assert.Equal(0, costs.Compute(0, 1000));
        Assert.Equal(1003, costs.Compute(3, 1000));
    }
}
