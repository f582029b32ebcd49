using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;

namespace ActorMlp.Cli.Tests;

public sealed class ExportCommandTests : IDisposable
{
    readonly Cli _cli = new();

    public void Dispose() => _cli.Dispose();

    /// <summary>Every activation on every shipped data set: digits and iris (softmax head), breast_cancer (sigmoid head), diabetes (regression).</summary>
    public static TheoryData<string, string> Models()
    {
        var data = new TheoryData<string, string>();
        foreach (string set in new[] { "digits", "iris", "breast_cancer", "diabetes" })
            foreach (string activation in new[] { "sigmoid", "tanh", "relu", "leaky-relu", "swish", "maxout" })
                data.Add(set, activation);
        return data;
    }

    /// <summary>Raw feature rows of a data set as CSV lines (the label column dropped).</summary>
    static string[] FeatureRows(string set) => set == "digits"
        ? Repository.DigitsRows(120).Select(r => string.Join(',', r.Split(',')[..64])).ToArray()
        : File.ReadAllLines(Repository.Data(set + ".csv"))[1..].Select(r => r[..r.LastIndexOf(',')]).ToArray();

    string Train(string set, string activation)
    {
        string[] data = set == "digits" ? [] : ["--data", $"csv:{Repository.Data(set + ".csv")}"];
        // Two small hidden layers, so the activation sits between Gemms twice; 3 maxout pieces and a
        // slope far from the default, so a wrong piece layout or a dropped alpha shows.
        return _cli.Train([.. data, "--hidden", "7,5", "--activation", activation, "--maxout-pieces", "3", "--leaky-slope", "0.2",
            "--epochs", "1", "--batch", "32", "--lr", "0.01", "--optimizer", "adam"]);
    }

    string Export(string run)
    {
        string onnx = Path.Combine(run, "model.onnx");
        var result = Cli.Run("export", "--model", run, "--format", "onnx", "--out", onnx);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(onnx, result.Output);
        return onnx;
    }

    /// <summary>What `actormlp predict` printed: one array of fields per row, the header dropped.</summary>
    double[][] Predict(string run, string[] rows)
    {
        string input = _cli.Write($"input-{Guid.NewGuid():N}.csv", string.Join('\n', rows) + "\n");
        var result = Cli.Run("predict", "--model", run, "--input", input);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1..]
            .Select(l => l.Split(',').Select(f => double.Parse(f, CultureInfo.InvariantCulture)).ToArray()).ToArray();
    }

    /// <summary>Runs the ONNX file on ONNX Runtime; returns every output by name, as floats, and its shape.</summary>
    static Dictionary<string, (float[] Values, long[] Shape)> RunOnnx(string onnx, string[] rows)
    {
        var parsed = rows.Select(r => r.Split(',').Select(f => float.Parse(f, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        int width = parsed[0].Length;
        var features = parsed.SelectMany(r => r).ToArray();
        using var session = new InferenceSession(onnx);
        using var input = OrtValue.CreateTensorValueFromMemory(features, [rows.Length, width]);
        using var options = new RunOptions();
        var names = session.OutputNames.ToArray();
        using var results = session.Run(options, new Dictionary<string, OrtValue> { ["features"] = input }, names);
        var outputs = new Dictionary<string, (float[], long[])>();
        for (int i = 0; i < names.Length; i++)
        {
            var info = results[i].GetTensorTypeAndShape();
            float[] values = info.ElementDataType == TensorElementType.Int64
                ? results[i].GetTensorDataAsSpan<long>().ToArray().Select(v => (float)v).ToArray()
                : results[i].GetTensorDataAsSpan<float>().ToArray();
            outputs[names[i]] = (values, info.Shape);
        }
        return outputs;
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Onnx_runtime_predicts_what_predict_prints(string set, string activation)
    {
        string run = Train(set, activation);
        var rows = FeatureRows(set);

        var expected = Predict(run, rows);
        var onnx = RunOnnx(Export(run), rows);

        Assert.Equal(rows.Length, expected.Length);
        if (set == "diabetes")
        {
            Assert.Equal(["prediction"], onnx.Keys.ToArray());
            var (values, shape) = onnx["prediction"];
            Assert.Equal([rows.Length, 1L], shape);
            for (int r = 0; r < rows.Length; r++)
            {
                // in the data's units (about 25..350): 1e-5 of the value, float32 itself holds ~1e-7 of it
                double tolerance = 1e-5 * Math.Max(1, Math.Abs(expected[r][0]));
                Assert.True(Math.Abs(values[r] - expected[r][0]) <= tolerance, $"row {r}: onnx {values[r]}, predict {expected[r][0]}");
            }
            Assert.True(values.Max() - values.Min() > 1, "the regression model gives (nearly) one value for every row");
            return;
        }

        Assert.Equal(["label", "probabilities"], onnx.Keys.Order().ToArray());
        var (labels, labelShape) = onnx["label"];
        var (probabilities, shapeOfProbabilities) = onnx["probabilities"];
        int k = expected[0].Length - 1;
        Assert.Equal([rows.Length], labelShape);
        Assert.Equal([rows.Length, (long)k], shapeOfProbabilities);
        for (int r = 0; r < rows.Length; r++)
        {
            Assert.Equal(expected[r][0], labels[r]);
            for (int j = 0; j < k; j++)
                Assert.True(Math.Abs(probabilities[r * k + j] - expected[r][1 + j]) <= 1e-5,
                    $"row {r} class {j}: onnx {probabilities[r * k + j]}, predict {expected[r][1 + j]}");
        }
        Assert.True(probabilities.Max() - probabilities.Min() > 0.05, "the model gives (nearly) one probability for everything");
    }

    [Fact]
    public void The_exported_graph_uses_standard_operators_and_maxout_is_a_reshape_and_reduce_max()
    {
        string onnx = Export(Train("iris", "maxout"));

        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(onnx));

        Assert.Equal(17, Assert.Single(model.OpsetImport, o => o.Domain == "").Version);
        Assert.All(model.Graph.Node, n => Assert.Equal("", n.Domain));
        var ops = model.Graph.Node.Select(n => n.OpType).ToArray();
        Assert.Equal(["Sub", "Mul", "Gemm", "Reshape", "ReduceMax", "Gemm", "Reshape", "ReduceMax", "Gemm", "Softmax", "ArgMax"], ops);
        var input = Assert.Single(model.Graph.Input);
        Assert.Equal("features", input.Name);
        var dims = input.Type.TensorType.Shape.Dim;
        Assert.Equal("N", dims[0].DimParam);
        Assert.Equal(4, dims[1].DimValue);
    }

    [Fact]
    public void Export_refuses_a_missing_run_folder_naming_it_and_writes_nothing()
    {
        string run = _cli.NewPath("absent");
        string onnx = Path.Combine(_cli.Root, "never.onnx");

        var result = Cli.Run("export", "--model", run, "--format", "onnx", "--out", onnx);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(run, Assert.Single(result.ErrorLines));
        Assert.False(File.Exists(onnx));
        Assert.False(File.Exists(onnx + ".part"));
    }

    [Fact]
    public void Export_refuses_an_unknown_format_naming_it()
    {
        string onnx = Path.Combine(_cli.Root, "never.tflite");

        var result = Cli.Run("export", "--model", _cli.Root, "--format", "tflite", "--out", onnx);

        Assert.Equal(2, result.ExitCode);
        string error = Assert.Single(result.ErrorLines);
        Assert.Contains("--format tflite", error);
        Assert.Contains("onnx", error);
        Assert.False(File.Exists(onnx));
    }

    [Fact]
    public void Export_needs_an_out_file()
    {
        var result = Cli.Run("export", "--model", _cli.Root, "--format", "onnx");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--out", result.Error);
    }

    [Fact]
    public void Export_into_a_missing_folder_fails_naming_the_file_and_leaves_no_part_file()
    {
        string run = Train("iris", "relu");
        string onnx = Path.Combine(_cli.Root, "no-such-folder", "model.onnx");

        var result = Cli.Run("export", "--model", run, "--out", onnx);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(onnx, Assert.Single(result.ErrorLines));
        Assert.False(Directory.Exists(Path.GetDirectoryName(onnx)));
    }
}
