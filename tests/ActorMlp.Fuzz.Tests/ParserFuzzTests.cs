using System.IO.Compression;
using System.Runtime.Serialization;
using System.Security.Cryptography;
using System.Text;
using ActorMlp.Cli.CommandLine;
using ActorMlp.Cli.Settings;
using ActorMlp.Cluster.Links;
using ActorMlp.Cluster.Protocol;
using ActorMlp.Cluster.Serialization;
using ActorMlp.Core.Activations;
using ActorMlp.Core.Checkpoints;
using ActorMlp.Core.Heads;
using ActorMlp.Core.Model;
using ActorMlp.Data;
using Akka.Actor;
using CsCheck;
using MessagePack;

namespace ActorMlp.Fuzz.Tests;

/// <summary>
/// Every parser that takes bytes from outside — tensor-link frame headers, chunked tensors, protocol
/// messages through the serializer, IDX and CSV data, checkpoint files, HOCON configuration — run on
/// <see cref="Fuzz.Inputs"/> generated inputs each: each either parses or is refused with its own
/// exception and a message; never another exception, a hang or an allocation past the cap.
/// </summary>
public class ParserFuzzTests
{
    static byte[] Fit(byte[] input, int size)
    {
        var fixedSize = new byte[size];
        input.AsSpan(0, Math.Min(size, input.Length)).CopyTo(fixedSize);
        return fixedSize;
    }

    [Fact]
    public void Tensor_frame_headers_parse_or_are_refused()
    {
        var seeds = new[] { FrameKind.Hello, FrameKind.Weights, FrameKind.Subtree, FrameKind.Weights16, FrameKind.Subtree16, FrameKind.Timing }.Select(kind =>
        {
            var b = new byte[FrameHeader.Size];
            new FrameHeader(kind, 3, 17, 12345, -7, 235146).Write(b);
            return b;
        }).ToArray();
        Fuzz.Bytes(seeds).Sample(input => Fuzz.Refuses(input, () =>
        {
            var h = FrameHeader.Read(Fit(input, FrameHeader.Size));
            Assert.True(h.Length >= 0 && Enum.IsDefined(h.Kind));
        }, typeof(InvalidDataException)), seed: Fuzz.Seed, iter: Fuzz.Inputs, threads: 1);
    }

    [Fact]
    public void Peer_frame_headers_parse_or_are_refused()
    {
        var seeds = Enum.GetValues<PeerFrameKind>().Select(kind =>
        {
            var b = new byte[PeerFrameHeader.Size];
            new PeerFrameHeader(kind, 2, 5, 1, 3, 99, 42, 1000, 2).Write(b);
            return b;
        }).ToArray();
        Fuzz.Bytes(seeds).Sample(input => Fuzz.Refuses(input, () =>
        {
            var h = PeerFrameHeader.Read(Fit(input, PeerFrameHeader.Size));
            Assert.True(h.Length >= 0 && h.Index >= 0 && h.Slice >= 0 && h.View >= 0 && h.Step >= 0 && h.Tail <= h.Length);
        }, typeof(InvalidDataException)), seed: Fuzz.Seed, iter: Fuzz.Inputs, threads: 1);
    }

    [Fact]
    public void Chunked_tensors_complete_only_from_whole_cover_and_refuse_the_rest()
    {
        // Sequences of chunks with generated offsets, lengths and keys against a 64-float tensor.
        var chunk = Gen.Select(Gen.Int[0, 3], Gen.Int[-2, 70], Gen.Int[0, 70], Gen.Int[60, 68],
            (step, offset, floats, total) => new TensorChunk(1, step, TensorKind.Subtree, 0, 0, offset, total, new byte[floats * 4 + (floats == 13 ? 1 : 0)]));
        chunk.Array[1, 12].Sample(chunks =>
        {
            var assembler = new ChunkAssembler(new BufferPool(64), maxUnfinished: 2);
            foreach (var c in chunks)
            {
                float[]? done = null;
                Fuzz.Refuses([], () => done = assembler.Add("peer", c), typeof(InvalidDataException));
                if (done is not null) Assert.Equal(64, done.Length);
                Assert.True(assembler.Unfinished <= 2);
            }
        }, seed: Fuzz.Seed, iter: Fuzz.Inputs, threads: 1);
    }

    [Fact]
    public void Trainer_states_from_peers_read_or_are_refused()
    {
        const int parameters = 10;
        var seeds = new[] { 0, 1, 2 }.Select(buffers =>
        {
            var state = Enumerable.Range(0, buffers).Select(b => Enumerable.Range(0, parameters).Select(i => i * 0.25f + b).ToArray()).ToArray();
            var bytes = new byte[ActorMlp.Core.Training.TrainerState.LengthOf(parameters, buffers)];
            ActorMlp.Core.Training.TrainerState.Write(bytes, 7, 1.5, 3, 7, Enumerable.Range(0, parameters).Select(i => (float)i).ToArray(), state);
            return bytes;
        }).ToArray();
        Fuzz.Bytes(seeds).Sample(input =>
            Fuzz.Refuses(input, () => ActorMlp.Core.Training.TrainerState.FromBytes(input, parameters), typeof(InvalidDataException)),
            seed: Fuzz.Seed, iter: Fuzz.Inputs, threads: 1);
    }

    static readonly ActorSystem System = ActorSystem.Create("fuzz", "akka.loglevel = OFF");

    [Fact]
    public void Protocol_messages_deserialize_or_are_refused()
    {
        var serializer = new ProtocolSerializer((ExtendedActorSystem)System);
        object[] messages =
        [
            new RegisterWorker("w-1", 4, "digits/1437+360/00ff"),
            new WorkerAccepted(42, new ModelMessage([64, 32, 10], ActivationKind.Maxout, HeadKind.SoftmaxCrossEntropy, 3, 0.01f), new PlanMessage(1437, 3, 128, 16, 9), "127.0.0.1:5000"),
            new WorkerRefused("data differs"),
            new StopWorking("finished"),
            new ComputeLeaves(long.MaxValue, 2, 7, 3, 10),
            new TensorChunk(9, 12, TensorKind.Subtree, 2, 1, 64, 128, new byte[40]),
            new WorkerReady("w-2", "10.0.0.2:4000"),
            new PauseTraining(3),
            new StepFailed("w-1", 17, "no peer"),
            new RejoinRun("dropped"),
        ];
        var manifests = messages.Select(serializer.Manifest).Append("pv").Append("zz").ToArray();
        var seeds = messages.Select(serializer.ToBinary).ToArray();
        Gen.Select(Fuzz.Bytes(seeds), Gen.Int[0, manifests.Length - 1]).Sample((input, m) =>
            Fuzz.Refuses(input, () => serializer.FromBinary(input, manifests[m]), typeof(MessagePackSerializationException), typeof(SerializationException)),
            seed: Fuzz.Seed, iter: Fuzz.Inputs, threads: 1);
    }

    static byte[] IdxImages()
    {
        var b = new byte[16 + 3 * 2 * 2];
        b[2] = 8; b[3] = 3; b[7] = 3; b[11] = 2; b[15] = 2;
        for (int i = 16; i < b.Length; i++) b[i] = (byte)(i * 13);
        return b;
    }

    static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest)) gzip.Write(data);
        return output.ToArray();
    }

    [Fact]
    public void Idx_files_read_or_are_refused_gzip_included()
    {
        var labels = new byte[] { 0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3 };
        var images = IdxImages();
        Fuzz.Bytes(images, labels, Gzip(images), Gzip(labels)).Sample(input =>
        {
            Fuzz.Refuses(input, () => IdxReader.ReadImages(input, "fuzz-images.idx"), typeof(DataException));
            Fuzz.Refuses(input, () => IdxReader.ReadLabels(input, "fuzz-labels.idx"), typeof(DataException));
        }, seed: Fuzz.Seed, iter: Fuzz.Inputs, threads: 1);
    }

    [Fact]
    public void Csv_files_read_or_are_refused()
    {
        var seeds = new[]
        {
            "a,b,label\n1,2,0\n3.5,-4e-3,1\n",
            "1,2,3\n4,5,6\n\n7,8,9\n",
            "x;y\n\"1\",2\n",
            "f1,f2\n1e38,2\n-0,NaN\n",
        }.Select(Encoding.UTF8.GetBytes).ToArray();
        Fuzz.Bytes(seeds).Sample(input =>
            Fuzz.Refuses(input, () => CsvReader.Read(new StringReader(Encoding.UTF8.GetString(input)), "fuzz.csv"), typeof(DataException)),
            seed: Fuzz.Seed, iter: Fuzz.Inputs, threads: 1);
    }

    [Fact]
    public void Checkpoint_files_decode_or_are_refused_even_with_a_valid_checksum()
    {
        var spec = new ModelSpec([4, 3, 2], ActivationKind.Relu, HeadKind.SoftmaxCrossEntropy);
        var checkpoint = new Checkpoint
        {
            Spec = spec, Parameters = Initializer.Create(spec, InitKind.He, 5), Seed = 5, Epochs = 3, Batch = 16, MicroShards = 4, Step = 42,
            OptimizerKind = "adam", OptimizerSteps = 42, OptimizerState = [new float[new ParameterLayout(spec).Count]],
            Dataset = "digits", Task = "classification", FeatureShift = [1f, 2f, 3f, 4f], FeatureScale = [0.5f, 0.5f, 0.5f, 0.5f],
        };
        var valid = CheckpointFile.Encode(checkpoint);
        const int header = 52; // magic, version, length, SHA-256 of the payload
        Gen.Select(Fuzz.Bytes(valid), Gen.Bool).Sample((input, reseal) =>
        {
            // Half the inputs get a header that matches their payload, so the payload decoder itself is fuzzed.
            if (reseal && input.Length >= header)
            {
                BitConverter.TryWriteBytes(input.AsSpan(12), (long)(input.Length - header));
                SHA256.HashData(input.AsSpan(header)).CopyTo(input.AsSpan(20));
            }
            Fuzz.Refuses(input, () => CheckpointFile.Decode(input, "fuzz.ckpt"), typeof(CheckpointException));
        }, seed: Fuzz.Seed, iter: Fuzz.Inputs, threads: 1);
    }

    [Fact]
    public void Configuration_files_load_or_are_refused()
    {
        var seeds = new[]
        {
            "actormlp.train { epochs = 3, batch = 64 }\nactormlp.model.hidden = [32, 16]\n",
            "actormlp { cluster { reduction = peer, wire-precision = bf16 }, optimizer.kind = adam }",
            "include \"other.conf\"\nactormlp.data.spec = \"csv:x.csv,label=y\"\nactormlp.train.seed = ${?HOME}\n",
            "actormlp.security { tls = on, ca = \"/nonexistent/ca.crt\", certificate = \"x.p12\" }",
            "akka.remote.dot-netty.tcp.maximum-frame-size = 128000b\nactormlp.cluster.chunk-bytes = 200000\n",
        }.Select(Encoding.UTF8.GetBytes).ToArray();
        string file = Path.Combine(Path.GetTempPath(), $"actormlp-fuzz-{Guid.NewGuid():N}.conf");
        try
        {
            var args = new ParsedArguments(new Dictionary<string, string>(), [file], false);
            Fuzz.Bytes(seeds).Sample(input =>
            {
                File.WriteAllBytes(file, input);
                Fuzz.Refuses(input, () =>
                {
                    try { TrainSettings.From(ConfigLoader.Load(args, OptionTable.Train)); }
                    catch (UsageException e) when (e.Message.Contains("could not be parsed within")) { Assert.Fail("Akka's HOCON parser hung (our syntax check let it through)"); }
                }, typeof(UsageException));
            }, seed: Fuzz.Seed, iter: Fuzz.Inputs, threads: 1);
        }
        finally { File.Delete(file); }
    }
}
