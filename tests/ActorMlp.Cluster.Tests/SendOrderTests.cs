using ActorMlp.Cluster.Peer;
using ActorMlp.Core.Determinism;
using ActorMlp.Core.Model;

namespace ActorMlp.Cluster.Tests;

public class SendOrderTests
{
    // 784-256-128-10: the first layer's weights are 200,704 of 235,146 parameters (+2 metrics).
    static readonly ParameterLayout Layout = new Mlp(new ModelSpec([784, 256, 128, 10], ActivationKind.Relu, HeadKind.SoftmaxCrossEntropy, 3)).Layout;
    static int NodeLength => Layout.Count + 2;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(64)]
    public void Parts_cover_the_first_layer_once_and_every_slice_is_sent_once_its_rows_are_done(int members)
    {
        var first = Layout.Layers[0];
        var slices = new SlicePlan(NodeLength, members);
        for (int own = 0; own < members; own++)
        {
            var (parts, after) = SendOrder.Plan(first, slices, own);
            Assert.Equal(new RowRange(0, 0), parts[0]);
            Assert.Equal(parts.Length, after.Length);
            // The parts are a valid order for the backward pass: they cover the rows exactly once.
            new NodeParts(parts, _ => { }).Validate(first.Rows);
            Assert.Equal(Enumerable.Range(0, members).Order(), after.SelectMany(a => a).Order());

            var done = new bool[first.Rows];
            for (int i = 0; i < parts.Length; i++)
            {
                for (int r = parts[i].Start; r < parts[i].End; r++) done[r] = true;
                foreach (int j in after[i])
                {
                    int a = Math.Max(slices.Start(j), first.WeightOffset), b = Math.Min(slices.Start(j) + slices.SliceLength(j), first.WeightOffset + first.WeightCount);
                    for (int p = a; p < b; p++) Assert.True(done[(p - first.WeightOffset) / first.Inputs], $"slice {j} sent before row {(p - first.WeightOffset) / first.Inputs}");
                }
            }
            // Our own slice needs no wire: it is finished last, so the others' go out first (one past
            // the first layer's weights is final from the start).
            bool pastFirstLayer = slices.Start(own) >= first.WeightOffset + first.WeightCount;
            Assert.Contains(own, pastFirstLayer ? after[0] : after[^1]);
        }
    }

    [Fact]
    public void Two_members_each_compute_the_other_owners_rows_first()
    {
        var slices = new SlicePlan(NodeLength, 2);
        var first = Layout.Layers[0];
        int boundary = (slices.Start(1) - first.WeightOffset) / first.Inputs; // the row slice 1 starts in
        var (parts0, after0) = SendOrder.Plan(first, slices, 0);
        Assert.Equal([new(0, 0), new(boundary, first.Rows), new(0, boundary)], parts0);
        Assert.Equal([[], [1], [0]], after0);
        var (parts1, after1) = SendOrder.Plan(first, slices, 1);
        Assert.Equal([new(0, 0), new(0, boundary + 1), new(boundary + 1, first.Rows)], parts1);
        Assert.Equal([[], [0], [1]], after1);
    }
}
