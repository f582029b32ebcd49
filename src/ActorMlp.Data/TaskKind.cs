namespace ActorMlp.Data;

/// <summary>Classification labels are class indices 0..K−1; regression targets are real numbers.</summary>
public enum TaskKind { Classification, Regression }

internal static class TaskKindNames
{
    public static string ToName(this TaskKind task) => task == TaskKind.Classification ? "classification" : "regression";

    public static bool TryParse(string name, out TaskKind task)
    {
        switch (name.Trim().ToLowerInvariant())
        {
            case "classification": task = TaskKind.Classification; return true;
            case "regression": task = TaskKind.Regression; return true;
            default: task = default; return false;
        }
    }
}
