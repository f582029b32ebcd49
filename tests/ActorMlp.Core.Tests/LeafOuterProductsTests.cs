using ActorMlp.Core.Determinism;
using ActorMlp.Core.Tensors;

namespace ActorMlp.Core.Tests;

// δ is (rows, outs), x is (rows, ins), dW is (outs, ins).
public class LeafOuterProductsTests
{
    static float[] Fill(Random rng, int n)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)(rng.NextDouble() * 2 - 1);
        return v;
    }

    // Leaf sizes cut from `rows` the way micro-shards are: ⌊j·rows/leaves⌋.
    static int[] Bounds(int rows, int leaves) => Enumerable.Range(0, leaves + 1).Select(j => j * rows / leaves).ToArray();

    [Theory]
    [InlineData(1, 1, 1, 1)]
    [InlineData(8, 32, 8, 1)]
    [InlineData(10, 128, 128, 16)]
    [InlineData(256, 784, 128, 16)]
    [InlineData(9, 17, 5, 8)]     // more leaves than rows: empty leaves are zero
    [InlineData(17, 47, 33, 4)]   // a 16-wide column block and a scalar tail
    [InlineData(3, 15, 7, 2)]     // narrower than one vector
    [InlineData(15, 65, 300, 32)]
    [InlineData(7, 48, 0, 4)]     // no rows at all
    [InlineData(13, 37, 19, 2)]   // rows and columns past every path's tile: 6- and 8-row tiles, 4-, 8- and 16-lane vectors
    [InlineData(6, 24, 9, 4)]     // one whole AVX2 tile and a one-vector panel
    [InlineData(2, 4, 3, 1)]      // one Vector128 and nothing else
    [InlineData(100, 40, 600, 16)] // δ past the AVX2 and Vector128 paths' L2 budget: outputs in groups of 78
    public void LeafOuterProducts_matches_its_reference_bit_for_bit(int outs, int ins, int rows, int leaves)
    {
        foreach (var path in PathsToCheck) MatchesReference(path, outs, ins, rows, leaves);
    }

    // Every path this CPU runs, and AVX-512 everywhere FMA is: its tiles are written on Vector512, which
    // .NET runs lane by lane where AVX-512 is missing — slowly, with the same operations.
    static IEnumerable<KernelPath> PathsToCheck => ComputeKernel.HardwareFma
        ? ComputeKernel.Supported.Append(KernelPath.Avx512).Distinct()
        : ComputeKernel.Supported;

    static void MatchesReference(KernelPath path, int outs, int ins, int rows, int leaves)
    {
        var rng = new Random(outs * 1000 + ins + rows);
        var delta = Fill(rng, rows * outs);
        var x = Fill(rng, rows * ins);
        var bounds = Bounds(rows, leaves);
        var expected = Enumerable.Repeat(float.NaN, outs * ins).ToArray();
        var actual = Enumerable.Repeat(float.NaN, outs * ins).ToArray();

        LeafOuterProductsReference.Compute(delta, outs, x, ins, bounds, expected);
        LeafOuterProducts.ComputeOnAnyPath(path, delta, outs, x, ins, bounds, actual, 0, outs, GradientPrecision.Float32);

        Assert.True(expected.Select(BitConverter.SingleToInt32Bits).SequenceEqual(actual.Select(BitConverter.SingleToInt32Bits)), $"{path} differs from the reference");
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));
    }

    [Theory]
    [InlineData(1, 1, 1, 1)]
    [InlineData(13, 37, 19, 2)]
    [InlineData(17, 47, 33, 4)]
    [InlineData(9, 17, 5, 8)]
    [InlineData(20, 70, 128, 16)]
    public void LeafOuterProducts_in_bfloat16_rounds_every_node_as_its_reference_does_on_every_path(int outs, int ins, int rows, int leaves)
    {
        var rng = new Random(outs + 7 * ins + rows);
        var delta = Fill(rng, rows * outs);
        var x = Fill(rng, rows * ins);
        var bounds = Bounds(rows, leaves);
        var expected = new float[outs * ins];
        var exact = new float[outs * ins];
        LeafOuterProductsReference.Compute(delta, outs, x, ins, bounds, expected, GradientPrecision.BFloat16);
        LeafOuterProductsReference.Compute(delta, outs, x, ins, bounds, exact);
        Assert.All(expected, v => Assert.Equal(BitConverter.SingleToInt32Bits(BFloat16.Round(v)), BitConverter.SingleToInt32Bits(v)));
        if (outs * ins > 100) Assert.NotEqual(exact, expected);

        foreach (var path in PathsToCheck)
        {
            var actual = Enumerable.Repeat(float.NaN, outs * ins).ToArray();
            int half = outs / 2;
            LeafOuterProducts.ComputeOnAnyPath(path, delta, outs, x, ins, bounds, actual, half, outs, GradientPrecision.BFloat16);
            LeafOuterProducts.ComputeOnAnyPath(path, delta, outs, x, ins, bounds, actual, 0, half, GradientPrecision.BFloat16);
            Assert.True(expected.Select(BitConverter.SingleToInt32Bits).SequenceEqual(actual.Select(BitConverter.SingleToInt32Bits)), $"{path} differs from the reference");
        }
    }

    [Fact]
    public void LeafOuterProducts_in_bfloat16_keeps_a_nan_a_nan_where_an_input_is_not_finite()
    {
        const int outs = 13, ins = 37, rows = 19, leaves = 4;
        var rng = new Random(11);
        var delta = Fill(rng, rows * outs);
        var x = Fill(rng, rows * ins);
        // A NaN whose payload fills the mantissa: rounding it the fast way would carry into the sign
        // and leave −0; and an infinity in another column.
        x[5 * ins + 3] = BitConverter.UInt32BitsToSingle(0x7FFFFFFF);
        x[9 * ins + 20] = float.PositiveInfinity;
        var bounds = Bounds(rows, leaves);
        var expected = new float[outs * ins];
        LeafOuterProductsReference.Compute(delta, outs, x, ins, bounds, expected, GradientPrecision.BFloat16);
        Assert.All(Enumerable.Range(0, outs), i => Assert.True(float.IsNaN(expected[i * ins + 3])));
        foreach (var path in PathsToCheck)
        {
            var actual = new float[outs * ins];
            LeafOuterProducts.ComputeOnAnyPath(path, delta, outs, x, ins, bounds, actual, 0, outs, GradientPrecision.BFloat16);
            Assert.True(expected.Select(BitConverter.SingleToInt32Bits).SequenceEqual(actual.Select(BitConverter.SingleToInt32Bits)), $"{path} differs from the reference");
        }
    }

    [Theory]
    [InlineData(256, 100, 64, 16)]
    [InlineData(13, 37, 19, 2)]
    public void LeafOuterProducts_in_row_ranges_has_the_bits_of_one_pass(int outs, int ins, int rows, int leaves)
    {
        var rng = new Random(outs + ins);
        var delta = Fill(rng, rows * outs);
        var x = Fill(rng, rows * ins);
        var bounds = Bounds(rows, leaves);
        foreach (var path in ComputeKernel.Supported)
        {
            var whole = new float[outs * ins];
            LeafOuterProducts.Compute(path, delta, outs, x, ins, bounds, whole);
            var parts = Enumerable.Repeat(float.NaN, outs * ins).ToArray();
            // Out of order, of odd lengths, one empty: as a peer worker cuts them around its slices.
            int a = outs / 3, b = outs / 3 + 1 + outs / 4;
            foreach (var (first, end) in new[] { (b, outs), (a, a), (0, a), (a, b) })
                LeafOuterProducts.Compute(path, delta, outs, x, ins, bounds, parts, first, end);
            Assert.Equal(whole.Select(BitConverter.SingleToInt32Bits), parts.Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Fact]
    public void LeafOuterProducts_is_the_product_of_the_transposed_deltas_and_inputs()
    {
        var rng = new Random(5);
        int outs = 12, ins = 40, rows = 24;
        var delta = Fill(rng, rows * outs);
        var x = Fill(rng, rows * ins);
        var dW = new float[outs * ins];
        var product = new float[outs * ins];

        LeafOuterProducts.Compute(delta, outs, x, ins, Bounds(rows, 4), dW);
        GemmReference.Multiply(true, false, outs, ins, rows, delta, outs, x, ins, product, ins, accumulate: false);

        for (int i = 0; i < dW.Length; i++) Assert.Equal(product[i], dW[i], 1e-4f);
    }

    [Fact]
    public void LeafOuterProducts_sums_leaves_in_tree_order_not_row_order()
    {
        // 1e8 and -1e8 cancel only if the two leaves are formed first: (1 + 1e8) + (-1e8 + 1) rounds to 0,
        // a running sum over the rows gives 1; the tree is ((1e8+1) rounded) + ((−1e8+1) rounded).
        float[] delta = [1f, 1e8f, -1e8f, 1f];
        float[] x = [1f, 1f, 1f, 1f];
        var dW = new float[1];

        LeafOuterProducts.Compute(delta, 1, x, 1, [0, 2, 4], dW);

        Assert.Equal((1f + 1e8f) + (-1e8f + 1f), dW[0]);
        Assert.NotEqual(((1f + 1e8f) + -1e8f) + 1f, dW[0]);
    }

    [Fact]
    public void LeafOuterProducts_refuses_a_leaf_count_that_is_not_a_power_of_two()
    {
        var e = Assert.Throws<ArgumentException>(() => LeafOuterProducts.Compute(new float[3], 1, new float[3], 1, [0, 1, 2, 3], new float[1]));
        Assert.Contains("power of two", e.Message);
    }
}
