using ActorMlp.Core.Checkpoints;
using ActorMlp.Core.Model;

namespace ActorMlp.Core.Tests;

public sealed class CheckpointFileTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("actormlp-ckpt-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    static Checkpoint Sample()
    {
        var spec = new ModelSpec([4, 3, 2], ActivationKind.Maxout, HeadKind.SoftmaxCrossEntropy, MaxoutPieces: 3);
        return new Checkpoint
        {
            Spec = spec,
            Parameters = Initializer.Create(spec, InitKind.He, 5),
            Seed = 5, Epochs = 3, Batch = 16, MicroShards = 4, Step = 42, EpochLoss = 1.5, EpochCorrect = 7,
            OptimizerKind = "adam", OptimizerSteps = 42,
            OptimizerState = [Enumerable.Range(0, new ParameterLayout(spec).Count).Select(i => i * 0.5f).ToArray(), [float.NaN]],
            Dataset = "digits", Task = "classification",
            FeatureShift = [1f, 2f, 3f, 4f], FeatureScale = [0.5f, 0.5f, 0.5f, 0.5f],
        };
    }

    [Fact]
    public void Checkpoint_round_trips_every_field_bit_for_bit()
    {
        string path = Path.Combine(_folder, "model.ckpt");
        var original = Sample();
        CheckpointFile.Write(path, original);
        var read = CheckpointFile.Read(path);
        Assert.Equal(original.Spec.Layers, read.Spec.Layers);
        Assert.Equal(original.Spec with { Layers = read.Spec.Layers }, read.Spec);
        Assert.Equal(original.Parameters, read.Parameters);
        Assert.Equal(original.OptimizerState[0], read.OptimizerState[0]);
        Assert.True(float.IsNaN(read.OptimizerState[1][0]));
        Assert.Equal((original.Seed, original.Step, original.EpochLoss, original.Dataset), (read.Seed, read.Step, read.EpochLoss, read.Dataset));
        Assert.Equal(original.FeatureShift, read.FeatureShift);
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void A_flipped_byte_is_refused_by_the_checksum()
    {
        string path = Path.Combine(_folder, "model.ckpt");
        CheckpointFile.Write(path, Sample());
        var bytes = File.ReadAllBytes(path);
        bytes[^10] ^= 0x01;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<CheckpointException>(() => CheckpointFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("checksum", e.Message);
    }

    [Fact]
    public void A_truncated_file_is_refused()
    {
        string path = Path.Combine(_folder, "model.ckpt");
        CheckpointFile.Write(path, Sample());
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        Assert.Contains("truncated", Assert.Throws<CheckpointException>(() => CheckpointFile.Read(path)).Message);
    }

    [Fact]
    public void A_file_that_is_not_a_checkpoint_is_refused()
    {
        string path = Path.Combine(_folder, "notes.txt");
        File.WriteAllText(path, "hello, this is not a checkpoint at all, but long enough for a header");
        Assert.Contains("not an ActorMlp checkpoint", Assert.Throws<CheckpointException>(() => CheckpointFile.Read(path)).Message);
    }
}
