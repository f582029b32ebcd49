using ActorMlp.Benchmarks;
using BenchmarkDotNet.Running;

// `gemm ...` is the compare script's fixed-method throughput probe, `peak` the core's FMA peak; everything else goes to
// BenchmarkDotNet (--filter, --job, --list ...).
if (args.Length > 0 && args[0] == "gemm") return GemmThroughputMode.Run(args);
if (args.Length > 0 && args[0] == "peak") return PeakMode.Run(args);
BenchmarkSwitcher.FromAssembly(typeof(GemmBenchmarks).Assembly).Run(args);
return 0;
