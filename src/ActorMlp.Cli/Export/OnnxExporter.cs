using System.Reflection;
using ActorMlp.Core.Checkpoints;
using ActorMlp.Core.Model;
using Onnx;
using DataType = Onnx.TensorProto.Types.DataType;

namespace ActorMlp.Cli.Export;

/// <summary>
/// A checkpoint as an ONNX model in standard operators, from raw features to what `actormlp predict`
/// prints: the fitted input transform (Sub, Mul), per dense layer Gemm with transB = 1 on W as stored
/// (out×in) and its activation, then Softmax and ArgMax, Sigmoid and a 0.5 threshold, or the
/// regression target's un-scaling (Div, Add).
/// </summary>
internal static class OnnxExporter
{
    /// <summary>
    /// Opset 17 (ONNX 1.12, IR version 8): every operator used here has its current form there
    /// (ReduceMax still takes axes as an attribute, moved to an input in 18), and runtimes from
    /// ONNX Runtime 1.12 on, TensorRT and browsers' runtimes read it.
    /// </summary>
    public const int Opset = 17;
    public const int IrVersion = 8;

    public const string Features = "features";
    public const string Probabilities = "probabilities";
    public const string Label = "label";
    public const string Prediction = "prediction";

    public static ModelProto Export(Checkpoint checkpoint)
    {
        var spec = checkpoint.Spec;
        var mlp = new Mlp(spec);
        var graph = new OnnxGraph("actormlp");
        graph.Input(Features, DataType.Float, spec.Inputs, $"raw features, {spec.Inputs} per row, as in the CSV given to actormlp predict");

        string x = Features;
        if (checkpoint.FeatureShift.Length == spec.Inputs && checkpoint.FeatureScale.Length == spec.Inputs)
        {
            // (x − shift)·scale, the two operations of FeatureTransform.Apply, so the model sees the same floats
            x = graph.Node("Sub", [x, graph.Floats("feature_shift", checkpoint.FeatureShift, spec.Inputs)], graph.Name("shifted"));
            x = graph.Node("Mul", [x, graph.Floats("feature_scale", checkpoint.FeatureScale, spec.Inputs)], graph.Name("inputs"));
        }

        var layers = mlp.Layout.Layers;
        var parameters = checkpoint.Parameters.AsSpan();
        for (int l = 0; l < layers.Count; l++)
        {
            var d = layers[l];
            string w = graph.Floats($"W{l}", parameters.Slice(d.WeightOffset, d.WeightCount), d.Rows, d.Inputs);
            string b = graph.Floats($"b{l}", parameters.Slice(d.BiasOffset, d.Rows), d.Rows);
            x = graph.Node("Gemm", [x, w, b], graph.Name(l == layers.Count - 1 ? "logits" : $"z{l}"), OnnxGraph.Int("transB", 1));
            if (l < layers.Count - 1) x = Activate(graph, spec, x, spec.Layers[l + 1], l);
        }

        switch (spec.Head)
        {
            case HeadKind.SoftmaxCrossEntropy:
                graph.Node("Softmax", [x], Probabilities, OnnxGraph.Int("axis", 1));
                graph.Node("ArgMax", [Probabilities], Label, OnnxGraph.Int("axis", 1), OnnxGraph.Int("keepdims", 0));
                graph.Output(Label, DataType.Int64, null, "the most probable class (the first on ties), as predict's 'prediction' column");
                graph.Output(Probabilities, DataType.Float, spec.Outputs, "class probabilities, as predict's p0, p1, ... columns");
                break;
            case HeadKind.SigmoidLogLoss:
                graph.Node("Sigmoid", [x], Probabilities);
                string positive = graph.Node("Greater", [Probabilities, graph.Floats("half", [0.5f])], graph.Name("positive"));
                string asInteger = graph.Node("Cast", [positive], graph.Name("positive_int64"), OnnxGraph.Int("to", (long)DataType.Int64));
                graph.Node("Squeeze", [asInteger, graph.Int64s("squeeze_axes", 1)], Label);
                graph.Output(Label, DataType.Int64, null, "1 where the probability of class 1 is above 0.5, else 0, as predict's 'prediction' column");
                graph.Output(Probabilities, DataType.Float, 1, "the probability of class 1, as predict's 'probability' column");
                break;
            default:
                if (checkpoint.TargetShift.Length == spec.Outputs && checkpoint.TargetScale.Length == spec.Outputs)
                {
                    // FeatureTransform.Invert: divide by the scale, then add the shift
                    x = graph.Node("Div", [x, graph.Floats("target_scale", checkpoint.TargetScale, spec.Outputs)], graph.Name("unscaled"));
                    graph.Node("Add", [x, graph.Floats("target_shift", checkpoint.TargetShift, spec.Outputs)], Prediction);
                }
                else graph.Node("Identity", [x], Prediction);
                graph.Output(Prediction, DataType.Float, spec.Outputs, "regression values in the units of the training data, as predict prints them");
                break;
        }

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "actormlp",
            ProducerVersion = typeof(OnnxExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "",
            DocString = $"ActorMlp model {spec}, trained on {checkpoint.Dataset} ({checkpoint.Task}) for {checkpoint.Step} steps",
            Graph = graph.Proto,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        model.MetadataProps.Add(new StringStringEntryProto { Key = "actormlp.model", Value = spec.ToString() });
        model.MetadataProps.Add(new StringStringEntryProto { Key = "actormlp.dataset", Value = checkpoint.Dataset });
        model.MetadataProps.Add(new StringStringEntryProto { Key = "actormlp.task", Value = checkpoint.Task });
        return model;
    }

    // z is (N, units·pieces) for maxout, (N, units) otherwise; returns the name of a, (N, units)
    static string Activate(OnnxGraph graph, ModelSpec spec, string z, int units, int layer)
    {
        string a = graph.Name($"a{layer}");
        switch (spec.Activation)
        {
            case ActivationKind.Sigmoid: return graph.Node("Sigmoid", [z], a);
            case ActivationKind.Tanh: return graph.Node("Tanh", [z], a);
            case ActivationKind.Relu: return graph.Node("Relu", [z], a);
            case ActivationKind.LeakyRelu: return graph.Node("LeakyRelu", [z], a, OnnxGraph.Float("alpha", spec.LeakySlope));
            case ActivationKind.Swish:
                // no Swish operator at opset 17: z·σ(z), as SwishLanes computes it
                string sigma = graph.Node("Sigmoid", [z], graph.Name($"sigmoid{layer}"));
                return graph.Node("Mul", [z, sigma], a);
            case ActivationKind.Maxout:
                // unit u's pieces are rows u·k .. u·k+k−1 of W (MaxoutActivation), so (N, units·k) → (N, units, k), max over the last axis
                string shape = graph.Int64s($"maxout_shape{layer}", 0, units, spec.MaxoutPieces);
                string pieces = graph.Node("Reshape", [z, shape], graph.Name($"pieces{layer}"));
                return graph.Node("ReduceMax", [pieces], a, OnnxGraph.Ints("axes", 2), OnnxGraph.Int("keepdims", 0));
            default:
                throw new ArgumentOutOfRangeException(nameof(spec), spec.Activation, "no ONNX form for this activation");
        }
    }
}
