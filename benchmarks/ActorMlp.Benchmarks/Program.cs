using ActorMlp.Benchmarks;
using ActorMlp.Benchmarks.Scaling;
using BenchmarkDotNet.Running;

// `gemm ...` is the compare script's fixed-method throughput probe, `peak` the core's FMA peak, `scaling` the
// data-parallel step model and `costs` the probe of its inputs; everything else goes to BenchmarkDotNet
// (--filter, --job, --list ...).
if (args.Length > 0 && args[0] == "gemm") return GemmThroughputMode.Run(args);
if (args.Length > 0 && args[0] == "peak") return PeakMode.Run(args);
if (args.Length > 0 && args[0] == "scaling") return ScalingMode.Run(args);
if (args.Length > 0 && args[0] == "costs") return CostsMode.Run(args);
BenchmarkSwitcher.FromAssembly(typeof(GemmBenchmarks).Assembly).Run(args);
return 0;
