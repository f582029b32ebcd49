using System.Diagnostics;
using System.Globalization;
using ActorMlp.Core.Model;
using ActorMlp.Core.Optim;
using ActorMlp.Core.Training;

namespace ActorMlp.Benchmarks.Scaling;

/// <summary>
/// `costs`: measures the two per-step costs the scaling model takes as inputs, on one core, with the
/// product's own code: the root of a step's tree (forward and backward of every row, as
/// <c>train --workers 0</c> computes it) per row, and the optimizer's pass (SGD, momentum 0.9, the
/// default) per parameter. Give it the busiest worker's node: <c>--batch</c> its rows and
/// <c>--micro-shards</c> its leaves. The best of 7 timed batches after a warm-up: on a shared machine
/// other work only ever adds time, and the model wants a core's own cost, as a dedicated node has it.
/// </summary>
public static class CostsMode
{
    const string Usage = "usage: ActorMlp.Benchmarks costs [--layers 784,256,128,10] [--batch 128] [--micro-shards 16]";

    public static int Run(string[] args)
    {
        int[] layers = [784, 256, 128, 10];
        int batch = 128, microShards = 16;
        for (int i = 1; i < args.Length; i += 2)
        {
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            bool ok = value is not null && args[i] switch
            {
                "--layers" => ScalingMode.TryParseInts(value, out layers),
                "--batch" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out batch) && batch > 0,
                "--micro-shards" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out microShards) && int.IsPow2(microShards) && microShards <= batch,
                _ => false,
            };
            if (!ok)
            {
                Console.Error.WriteLine($"costs: bad or unknown argument '{args[i]}'\n{Usage}");
                return 2;
            }
        }

        var model = new Mlp(new ModelSpec(layers, ActivationKind.Relu, HeadKind.SoftmaxCrossEntropy));
        var samples = new SyntheticImages(features: layers[0], classes: layers[^1]);
        var plan = new TrainingPlan(samples.Count, 100_000, batch, microShards, Seed: 1);
        plan.Validate();
        var parameters = Initializer.Create(model.Spec, InitKind.He, seed: 1);
        var engine = new LocalGradientEngine(model, samples, plan, threads: 1);
        long step = 0;
        double compute = Best(() => engine.ComputeRoot(parameters, plan.Assignment(step++ % plan.StepsPerEpoch)));

        var optimizer = Optimizer.Create(new OptimizerSettings(OptimizerKind.Sgd, Momentum: 0.9f), parameters.Length);
        var gradient = new float[parameters.Length];
        // A tiny rate and gradient keep the weights finite and unchanged in magnitude however long it runs.
        Array.Fill(gradient, 1e-6f);
        double update = Best(() => optimizer.Step(parameters, gradient, 1e-6f, 1f / batch));

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT costs layers={string.Join(',', layers)} parameters={parameters.Length} batch={batch} micro_shards={microShards} " +
            $"compute_us_per_row={compute / batch * 1e6:F3} optimizer_ns_per_parameter={update / parameters.Length * 1e9:F4}"));
        return 0;
    }

    // Seconds of one call: the best of 7 batches, each long enough (≥ 0.2 s) for the clock.
    static double Best(Action call)
    {
        long warm = Stopwatch.GetTimestamp();
        int perBatch = 0;
        do { call(); perBatch++; } while (Stopwatch.GetElapsedTime(warm).TotalSeconds < 1.0);
        perBatch = Math.Max(1, perBatch / 5);
        var times = new double[7];
        for (int b = 0; b < times.Length; b++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < perBatch; i++) call();
            times[b] = Stopwatch.GetElapsedTime(start).TotalSeconds / perBatch;
        }
        return times.Min();
    }
}
