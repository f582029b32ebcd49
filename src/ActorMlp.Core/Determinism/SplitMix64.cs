namespace ActorMlp.Core.Determinism;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood 2014; Vigna's public-domain reference code): a 64-bit state
/// advanced by the golden-ratio increment and finalized by a variant of MurmurHash3's mixer.
/// Every random choice of a run (initial weights, epoch order, train/test split) comes from it,
/// never from System.Random, so a run is reproducible on any .NET version.
/// </summary>
internal struct SplitMix64
{
    const ulong Golden = 0x9E3779B97F4A7C15UL;

    /// <summary>The whole generator state: saving and restoring it resumes the stream exactly.</summary>
    public ulong State;

    public SplitMix64(ulong seed) => State = seed;

    public ulong Next()
    {
        State += Golden;
        return Mix(State);
    }

    /// <summary>The SplitMix64 finalizer, also used to derive independent seeds.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>
    /// Seed of the stream for one purpose and index of a run: Mix(Mix(Mix(seed) + purpose) + index).
    /// Mixing the seed first keeps (seed, purpose) pairs apart; a plain seed ^ purpose would make
    /// seed 1's initialization stream equal seed 2's epoch-order stream.
    /// </summary>
    public static ulong Derive(ulong seed, SeedPurpose purpose, ulong index = 0)
        => Mix(Mix(Mix(seed) + (ulong)purpose) + index);

    /// <summary>Uniform integer in [0, bound), unbiased (Lemire's multiply-and-reject).</summary>
    public int NextInt(int bound)
    {
        if (bound <= 0) throw new ArgumentOutOfRangeException(nameof(bound));
        ulong range = (ulong)bound;
        ulong x = Next() >> 32;
        ulong m = x * range;
        ulong low = m & 0xFFFFFFFFUL;
        if (low < range)
        {
            ulong threshold = (0x1_0000_0000UL - range) % range;
            while (low < threshold)
            {
                x = Next() >> 32;
                m = x * range;
                low = m & 0xFFFFFFFFUL;
            }
        }
        return (int)(m >> 32);
    }

    /// <summary>Uniform double in [0, 1) from the top 53 bits.</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Standard normal by Box–Muller; uses two draws per call and keeps no spare.</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble(); // (0, 1]: log stays finite
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}

/// <summary>The independent random streams of a run, each derived from the run seed.</summary>
internal enum SeedPurpose : ulong
{
    Initialization = 1,
    EpochOrder = 2,
    TrainTestSplit = 3,
}
