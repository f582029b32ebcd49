using System.Globalization;
using System.Text;

namespace ActorMlp.Benchmarks.Scaling;

/// <summary>
/// `scaling`: prints <see cref="ScalingModel"/>'s predictions as Markdown tables — per model the bytes
/// on the busiest node's link, then per batch the samples/s and step time of each exchange for every
/// worker count and link rate. Deterministic: every input is a flag or a default written below. With
/// several micro-shard counts a row is printed for each that changes the prediction: they differ only
/// where workers outnumber the smaller count's leaves.
/// </summary>
public static class ScalingMode
{
    const string Usage = "usage: ActorMlp.Benchmarks scaling [--layers 784,256,128,10]... [--batch 512,128] [--workers 2,4,8,16,64]\n" +
        "  [--rates 1gbit,10gbit] [--micro-shards 16,64] [--compute-us-per-row X] [--compute-ns-per-param Y]\n" +
        "  [--optimizer-ns-per-param Z]\n" +
        "  [--latency-us 50] [--overhead-ms 0.3]";

    // Measured with `costs --layers L` (leaves of 8 rows) on the 2-core development machine (AMD EPYC, AVX2, no
    // AVX-512) while others' builds kept its load at 13–18: the smallest of 6 runs of each figure, since load
    // only ever adds time. Compute per row and per parameter once per step; the optimizer's pass per parameter.
    static readonly Dictionary<string, (double UsPerRow, double NsPerParameter, double OptimizerNs)> Measured = new()
    {
        ["784,256,128,10"] = (23.4, 0.66, 0.23),
        ["784,1024,1024,10"] = (138.0, 3.2, 0.60),
    };
    const string ReferenceLayers = "784,256,128,10";

    static readonly Exchange[] Exchanges = Enum.GetValues<Exchange>();

    public static int Run(string[] args)
    {
        var models = new List<int[]>();
        int[] batches = [512, 128], workers = [2, 4, 8, 16, 64];
        double[] rates = [1e9, 10e9];
        int[] microShards = [16, 64];
        double? computeUs = null, computeNs = null;
        double? optimizerNs = null;
        double latencyUs = 50, overheadMs = 0.3;
        for (int i = 1; i < args.Length; i += 2)
        {
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            bool ok = value is not null;
            if (ok)
                switch (args[i])
                {
                    case "--layers": ok = TryParseInts(value!, out var layers) && layers.Length >= 2; if (ok) models.Add(layers); break;
                    case "--batch": ok = TryParseInts(value!, out batches); break;
                    case "--workers": ok = TryParseInts(value!, out workers); break;
                    case "--rates": ok = TryParseRates(value!, out rates); break;
                    case "--micro-shards": ok = TryParseInts(value!, out microShards) && microShards.All(int.IsPow2); break;
                    case "--compute-us-per-row": ok = TryParsePositive(value!, out double c); computeUs = c; break;
                    case "--compute-ns-per-param": ok = TryParsePositive(value!, out double f, zero: true); computeNs = f; break;
                    case "--optimizer-ns-per-param": ok = TryParsePositive(value!, out double z); optimizerNs = z; break;
                    case "--latency-us": ok = TryParsePositive(value!, out latencyUs, zero: true); break;
                    case "--overhead-ms": ok = TryParsePositive(value!, out overheadMs, zero: true); break;
                    default: ok = false; break;
                }
            if (!ok)
            {
                Console.Error.WriteLine($"scaling: bad or unknown argument '{args[i]}'{(value is null ? "" : $" '{value}'")}\n{Usage}");
                return 2;
            }
        }
        if (models.Count == 0) models = [[784, 256, 128, 10], [784, 1024, 1024, 10]];
        if (batches.Any(b => b < microShards.Max()))
        {
            Console.Error.WriteLine($"scaling: every batch must hold at least one row per micro-shard ({microShards.Max()})");
            return 2;
        }

        Console.Write(Report(models, batches, workers, rates, microShards, computeUs, computeNs, optimizerNs, latencyUs * 1e-6, overheadMs * 1e-3));
        return 0;
    }

    /// <summary>
    /// The costs of a model — compute µs per row, compute ns per parameter and step, optimizer ns per parameter:
    /// given, measured, or scaled from the reference model (per row by multiply-adds per row; the per-parameter
    /// figures as they are, though a model whose parameters outgrow the caches pays more per parameter).
    /// </summary>
    public static (double UsPerRow, double NsPerParameter, double OptimizerNs) Costs(int[] layers, double? usPerRow, double? nsPerParameter, double? optimizerNs)
    {
        if (!Measured.TryGetValue(string.Join(',', layers), out var measured))
        {
            int[] reference = ReferenceLayers.Split(',').Select(int.Parse).ToArray();
            var r = Measured[ReferenceLayers];
            measured = (r.UsPerRow * MultiplyAdds(layers) / MultiplyAdds(reference), r.NsPerParameter, r.OptimizerNs);
        }
        return (usPerRow ?? measured.UsPerRow, nsPerParameter ?? measured.NsPerParameter, optimizerNs ?? measured.OptimizerNs);
    }

    static double MultiplyAdds(int[] layers) => Enumerable.Range(0, layers.Length - 1).Sum(l => (double)layers[l] * layers[l + 1]);

    static string Report(List<int[]> models, int[] batches, int[] workers, double[] rates, int[] microShards, double? computeUs,
        double? computeNs, double? optimizerNs, double latencySeconds, double overheadSeconds)
    {
        var o = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        foreach (var layers in models)
        {
            long p = ScalingModel.Parameters(layers);
            var (c, f, u) = Costs(layers, computeUs, computeNs, optimizerNs);
            double optimizerSeconds = u * 1e-9;
            o.AppendLine(inv, $"### {string.Join('-', layers)}: P = {p:N0} parameters");
            o.AppendLine();
            o.AppendLine(inv, $"compute {c:0.###} µs/row + {f:0.###} ns/parameter per step ({p * f * 1e-6:0.00} ms), optimizer {optimizerSeconds * 1e9:0.###} ns/parameter ({p * optimizerSeconds * 1e3:0.00} ms), " +
                $"overhead {overheadSeconds * 1e3:0.###} ms/step, latency {latencySeconds * 1e6:0.#} µs/round");
            o.AppendLine();
            o.AppendLine("MB a step puts on the busiest node's link (the larger direction):");
            o.AppendLine();
            o.AppendLine("| K | M | " + string.Join(" | ", Exchanges.Select(Name)) + " |");
            o.AppendLine("|---|---|" + string.Concat(Exchanges.Select(_ => "---|")));
            foreach (int k in workers)
            {
                string? previous = null;
                foreach (int m in microShards)
                {
                    string cells = string.Join(" | ", Exchanges.Select(e =>
                        (ScalingModel.Busiest(ScalingModel.NodeTraffic(e, p, k, m)).Wire / 1e6).ToString("0.00", inv)));
                    if (cells == previous) continue;
                    o.AppendLine($"| {k} | {m} | {cells} |");
                    previous = cells;
                }
            }
            o.AppendLine();
            foreach (int batch in batches)
            {
                var costs = new StepCosts(c * 1e-6, f * 1e-9, optimizerSeconds, overheadSeconds);
                double single = batch / (costs.Compute(batch, p) + p * optimizerSeconds);
                o.AppendLine(inv, $"Batch {batch}: samples/s (step ms); one process without a network: {single:N0} samples/s");
                o.AppendLine();
                o.AppendLine("| K | link | M | rows/worker | " + string.Join(" | ", Exchanges.Select(Name)) + " |");
                o.AppendLine("|---|---|---|---|" + string.Concat(Exchanges.Select(_ => "---|")));
                foreach (double rate in rates)
                    foreach (int k in workers)
                    {
                        string? previous = null;
                        foreach (int m in microShards)
                        {
                            var shape = new ClusterShape(k, batch, m);
                            var link = new LinkSpec(rate, latencySeconds);
                            var estimates = Exchanges.Select(e => ScalingModel.Estimate(e, p, shape, link, costs)).ToArray();
                            int leafRows = ScalingModel.BusiestRows(Exchange.PeerFp32, batch, m, k);
                            int ringRows = ScalingModel.BusiestRows(Exchange.RingFp32, batch, m, k);
                            string rows = leafRows == ringRows ? $"{leafRows}" : $"{leafRows} (ring {ringRows})";
                            string cells = rows + " | " + string.Join(" | ", estimates.Select(s =>
                                string.Create(inv, $"{s.SamplesPerSecond(batch):N0} ({s.Seconds * 1e3:0.0})")));
                            if (cells == previous) continue;
                            o.AppendLine($"| {k} | {RateName(rate)} | {m} | {cells} |");
                            previous = cells;
                        }
                    }
                o.AppendLine();
            }
        }
        return o.ToString();
    }

    static string Name(Exchange e) => e switch
    {
        Exchange.StarFp32 => "star fp32",
        Exchange.StarBf16 => "star bf16",
        Exchange.PeerFp32 => "peer fp32",
        Exchange.PeerBf16 => "peer bf16",
        Exchange.RingFp32 => "ring (DDP) fp32",
        _ => e.ToString(),
    };

    static string RateName(double bitsPerSecond) => bitsPerSecond >= 1e9
        ? string.Create(CultureInfo.InvariantCulture, $"{bitsPerSecond / 1e9:0.##} Gbit/s")
        : string.Create(CultureInfo.InvariantCulture, $"{bitsPerSecond / 1e6:0.##} Mbit/s");

    internal static bool TryParseInts(string text, out int[] values)
    {
        var parts = text.Split(',');
        values = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out values[i]) || values[i] <= 0) return false;
        return true;
    }

    /// <summary>Link rates such as <c>1gbit</c>, <c>10gbit</c>, <c>100mbit</c>, in bits per second.</summary>
    public static bool TryParseRates(string text, out double[] bitsPerSecond)
    {
        var parts = text.Split(',');
        bitsPerSecond = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            string s = parts[i].Trim().ToLowerInvariant();
            double unit = s.EndsWith("gbit") ? 1e9 : s.EndsWith("mbit") ? 1e6 : 0;
            if (unit == 0 || !double.TryParse(s[..^4], NumberStyles.Float, CultureInfo.InvariantCulture, out double n) || !(n > 0)) return false;
            bitsPerSecond[i] = n * unit;
        }
        return true;
    }

    static bool TryParsePositive(string text, out double value, bool zero = false)
        => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && (value > 0 || zero && value == 0);
}
