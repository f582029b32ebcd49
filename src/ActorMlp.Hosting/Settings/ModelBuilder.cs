using ActorMlp.Core.Model;
using ActorMlp.Data;

namespace ActorMlp.Hosting.Settings;

/// <summary>Turns the model settings and the data into a <see cref="ModelSpec"/>, or says why they do not fit.</summary>
internal static class ModelBuilder
{
    public static ModelSpec Build(TrainSettings s, DataSplit data)
    {
        var head = s.Loss ?? AutoHead(data);
        if (data.Task == TaskKind.Regression && head != HeadKind.LinearMse)
            throw new UsageException($"--loss {head.ToName()} needs class labels, but {data.Name} is a regression data set; use --loss mse");
        if (data.Task == TaskKind.Classification && head == HeadKind.LinearMse)
            throw new UsageException($"--loss mse is for regression, but {data.Name} has class labels; use cross-entropy or log-loss");
        if (head == HeadKind.SigmoidLogLoss && data.Classes != 2)
            throw new UsageException($"--loss log-loss needs two classes, but {data.Name} has {data.Classes}");

        int outputs = head switch
        {
            HeadKind.SoftmaxCrossEntropy => data.Classes,
            HeadKind.SigmoidLogLoss => 1,
            _ => data.TargetWidth,
        };
        int[] layers;
        if (s.Layers.Length > 0)
        {
            layers = s.Layers;
            if (layers.Length < 2) throw new UsageException("--layers needs at least an input and an output size");
            if (layers[0] != data.Features)
                throw new UsageException($"--layers starts with {layers[0]} inputs, but {data.Name} has {data.Features} features");
            if (layers[^1] != outputs)
                throw new UsageException($"--layers ends with {layers[^1]} outputs, but {data.Name} with {head.ToName()} needs {outputs}");
        }
        else layers = [data.Features, .. s.Hidden, outputs];

        var spec = new ModelSpec(layers, s.Activation, head, s.MaxoutPieces, s.LeakySlope);
        try { spec.Validate(); }
        catch (ArgumentException e) { throw new UsageException(e.Message, e); }
        return spec;
    }

    static HeadKind AutoHead(DataSplit data) => data.Task == TaskKind.Regression ? HeadKind.LinearMse
        : data.Classes == 2 ? HeadKind.SigmoidLogLoss : HeadKind.SoftmaxCrossEntropy;
}
