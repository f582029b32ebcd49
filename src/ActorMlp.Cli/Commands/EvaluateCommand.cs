using System.Text.Json;
using ActorMlp.Cli.CommandLine;
using ActorMlp.Cli.Runs;
using ActorMlp.Cli.Settings;
using ActorMlp.Core.Model;
using ActorMlp.Core.Training;
using ActorMlp.Data;
using Akka.Configuration;

namespace ActorMlp.Cli.Commands;

/// <summary>
/// `actormlp evaluate`: the model of a run on the test part of a data set, transformed exactly as in
/// training (the checkpoint's transforms, not refitted). Prints one JSON object.
/// </summary>
internal static class EvaluateCommand
{
    public static int Run(ParsedArguments args, TextWriter output)
    {
        var checkpoint = ModelLoader.Load(args.Get("--model"));
        string spec = args.Get("--data") ?? checkpoint.Dataset;
        var split = RunSplit(args.Get("--model")!);
        var data = DataOptions.Load(spec, args.Get("--data-dir") ?? split.DataDir, split.TestFraction, split.SplitSeed);
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
        float[] scale = ModelLoader.Targets(checkpoint)?.Unscale() ?? [];
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

    /// <summary>
    /// The held-out split of the run, from the config.conf beside its checkpoint, so the test part is
    /// the one the run was tested on; the defaults when there is no config.conf.
    /// </summary>
    static (double TestFraction, ulong SplitSeed, string DataDir) RunSplit(string model)
    {
        string folder = Directory.Exists(model) ? model : Path.GetDirectoryName(Path.GetFullPath(model)) ?? ".";
        string path = Path.Combine(folder, RunFolder.ConfigFile);
        var config = ConfigLoader.Reference();
        if (File.Exists(path))
        {
            try { config = ConfigurationFactory.ParseString(File.ReadAllText(path)).WithFallback(config); }
            catch (Exception e) { throw new UsageException($"cannot read the run's settings from {path}: {e.Message.Split('\n')[0].Trim()}", e); }
        }
        var r = new SettingsReader(config, OptionTable.FlagOf(OptionTable.Training));
        return (r.Double("actormlp.data.test-fraction", 0, 1, exclusiveMin: true), (ulong)r.Long("actormlp.data.split-seed", 0),
                r.String("actormlp.data.dir"));
    }
}
