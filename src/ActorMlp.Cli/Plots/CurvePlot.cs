using ScottPlot;

namespace ActorMlp.Cli.Plots;

/// <summary>
/// Draws the learning curves of one or more runs as a PNG: on top the train and test loss per epoch
/// with the learning rate on a right-hand axis, below the train and test accuracy (or, for regression,
/// the test RMSE). One run gets a colour per series; several runs get a colour per run and a line
/// style per series (train solid, test dashed, learning rate dotted).
/// </summary>
internal static class CurvePlot
{
    public const int DefaultWidth = 1200, DefaultHeight = 800;
    public const string File = "curves.png";

    // ScottPlot keeps process-wide font caches; training runs in one process (the tests) may finish together.
    static readonly object RenderGate = new();

    /// <summary>"run-3: digits, 64-32-10 relu, sgd" for one run; the data sets and the number of runs for several.</summary>
    public static string Title(IReadOnlyList<RunCurves> runs)
    {
        if (runs.Count == 1) return runs[0].Description is { } d ? $"{runs[0].Name}: {d}" : runs[0].Name;
        var datasets = runs.Select(r => r.Description?.Split(',')[0]).OfType<string>().Distinct().ToList();
        return datasets.Count == 0 ? $"{runs.Count} runs" : $"{string.Join(", ", datasets)}: {runs.Count} runs";
    }

    /// <summary>Renders and writes the picture to path.part, then renames it to path.</summary>
    public static void Write(string path, IReadOnlyList<RunCurves> runs, string title, int width = DefaultWidth, int height = DefaultHeight)
    {
        byte[] png = Render(runs, title, width, height);
        string part = path + ".part";
        try
        {
            System.IO.File.WriteAllBytes(part, png);
            System.IO.File.Move(part, path, overwrite: true);
        }
        finally
        {
            System.IO.File.Delete(part);
        }
    }

    public static byte[] Render(IReadOnlyList<RunCurves> runs, string title, int width = DefaultWidth, int height = DefaultHeight)
    {
        if (runs.Count == 0) throw new ArgumentException("no runs to plot", nameof(runs));
        EmbeddedFont.Install();
        lock (RenderGate)
        {
            var figure = new Multiplot();
            figure.AddPlots(2);
            figure.Layout = new ScottPlot.MultiplotLayouts.Rows();
            var (loss, score) = (figure.GetPlot(0), figure.GetPlot(1));
            bool regression = runs.All(r => r.Regression);
            DrawLoss(loss, runs, title);
            DrawScore(score, runs, regression);
            // The same side margins line up the epoch axes; the panels' data areas are the same height.
            loss.Layout.Fixed(new PixelPadding(left: 90, right: 90, bottom: 30, top: 45));
            score.Layout.Fixed(new PixelPadding(left: 90, right: 90, bottom: 55, top: 20));
            figure.SharedAxes.ShareX([loss, score]);
            using var image = figure.Render(width, height);
            return image.GetImageBytes(ImageFormat.Png);
        }
    }

    static void DrawLoss(Plot plot, IReadOnlyList<RunCurves> runs, string title)
    {
        Style(plot, title, "loss");
        var lr = plot.Axes.Right;
        lr.Label.Text = "learning rate";
        lr.IsVisible = true;
        double maxRate = 0;
        for (int i = 0; i < runs.Count; i++)
        {
            var run = runs[i];
            Line(plot, run.Epoch, run.TrainLoss, Color(runs, i, 0), LinePattern.Solid, Label(runs, i, "train loss"));
            Line(plot, run.Epoch, run.TestLoss, Color(runs, i, 1), LinePattern.Dashed, Label(runs, i, "test loss"));
            var rate = Line(plot, run.Epoch, run.LearningRate, Color(runs, i, 2), LinePattern.Dotted, Label(runs, i, "learning rate"));
            if (rate is null) continue;
            rate.Axes.YAxis = lr;
            rate.MarkerSize = 0;
            maxRate = Math.Max(maxRate, run.LearningRate.Where(double.IsFinite).DefaultIfEmpty(0).Max());
        }
        FitEpochs(plot, runs);
        // Room above the rate line for the legend, and zero at the bottom so a schedule's decay reads as a fraction.
        plot.Axes.SetLimitsY(0, maxRate > 0 ? maxRate * 1.6 : 1, lr);
        Legend(plot, runs, Alignment.UpperRight, withRate: true);
    }

    static void DrawScore(Plot plot, IReadOnlyList<RunCurves> runs, bool regression)
    {
        Style(plot, null, regression ? "test RMSE" : "accuracy");
        plot.Axes.Right.IsVisible = true;
        plot.Axes.Right.TickLabelStyle.IsVisible = false;
        plot.Axes.Right.MajorTickStyle.Length = 0;
        plot.Axes.Right.MinorTickStyle.Length = 0;
        for (int i = 0; i < runs.Count; i++)
        {
            var run = runs[i];
            if (regression)
                Line(plot, run.Epoch, run.TestRmse, Color(runs, i, 1), LinePattern.Dashed, Label(runs, i, "test RMSE"));
            else
            {
                Line(plot, run.Epoch, run.TrainAccuracy, Color(runs, i, 0), LinePattern.Solid, Label(runs, i, "train accuracy"));
                Line(plot, run.Epoch, run.TestAccuracy, Color(runs, i, 1), LinePattern.Dashed, Label(runs, i, "test accuracy"));
            }
        }
        FitEpochs(plot, runs);
        plot.XLabel("epoch");
        Legend(plot, runs, regression ? Alignment.UpperRight : Alignment.LowerRight, withRate: false);
    }

    static void Style(Plot plot, string? title, string yLabel)
    {
        if (title is not null) plot.Title(title, size: 18);
        plot.Axes.Title.Label.Bold = false;
        plot.YLabel(yLabel, size: 16);
        plot.Axes.Bottom.Label.FontSize = 16;
        plot.Axes.Right.Label.FontSize = 16;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true, TickDensity = 0.6 };
        plot.Grid.MajorLineColor = Colors.Black.WithOpacity(0.08);
    }

    /// <summary>A line through the finite points of ys; none when a run did not record the series.</summary>
    static ScottPlot.Plottables.Scatter? Line(Plot plot, double[] xs, double[] ys, Color color, LinePattern pattern, string? label)
    {
        var keep = Enumerable.Range(0, Math.Min(xs.Length, ys.Length)).Where(i => double.IsFinite(ys[i])).ToArray();
        if (keep.Length == 0) return null;
        var line = plot.Add.Scatter(keep.Select(i => xs[i]).ToArray(), keep.Select(i => ys[i]).ToArray(), color);
        line.LinePattern = pattern;
        line.LineWidth = 2;
        line.MarkerSize = keep.Length <= 30 ? 5 : 0;
        line.LegendText = label ?? "";
        return line;
    }

    static readonly IPalette Palette = new ScottPlot.Palettes.Category10();

    static Color Color(IReadOnlyList<RunCurves> runs, int run, int series)
        => runs.Count == 1 ? (series == 2 ? Colors.Gray : Palette.GetColor(series)) : Palette.GetColor(run);

    /// <summary>One run labels each series; several runs label each run once (its train line) and the styles apart.</summary>
    static string? Label(IReadOnlyList<RunCurves> runs, int run, string series)
        => runs.Count == 1 ? series : series.StartsWith("train") || (series == "test RMSE") ? runs[run].Name : null;

    /// <summary>The data's own range of values, and exactly the epochs recorded, a little inset from the frame.</summary>
    static void FitEpochs(Plot plot, IReadOnlyList<RunCurves> runs)
    {
        plot.Axes.AutoScale();
        double first = runs.Min(r => r.Epoch.Min()), last = runs.Max(r => r.Epoch.Max());
        double inset = Math.Max(0.3, (last - first) * 0.02);
        plot.Axes.SetLimitsX(first - inset, last + inset);
    }

    static void Legend(Plot plot, IReadOnlyList<RunCurves> runs, Alignment where, bool withRate)
    {
        plot.Legend.FontSize = 14;
        plot.Legend.SymbolWidth = 36;
        plot.Legend.Alignment = where;
        plot.Legend.IsVisible = true;
        if (runs.Count == 1) return;
        var styles = new[] { ("train", LinePattern.Solid), ("test", LinePattern.Dashed), ("learning rate", LinePattern.Dotted) };
        foreach (var (text, pattern) in withRate ? styles : styles[..2])
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = text, LinePattern = pattern, LineColor = Colors.Black, LineWidth = 2 });
    }
}
