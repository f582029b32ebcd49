namespace ActorMlp.Benchmarks.Scaling;

/// <summary>K equal workers (one core each) training on global batches of B rows cut into M micro-shards.</summary>
public sealed record ClusterShape(int Workers, int Batch, int MicroShards);
