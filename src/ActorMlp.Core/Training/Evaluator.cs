using ActorMlp.Core.Model;

namespace ActorMlp.Core.Training;

/// <summary>Loss, accuracy and RMSE of a model over a whole sample set, in chunks of the workspace size.</summary>
public sealed class Evaluator
{
    readonly Mlp _model;
    readonly Workspace _ws;
    readonly int[] _indices;

    public Evaluator(Mlp model, int chunk = 256)
    {
        _model = model;
        _ws = model.CreateWorkspace(chunk);
        _indices = new int[chunk];
    }

    /// <param name="targetScale">Per-output factor back to the data's units for RMSE (regression), or empty.</param>
    public Evaluation Evaluate(ReadOnlySpan<float> parameters, ISampleSource samples, ReadOnlySpan<float> targetScale = default)
    {
        double loss = 0, correct = 0, squared = 0;
        int outputs = _model.Spec.Outputs, width = _model.Head.TargetWidth;
        for (int start = 0; start < samples.Count; start += _ws.MaxRows)
        {
            int rows = Math.Min(_ws.MaxRows, samples.Count - start);
            for (int i = 0; i < rows; i++) _indices[i] = start + i;
            samples.Fill(_indices.AsSpan(0, rows), _ws.Inputs.AsSpan(0, rows * samples.Features), _ws.Targets.AsSpan(0, rows * width));
            var logits = _model.Forward(parameters, rows, _ws);
            loss += _model.Head.Loss(logits, _ws.Targets.AsSpan(0, rows * width), rows, default, out int c);
            correct += c;
            if (_model.Spec.Head == HeadKind.LinearMse)
                for (int i = 0; i < rows * outputs; i++)
                {
                    double e = logits[i] - _ws.Targets[i];
                    if (!targetScale.IsEmpty) e *= targetScale[i % outputs];
                    squared += e * e;
                }
        }
        int n = Math.Max(1, samples.Count);
        return new Evaluation(loss / n, correct / n, Math.Sqrt(squared / ((double)n * outputs)));
    }
}

/// <summary>Mean loss, accuracy (classification) and RMSE in the data's units (regression).</summary>
public readonly record struct Evaluation(double Loss, double Accuracy, double Rmse);
