using System.Runtime.Intrinsics;
using ActorMlp.Core.Tensors;

namespace ActorMlp.Core.Tests;

public class BFloat16Tests
{
    [Theory]
    [InlineData(1f, 0x3F80)]
    [InlineData(-2f, 0xC000)]
    [InlineData(0f, 0x0000)]
    [InlineData(float.PositiveInfinity, 0x7F80)]
    [InlineData(1.00390625f, 0x3F80)]   // exactly halfway between 0x3F80 and 0x3F81: ties to the even 0x3F80
    [InlineData(1.01171875f, 0x3F82)]   // halfway between 0x3F81 and 0x3F82: ties to the even 0x3F82
    [InlineData(1.0039064f, 0x3F81)]    // just above halfway rounds up
    [InlineData(3.3895314e38f, 0x7F7F)] // the largest bfloat16 is kept
    [InlineData(float.MaxValue, 0x7F80)] // above it, halfway or more rounds to infinity, as IEEE rounding does
    public void Narrow_rounds_to_nearest_even(float value, int expected)
        => Assert.Equal((ushort)expected, BFloat16.Narrow(value));

    [Fact]
    public void Narrow_keeps_nan_a_nan()
    {
        Assert.True(float.IsNaN(BFloat16.Widen(BFloat16.Narrow(float.NaN))));
        // A NaN whose payload sits only in the low bits must not round into infinity.
        Assert.True(float.IsNaN(BFloat16.Widen(BFloat16.Narrow(BitConverter.UInt32BitsToSingle(0x7F800001)))));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(1000)]
    public void Span_conversions_match_the_scalar_ones_at_any_length(int n)
    {
        var rng = new Random(n);
        var values = Enumerable.Range(0, n).Select(_ => BitConverter.UInt32BitsToSingle((uint)rng.NextInt64(0, 1L << 32))).ToArray();
        if (n > 3) { values[0] = float.NaN; values[1] = BitConverter.UInt32BitsToSingle(0xFF800001); values[2] = float.NegativeInfinity; }
        var narrow = new ushort[n];
        var wide = new float[n];

        BFloat16.Narrow(values, narrow);
        BFloat16.Widen(narrow, wide);

        Assert.Equal(values.Select(BFloat16.Narrow), narrow);
        Assert.Equal(narrow.Select(h => BitConverter.SingleToUInt32Bits(BFloat16.Widen(h))), wide.Select(BitConverter.SingleToUInt32Bits));
    }

    [Fact]
    public void A_round_trip_keeps_about_three_significant_digits()
    {
        var rng = new Random(3);
        for (int i = 0; i < 1000; i++)
        {
            float v = (float)(rng.NextDouble() * 2 - 1) * 100f;
            Assert.Equal(v, BFloat16.Widen(BFloat16.Narrow(v)), Math.Abs(v) / 256f);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(9)]
    [InlineData(33)]
    [InlineData(1000)]
    public void Rounding_in_place_is_narrow_then_widen_on_every_width_and_tail(int n)
    {
        var rng = new Random(n + 1);
        var values = Enumerable.Range(0, n).Select(_ => BitConverter.UInt32BitsToSingle((uint)rng.NextInt64(0, 1L << 32))).ToArray();
        float[] specials = [float.NaN, BitConverter.UInt32BitsToSingle(0x7F800001), BitConverter.UInt32BitsToSingle(0xFF80FFFF), float.PositiveInfinity,
            1.00390625f, 1.01171875f, float.MaxValue, -0f, float.Epsilon];
        specials.AsSpan(0, Math.Min(n, specials.Length)).CopyTo(values);
        var expected = values.Select(v => BitConverter.SingleToUInt32Bits(BFloat16.Widen(BFloat16.Narrow(v)))).ToArray();

        var inPlace = (float[])values.Clone();
        BFloat16.Round(inPlace);
        Assert.Equal(expected, inPlace.Select(BitConverter.SingleToUInt32Bits));
        Assert.Equal(expected, values.Select(v => BitConverter.SingleToUInt32Bits(BFloat16.Round(v))));

        // Each vector width, accelerated here or not: the lanes agree with the scalar.
        var lanes = new float[n];
        for (int i = n / 8 * 8; i < n; i++) lanes[i] = BFloat16.Round(values[i]);
        for (int i = 0; i + 8 <= n; i += 8) BFloat16.Round(Vector256.Create(values.AsSpan(i, 8))).CopyTo(lanes.AsSpan(i));
        Assert.Equal(expected, lanes.Select(BitConverter.SingleToUInt32Bits));
        for (int i = 0; i + 4 <= n; i += 4) BFloat16.Round(Vector128.Create(values.AsSpan(i, 4))).CopyTo(lanes.AsSpan(i));
        Assert.Equal(expected, lanes.Select(BitConverter.SingleToUInt32Bits));
    }
}
