using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace ActorMlp.Benchmarks;

/// <summary>
/// A results column of work per second (GFLOP/s for a GEMM, MB/s for a serializer): mean time
/// alone hides whether a kernel is near the machine's peak, and the peer reports GFLOP/s, so the
/// two can only be compared in the same unit. The work per operation comes from the case's parameters.
/// </summary>
public sealed class ThroughputColumn(string name, double unitsPerWork, Func<BenchmarkCase, double?> workPerOperation) : IColumn
{
    public string Id => $"{nameof(ThroughputColumn)}.{name}";
    public string ColumnName => name;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => $"{name}: work per operation divided by the mean time";

    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
        => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var stats = summary[benchmarkCase]?.ResultStatistics;
        double? work = workPerOperation(benchmarkCase);
        if (stats is null || work is null || stats.Mean <= 0) return "-";
        double perSecond = work.Value / (stats.Mean * 1e-9);
        return (perSecond * unitsPerWork).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The value of the first parameter of type <typeparamref name="T"/> in a case.</summary>
    public static T? Parameter<T>(BenchmarkCase benchmarkCase) where T : class
        => benchmarkCase.Parameters.Items.Select(p => p.Value).OfType<T>().FirstOrDefault();
}
