namespace ActorMlp.Core.Determinism;

/// <summary>
/// How a mini-batch of B samples is cut into M micro-shards (the leaves of the reduction tree):
/// shard i holds batch positions [⌊iB/M⌋, ⌊(i+1)B/M⌋). The cut depends on B and M only, never on
/// the number of workers, which is what makes every leaf the same wherever it is computed.
/// </summary>
internal static class ShardPlan
{
    public static int Start(int batch, int shards, int shard) => (int)((long)shard * batch / shards);

    public static int End(int batch, int shards, int shard) => Start(batch, shards, shard + 1);

    /// <summary>The largest shard: sizes buffers that must hold any leaf.</summary>
    public static int MaxShardSize(int batch, int shards) => (batch + shards - 1) / shards;

    public static bool IsPowerOfTwo(int m) => m > 0 && (m & (m - 1)) == 0;
}
