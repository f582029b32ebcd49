using CsCheck;

namespace ActorMlp.Fuzz.Tests;

/// <summary>
/// Generated inputs for a parser: random bytes, and valid inputs mutated the way damaged files and
/// hostile peers mutate them (bytes flipped or set to edge values, 32-bit fields set to edge
/// numbers, cuts, repeats, insertions). CsCheck drives the generation, so a failure prints the
/// seed that reproduces it.
/// </summary>
public static class Fuzz
{
    /// <summary>
    /// Inputs per parser: 10,000 in the test suite; ACTORMLP_FUZZ_INPUTS sets more for a longer search.
    /// </summary>
    public static readonly long Inputs = long.TryParse(Environment.GetEnvironmentVariable("ACTORMLP_FUZZ_INPUTS"), out long n) && n > 0 ? n : 10_000;

    /// <summary>
    /// The suite's inputs are the same on every run (CI must not fail by chance); ACTORMLP_FUZZ_SEED=random
    /// draws new ones each run, and a failure prints the seed that reproduces it.
    /// </summary>
    public static readonly string? Seed = Environment.GetEnvironmentVariable("ACTORMLP_FUZZ_SEED") switch
    {
        null or "" => "0HMdFv7eTDK1",
        "random" => null,
        var given => given,
    };

    /// <summary>The most one input may make a parser allocate: anything larger is a defect.</summary>
    public const long AllocationCap = 64L << 20;

    static readonly byte[] EdgeBytes = [0, 1, 0x7F, 0x80, 0xFF, 0xFE, 0xC0, 0xC1, 0xDC, 0xDD, 0xDE, 0xDF];
    static readonly int[] EdgeInts = [0, 1, -1, int.MaxValue, int.MinValue, 1 << 30, 1 << 24, 0xFFFF, 1 << 16, 255, 256];

    public static Gen<byte[]> Bytes(params byte[][] seeds)
        => Gen.Frequency(
            (1, Gen.Byte.Array[0, 96]),
            (4, Gen.Select(Gen.Int[0, seeds.Length - 1], Gen.Int, (i, seed) => Mutate(seeds[i], new Random(seed)))));

    public static byte[] Mutate(byte[] valid, Random random)
    {
        var bytes = new List<byte>(valid);
        int edits = 1 + random.Next(4);
        for (int e = 0; e < edits; e++)
        {
            int at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(7))
            {
                case 0 when bytes.Count > 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 1 when bytes.Count > 0: bytes[at] = EdgeBytes[random.Next(EdgeBytes.Length)]; break;
                case 2 when bytes.Count >= 4:
                    at = Math.Min(at, bytes.Count - 4);
                    var value = BitConverter.GetBytes(EdgeInts[random.Next(EdgeInts.Length)]);
                    if (random.Next(2) == 0) Array.Reverse(value); // big-endian formats too
                    for (int k = 0; k < 4; k++) bytes[at + k] = value[k];
                    break;
                case 3: bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + random.Next(16))); break;
                case 4 when bytes.Count > 0:
                    int length = Math.Min(bytes.Count - at, 1 + random.Next(32));
                    bytes.InsertRange(at, bytes.GetRange(at, length));
                    break;
                case 5:
                    var extra = new byte[1 + random.Next(8)];
                    random.NextBytes(extra);
                    bytes.InsertRange(at, extra);
                    break;
                default: if (bytes.Count > 0) bytes.RemoveRange(at, bytes.Count - at); break;
            }
        }
        return [.. bytes];
    }

    /// <summary>
    /// Runs the parser on the input: it must return, or throw one of the refusals it is allowed;
    /// any other exception, or an allocation past <see cref="AllocationCap"/>, fails with the input.
    /// </summary>
    public static void Refuses(byte[] input, Action parse, params Type[] refusals)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        try { parse(); }
        catch (Exception e) when (refusals.Any(t => t.IsInstanceOfType(e)))
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Message), $"a refusal without a message for {Convert.ToHexString(input)}");
        }
        catch (Exception e)
        {
            Assert.Fail($"{e.GetType().Name}: {e.Message} for input {Convert.ToHexString(input)}\n{e.StackTrace}");
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < AllocationCap, $"{allocated} bytes allocated for an input of {input.Length}: {Convert.ToHexString(input)}");
    }
}
