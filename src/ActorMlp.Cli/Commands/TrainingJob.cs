using ActorMlp.Cli.CommandLine;
using ActorMlp.Cli.Settings;
using ActorMlp.Core.Model;
using ActorMlp.Core.Optim;
using ActorMlp.Core.Training;
using ActorMlp.Data;
using Akka.Configuration;

namespace ActorMlp.Cli.Commands;

/// <summary>
/// A training run checked and set up, before anything is written: settings, data, model, plan and
/// the trainer holding the initial weights. Every input error surfaces here, as a UsageException.
/// </summary>
public sealed record TrainingJob(Config Config, TrainSettings Settings, DataSplit Data, Mlp Model, TrainingPlan Plan, Trainer Trainer)
{
    public static TrainingJob Prepare(ParsedArguments args, IReadOnlyList<Option> options)
    {
        var config = ConfigLoader.Load(args, options);
        var s = TrainSettings.From(config);
        var data = DataOptions.Load(s.DataSpec, s.DataDir, s.TestFraction, s.SplitSeed);
        var spec = ModelBuilder.Build(s, data);
        if (spec.Head != HeadKind.LinearMse)
            try { data.CheckLabels(spec.Head == HeadKind.SigmoidLogLoss ? 2 : spec.Outputs); }
            catch (DataException e) { throw new UsageException(e.Message, e); }
        var plan = new TrainingPlan(data.Train.Count, s.Epochs, s.Batch, s.MicroShards, s.Seed);
        try { plan.Validate(); }
        catch (ArgumentException e) { throw new UsageException(e.Message.Replace("the batch size", "--batch"), e); }

        var model = new Mlp(spec);
        var parameters = Initializer.Create(spec, s.Init, s.Seed);
        var trainer = new Trainer(model, plan, parameters, Optimizer.Create(s.Optimizer, parameters.Length), s.Schedule);
        return new TrainingJob(config, s, data, model, plan, trainer);
    }

    public ModelSpec Spec => Model.Spec;

    /// <summary>The effective actormlp settings as HOCON, for the run folder.</summary>
    public string ConfigText => HoconWriter.Write(Config, ConfigLoader.Reference(), "actormlp");
}
