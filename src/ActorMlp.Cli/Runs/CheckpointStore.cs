using System.Globalization;
using ActorMlp.Cli.CommandLine;
using ActorMlp.Core.Checkpoints;

namespace ActorMlp.Cli.Runs;

/// <summary>
/// A run's checkpoints: RUN_DIR/checkpoints/step-NNNNNNNNN.ckpt, the newest few kept. Resuming takes the
/// newest one that reads back intact; a corrupt or truncated one is named and skipped for the one before.
/// </summary>
internal sealed class CheckpointStore(string folder, int keep)
{
    public const string Folder = "checkpoints";

    public string Path { get; } = folder;

    public void Write(Checkpoint checkpoint) => Write(checkpoint.Step, CheckpointFile.Encode(checkpoint));

    /// <summary>Writes a checkpoint of <paramref name="step"/> already encoded (<see cref="CheckpointFile.Encode"/>).</summary>
    public void Write(long step, byte[] encoded)
    {
        Directory.CreateDirectory(Path);
        CheckpointFile.Write(System.IO.Path.Combine(Path, $"step-{step:D9}.ckpt"), encoded);
        foreach (var old in Files().Skip(keep)) File.Delete(old);
    }

    /// <summary>Checkpoint files, newest first.</summary>
    public IEnumerable<string> Files() => !Directory.Exists(Path) ? []
        : Directory.GetFiles(Path, "step-*.ckpt").OrderByDescending(f => StepOf(f)).ToList();

    static long StepOf(string file)
        => long.TryParse(System.IO.Path.GetFileNameWithoutExtension(file)["step-".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out long s) ? s : -1;

    /// <summary>The newest checkpoint that is intact; each one refused on the way is reported to <paramref name="warn"/>.</summary>
    public (Checkpoint Checkpoint, string File) Newest(Action<string> warn)
    {
        foreach (var file in Files())
        {
            try { return (CheckpointFile.Read(file), file); }
            catch (CheckpointException e) { warn($"{e.Message}; falling back to the checkpoint before it"); }
        }
        throw new UsageException($"no usable checkpoint in {Path}");
    }
}
