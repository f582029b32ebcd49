namespace ActorMlp.Core.Model;

/// <summary>Output layer and loss, always paired: the pairing is what makes δ = prediction − target.</summary>
public enum HeadKind { SoftmaxCrossEntropy, SigmoidLogLoss, LinearMse }

internal static class HeadKindNames
{
    public static string ToName(this HeadKind kind) => kind switch
    {
        HeadKind.SoftmaxCrossEntropy => "cross-entropy",
        HeadKind.SigmoidLogLoss => "log-loss",
        _ => "mse",
    };

    public static bool TryParse(string name, out HeadKind kind)
    {
        switch (name.Trim().ToLowerInvariant())
        {
            case "cross-entropy" or "softmax" or "ce": kind = HeadKind.SoftmaxCrossEntropy; return true;
            case "log-loss" or "logloss" or "bce" or "binary-cross-entropy": kind = HeadKind.SigmoidLogLoss; return true;
            case "mse" or "linear": kind = HeadKind.LinearMse; return true;
            default: kind = default; return false;
        }
    }
}
