using System.Diagnostics;
using System.Globalization;
using ActorMlp.Core.Model;
using ActorMlp.Core.Optim;
using ActorMlp.Core.Training;

namespace ActorMlp.Benchmarks.Scaling;

/// <summary>
/// `costs`: measures the per-step costs the scaling model takes as inputs, on one core, with the
/// product's own code. Compute: the root of a step's tree (forward and backward of every row, as
/// <c>train --workers 0</c> computes it) for two nodes whose leaves have the same rows — one leaf, and
/// 32 of them — so the difference is the cost per row at that leaf size and the rest the cost per step
/// whatever the rows (weights packed, gradient written), divided by the parameters. Optimizer: one pass
/// of SGD with momentum 0.9 (the default), per parameter. Each the best of 7 timed batches after a
/// warm-up: on a shared machine other work only ever adds time, and the model wants a core's own cost,
/// as a dedicated node has it.
/// </summary>
public static class CostsMode
{
    const string Usage = "usage: ActorMlp.Benchmarks costs [--layers 784,256,128,10] [--leaf-rows 8]\n" +
        "  or: costs [--layers ...] --batch B --micro-shards M   (one node: its cost per row, nothing fitted)";

    public static int Run(string[] args)
    {
        int[] layers = [784, 256, 128, 10];
        int leafRows = 8, batch = 0, microShards = 0;
        for (int i = 1; i < args.Length; i += 2)
        {
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            bool ok = value is not null && args[i] switch
            {
                "--layers" => ScalingMode.TryParseInts(value, out layers) && layers.Length >= 2,
                "--leaf-rows" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out leafRows) && leafRows > 0,
                "--batch" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out batch) && batch > 0,
                "--micro-shards" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out microShards) && int.IsPow2(microShards),
                _ => false,
            };
            if (!ok)
            {
                Console.Error.WriteLine($"costs: bad or unknown argument '{args[i]}'\n{Usage}");
                return 2;
            }
        }
        if ((batch > 0) != (microShards > 0) || batch > 0 && microShards > batch)
        {
            Console.Error.WriteLine($"costs: --batch and --micro-shards go together, with at least one row per micro-shard\n{Usage}");
            return 2;
        }

        var model = new Mlp(new ModelSpec(layers, ActivationKind.Relu, HeadKind.SoftmaxCrossEntropy));
        var samples = new SyntheticImages(features: layers[0], classes: layers[^1]);
        var parameters = Initializer.Create(model.Spec, InitKind.He, seed: 1);
        string head = $"RESULT costs layers={string.Join(',', layers)} parameters={parameters.Length}";
        if (batch > 0)
        {
            double node = NodeSeconds(model, samples, parameters, batch, microShards);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{head} batch={batch} micro_shards={microShards} compute_us_per_row={node / batch * 1e6:F3}"));
            return 0;
        }

        const int ManyLeaves = 32;
        double one = NodeSeconds(model, samples, parameters, leafRows, 1);
        double many = NodeSeconds(model, samples, parameters, leafRows * ManyLeaves, ManyLeaves);
        double perRow = (many - one) / (leafRows * (ManyLeaves - 1));
        double perParameter = Math.Max(0, one - leafRows * perRow) / parameters.Length;

        var optimizer = Optimizer.Create(new OptimizerSettings(OptimizerKind.Sgd, Momentum: 0.9f), parameters.Length);
        var gradient = new float[parameters.Length];
        // A tiny rate and gradient keep the weights finite and unchanged in magnitude however long it runs.
        Array.Fill(gradient, 1e-6f);
        double update = Best(() => optimizer.Step(parameters, gradient, 1e-6f, 1e-3f));

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{head} leaf_rows={leafRows} compute_us_per_row={perRow * 1e6:F3} compute_ns_per_parameter={perParameter * 1e9:F4} " +
            $"optimizer_ns_per_parameter={update / parameters.Length * 1e9:F4}"));
        return 0;
    }

    // Seconds to compute the root of a step of `batch` rows cut into `leaves` micro-shards, on one thread.
    static double NodeSeconds(Mlp model, SyntheticImages samples, float[] parameters, int batch, int leaves)
    {
        var plan = new TrainingPlan(samples.Count, 100_000, batch, leaves, Seed: 1);
        plan.Validate();
        var engine = new LocalGradientEngine(model, samples, plan, threads: 1);
        long step = 0;
        return Best(() => engine.ComputeRoot(parameters, plan.Assignment(step++ % plan.StepsPerEpoch)));
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
