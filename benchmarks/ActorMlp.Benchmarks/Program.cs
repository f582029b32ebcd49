using ActorMlp.Benchmarks;
using BenchmarkDotNet.Running;

// `gemm ...` is the compare script's fixed-method throughput probe; everything else goes to
// BenchmarkDotNet (--filter, --job, --list ...).
if (args.Length > 0 && args[0] == "gemm") return GemmThroughputMode.Run(args);
BenchmarkSwitcher.FromAssembly(typeof(GemmBenchmarks).Assembly).Run(args);
return 0;
