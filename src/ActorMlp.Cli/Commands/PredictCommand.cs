using System.Globalization;
using System.Text;
using ActorMlp.Cli.CommandLine;
using ActorMlp.Core.Model;
using ActorMlp.Data;

namespace ActorMlp.Cli.Commands;

/// <summary>
/// `actormlp predict`: reads rows of raw features, applies the checkpoint's input transform and
/// writes one prediction per row: the class and its probabilities, or the regression values in
/// the data's own units.
/// </summary>
internal static class PredictCommand
{
    public static int Run(ParsedArguments args, TextWriter output)
    {
        var checkpoint = ModelLoader.Load(args.Get("--model"));
        string input = args.Get("--input") ?? throw new UsageException("--input FILE.csv is required");
        CsvTable table;
        try { table = CsvReader.Read(input); }
        catch (DataException e) { throw new UsageException(e.Message, e); }
        var model = new Mlp(checkpoint.Spec);
        if (table.Width != model.Spec.Inputs)
            throw new UsageException($"{input} has {table.Width} columns, but the model takes {model.Spec.Inputs} features");

        var features = ModelLoader.Features(checkpoint);
        var targets = ModelLoader.Targets(checkpoint);
        int k = model.Spec.Outputs;
        var ws = model.CreateWorkspace(1);
        var probabilities = new float[k];
        var text = new StringBuilder();
        text.AppendLine(model.Spec.Head switch
        {
            HeadKind.SoftmaxCrossEntropy => "prediction," + string.Join(',', Enumerable.Range(0, k).Select(j => $"p{j}")),
            HeadKind.SigmoidLogLoss => "prediction,probability",
            _ => k == 1 ? "prediction" : string.Join(',', Enumerable.Range(0, k).Select(j => $"prediction{j}")),
        });
        for (int r = 0; r < table.Rows; r++)
        {
            features.Apply(table.Values.AsSpan(r * table.Width, table.Width), ws.Inputs);
            var logits = model.Forward(checkpoint.Parameters, 1, ws);
            model.Head.Predict(logits, probabilities);
            switch (model.Spec.Head)
            {
                case HeadKind.SoftmaxCrossEntropy:
                    int best = 0;
                    for (int j = 1; j < k; j++) if (probabilities[j] > probabilities[best]) best = j;
                    text.Append(best).Append(',').AppendJoin(',', probabilities.Select(F)).AppendLine();
                    break;
                case HeadKind.SigmoidLogLoss:
                    text.Append(probabilities[0] > 0.5f ? 1 : 0).Append(',').AppendLine(F(probabilities[0]));
                    break;
                default:
                    targets?.Invert(probabilities, probabilities);
                    text.AppendJoin(',', probabilities.Select(F)).AppendLine();
                    break;
            }
        }

        string? path = args.Get("--output");
        if (path is null) output.Write(text);
        else
        {
            string temporary = path + ".tmp";
            try
            {
                File.WriteAllText(temporary, text.ToString());
                File.Move(temporary, path, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"cannot write --output {path}: {e.Message}", e);
            }
        }
        return 0;
    }

    static string F(float v) => v.ToString("G7", CultureInfo.InvariantCulture);
}
