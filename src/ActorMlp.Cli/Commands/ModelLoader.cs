using ActorMlp.Cli.CommandLine;
using ActorMlp.Cli.Runs;
using ActorMlp.Core.Checkpoints;
using ActorMlp.Data;

namespace ActorMlp.Cli.Commands;

/// <summary>Finds and reads the checkpoint behind --model (a run folder or a .ckpt file).</summary>
internal static class ModelLoader
{
    public static Checkpoint Load(string? model)
    {
        if (string.IsNullOrWhiteSpace(model)) throw new UsageException("--model RUN_DIR is required");
        string path = Directory.Exists(model) ? Path.Combine(model, RunFolder.CheckpointFile) : model;
        if (!File.Exists(path))
            throw new UsageException(Directory.Exists(model) ? $"run folder {model} has no {RunFolder.CheckpointFile}" : $"--model {model} does not exist");
        try { return CheckpointFile.Read(path); }
        catch (CheckpointException e) { throw new UsageException(e.Message, e); }
    }

    public static FeatureTransform Features(Checkpoint c) => new(c.FeatureShift, c.FeatureScale);

    public static FeatureTransform? Targets(Checkpoint c) => c.TargetShift.Length == 0 ? null : new(c.TargetShift, c.TargetScale);
}
