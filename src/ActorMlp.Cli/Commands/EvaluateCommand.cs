using System.Text.Json;
using ActorMlp.Cli.CommandLine;
using ActorMlp.Core.Model;
using ActorMlp.Core.Training;
using ActorMlp.Data;

namespace ActorMlp.Cli.Commands;

/// <summary>
/// `actormlp evaluate`: the model of a run on the test part of a data set, transformed exactly as in
/// training (the checkpoint's transforms, not refitted). Prints one JSON object.
/// </summary>
public static class EvaluateCommand
{
    public static int Run(ParsedArguments args, TextWriter output)
    {
        var checkpoint = ModelLoader.Load(args.Get("--model"));
        string spec = args.Get("--data") ?? checkpoint.Dataset;
        var data = DataOptions.Load(spec, args.Get("--data-dir") ?? "");
        var model = new Mlp(checkpoint.Spec);
        if (data.Features != model.Spec.Inputs)
            throw new UsageException($"{data.Name} has {data.Features} features, but the model takes {model.Spec.Inputs}");
        bool regression = model.Spec.Head == HeadKind.LinearMse;
        if (regression != (data.Task == TaskKind.Regression))
            throw new UsageException($"the model does {checkpoint.Task}, but {data.Name} is a {data.Task.ToName()} data set");
        if (!regression)
            try { data.CheckLabels(model.Spec.Head == HeadKind.SigmoidLogLoss ? 2 : model.Spec.Outputs); }
            catch (DataException e) { throw new UsageException(e.Message, e); }
        if (regression && data.TargetWidth != model.Spec.Outputs)
            throw new UsageException($"{data.Name} has {data.TargetWidth} targets, but the model has {model.Spec.Outputs} outputs");

        data = data.WithTransforms(ModelLoader.Features(checkpoint), ModelLoader.Targets(checkpoint));
        float[] scale = checkpoint.TargetScale.Select(x => 1f / x).ToArray();
        var result = new Evaluator(model).Evaluate(checkpoint.Parameters, data.Test, scale);
        var json = new Dictionary<string, object>
        {
            ["dataset"] = data.Name,
            ["samples"] = data.Test.Count,
            ["test_loss"] = result.Loss,
        };
        if (regression) json["test_rmse"] = result.Rmse;
        else json["test_accuracy"] = result.Accuracy;
        output.WriteLine(JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }
}
