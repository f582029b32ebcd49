using System.Globalization;

namespace ActorMlp.Data;

/// <summary>
/// A data SPEC as the command line takes it: <c>digits</c>, <c>fashion-mnist</c>, <c>idx:DIR</c> or
/// <c>csv:PATH[,label=COL][,test=PATH|,split=F][,task=classification|regression]</c>.
/// </summary>
public sealed record DatasetSpec(string Kind, string? Path = null, string? Label = null, string? TestPath = null,
    double? TestFraction = null, TaskKind? Task = null)
{
    public const string Digits = "digits", FashionMnist = "fashion-mnist", Idx = "idx", Csv = "csv";

    public static DatasetSpec Parse(string text)
    {
        string t = text.Trim();
        if (t.Length == 0) throw new DataException("the data SPEC is empty; use digits, fashion-mnist, idx:DIR or csv:PATH[,...]");
        if (t.Equals(Digits, StringComparison.OrdinalIgnoreCase)) return new DatasetSpec(Digits);
        if (t.Equals(FashionMnist, StringComparison.OrdinalIgnoreCase) || t.Equals("fashion_mnist", StringComparison.OrdinalIgnoreCase))
            return new DatasetSpec(FashionMnist);
        if (t.StartsWith("idx:", StringComparison.OrdinalIgnoreCase))
        {
            string dir = t[4..].Trim();
            if (dir.Length == 0) throw new DataException($"data SPEC '{Excerpt.Of(text, Excerpt.Name)}' names no folder after idx:");
            return new DatasetSpec(Idx, dir);
        }
        if (t.StartsWith("csv:", StringComparison.OrdinalIgnoreCase))
        {
            var parts = t[4..].Split(',');
            string path = parts[0].Trim();
            if (path.Length == 0) throw new DataException($"data SPEC '{Excerpt.Of(text, Excerpt.Name)}' names no file after csv:");
            var spec = new DatasetSpec(Csv, path);
            foreach (var part in parts.Skip(1))
            {
                int eq = part.IndexOf('=');
                if (eq < 0) throw new DataException($"data SPEC '{Excerpt.Of(text, Excerpt.Name)}': option '{Excerpt.Of(part)}' is not key=value");
                string key = part[..eq].Trim().ToLowerInvariant(), value = part[(eq + 1)..].Trim();
                spec = key switch
                {
                    "label" => spec with { Label = value },
                    "test" => spec with { TestPath = value },
                    "split" => spec with { TestFraction = ParseFraction(text, value) },
                    "task" => spec with { Task = TaskKindNames.TryParse(value, out var task) ? task
                        : throw new DataException($"data SPEC '{Excerpt.Of(text, Excerpt.Name)}': task must be classification or regression, not '{Excerpt.Of(value)}'") },
                    _ => throw new DataException($"data SPEC '{Excerpt.Of(text, Excerpt.Name)}': unknown option '{Excerpt.Of(key)}' (known: label, test, split, task)"),
                };
            }
            if (spec.TestPath is not null && spec.TestFraction is not null)
                throw new DataException($"data SPEC '{Excerpt.Of(text, Excerpt.Name)}' gives both test= and split=; use one");
            return spec;
        }
        throw new DataException($"unknown data SPEC '{Excerpt.Of(text, Excerpt.Name)}'; use digits, fashion-mnist, idx:DIR or csv:PATH[,label=COL][,test=PATH|,split=F][,task=...]");
    }

    static double ParseFraction(string text, string value)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double f) || !(f > 0 && f < 1))
            throw new DataException($"data SPEC '{Excerpt.Of(text, Excerpt.Name)}': split must be a fraction between 0 and 1, not '{Excerpt.Of(value)}'");
        return f;
    }

    public override string ToString() => Kind switch
    {
        Digits or FashionMnist => Kind,
        Idx => $"idx:{Path}",
        _ => $"csv:{Path}",
    };
}
