using System.Runtime.Serialization;
using System.Text;
using ActorMlp.Cli.CommandLine;
using ActorMlp.Cli.Settings;
using ActorMlp.Hosting.Settings;
using ActorMlp.Cluster.Links;
using ActorMlp.Cluster.Serialization;
using ActorMlp.Core.Checkpoints;
using ActorMlp.Data;
using Akka.Actor;
using MessagePack;
using SharpFuzz;

// Coverage-guided fuzzing of the parsers of outside bytes with AFL++ (benchmarks/fuzz-afl.sh runs it):
// `actormlp-fuzz TARGET` reads inputs from AFL. A refusal with the parser's own exception is a normal
// outcome; any other exception is a crash for AFL, and AFL's timeout finds the hangs.
// The test suite's generated-input version of the same contract is tests/ActorMlp.Fuzz.Tests.
if (args is ["seed", var seedTarget, var folder]) return Seeds(seedTarget, folder);
string target = args.Length == 1 ? args[0] : "";
Action<byte[]>? parse = target switch
{
    "frame" => b => Refused<InvalidDataException>(() => FrameHeader.Read(Fit(b, FrameHeader.Size))),
    "peer-frame" => b => Refused<InvalidDataException>(() => PeerFrameHeader.Read(Fit(b, PeerFrameHeader.Size))),
    "protocol" => Protocol(),
    "idx" => b =>
    {
        Refused<DataException>(() => IdxReader.ReadImages(b, "afl.idx"));
        Refused<DataException>(() => IdxReader.ReadLabels(b, "afl.idx"));
    },
    "csv" => b => Refused<DataException>(() => CsvReader.Read(new StringReader(Encoding.UTF8.GetString(b)), "afl.csv")),
    "checkpoint" => b => Refused<CheckpointException>(() => CheckpointFile.Decode(b, "afl.ckpt")),
    "hocon" => Hocon(),
    _ => null,
};
if (parse is null)
{
    Console.Error.WriteLine("usage: actormlp-fuzz frame|peer-frame|protocol|idx|csv|checkpoint|hocon   (inputs from AFL++)\n       actormlp-fuzz seed TARGET DIR   (writes valid inputs to start from)");
    return 2;
}
Fuzzer.OutOfProcess.Run(stream =>
{
    using var memory = new MemoryStream();
    stream.CopyTo(memory);
    parse(memory.ToArray());
});
return 0;

// A few valid inputs per target, for AFL to mutate from.
static int Seeds(string target, string folder)
{
    Directory.CreateDirectory(folder);
    var seeds = new List<byte[]>();
    switch (target)
    {
        case "frame":
            foreach (var kind in Enum.GetValues<FrameKind>())
            {
                var b = new byte[FrameHeader.Size];
                new FrameHeader(kind, 3, 17, 12345, -7, 235146).Write(b);
                seeds.Add(b);
            }
            break;
        case "peer-frame":
            foreach (var kind in Enum.GetValues<PeerFrameKind>())
            {
                var b = new byte[PeerFrameHeader.Size];
                new PeerFrameHeader(kind, 2, 5, 1, 3, 99, 42, 1000, 2).Write(b);
                seeds.Add(b);
            }
            break;
        case "protocol":
            var serializer = new ProtocolSerializer((ExtendedActorSystem)ActorSystem.Create("seed", "akka.loglevel = OFF"));
            seeds.Add([0, .. serializer.ToBinary(new ActorMlp.Cluster.Protocol.RegisterWorker("w-1", 4, "digits/1437+360/00ff"))]);
            seeds.Add([4, .. serializer.ToBinary(new ActorMlp.Cluster.Protocol.ComputeLeaves(7, 2, 7, 3, 10))]);
            seeds.Add([5, .. serializer.ToBinary(new ActorMlp.Cluster.Protocol.TensorChunk(9, 12, ActorMlp.Cluster.Protocol.TensorKind.Subtree, 2, 1, 64, 128, new byte[16]))]);
            break;
        case "idx":
            seeds.Add([0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3]);
            seeds.Add([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 9, 8, 7, 6]);
            break;
        case "csv":
            seeds.Add(Encoding.UTF8.GetBytes("a,b,label\n1,2,0\n3.5,-4e-3,1\n"));
            seeds.Add(Encoding.UTF8.GetBytes("1,2,3\n4,5,6\n"));
            break;
        case "checkpoint":
            var spec = new ActorMlp.Core.Model.ModelSpec([3, 2, 2], ActorMlp.Core.Model.ActivationKind.Relu, ActorMlp.Core.Model.HeadKind.SoftmaxCrossEntropy);
            seeds.Add(CheckpointFile.Encode(new Checkpoint
            {
                Spec = spec, Parameters = new float[new ActorMlp.Core.Model.ParameterLayout(spec).Count], Epochs = 1, Batch = 4, MicroShards = 2,
                OptimizerKind = "sgd", Dataset = "digits", Task = "classification", Seed = 1, Step = 0,
            }));
            break;
        case "hocon":
            seeds.Add(Encoding.UTF8.GetBytes("actormlp.train { epochs = 3, batch = 64 }\nactormlp.model.hidden = [32, 16]\n"));
            seeds.Add(Encoding.UTF8.GetBytes("actormlp { cluster { reduction = peer }, optimizer.kind = adam, security.tls = off }\n"));
            break;
        default:
            Console.Error.WriteLine($"no target '{target}'");
            return 2;
    }
    for (int i = 0; i < seeds.Count; i++) File.WriteAllBytes(Path.Combine(folder, $"seed-{i}"), seeds[i]);
    return 0;
}

static void Refused<T>(Action parse) where T : Exception
{
    try { parse(); }
    catch (T) { }
}

static byte[] Fit(byte[] input, int size)
{
    var fixedSize = new byte[size];
    input.AsSpan(0, Math.Min(size, input.Length)).CopyTo(fixedSize);
    return fixedSize;
}

// The first byte picks the manifest, the rest is the message. Made on the first input: instrumented
// code must not run before AFL's fork server is up.
static Action<byte[]> Protocol()
{
    var serializer = new Lazy<ProtocolSerializer>(() => new ProtocolSerializer((ExtendedActorSystem)ActorSystem.Create("fuzz", "akka.loglevel = OFF")));
    string[] manifests = ["rw", "wa", "wr", "sw", "cl", "tc", "pr", "pp", "pv", "pf", "pj"];
    return b =>
    {
        if (b.Length == 0) return;
        try { serializer.Value.FromBinary(b[1..], manifests[b[0] % manifests.Length]); }
        catch (Exception e) when (e is MessagePackSerializationException or SerializationException) { }
    };
}

static Action<byte[]> Hocon()
{
    string file = Path.Combine(Path.GetTempPath(), $"actormlp-afl-{Environment.ProcessId}.conf");
    var args = new Lazy<ParsedArguments>(() => new ParsedArguments(new Dictionary<string, string>(), [file], false));
    return b =>
    {
        File.WriteAllBytes(file, b);
        try { TrainSettings.From(ConfigLoader.Load(args.Value, OptionTable.Train)); }
        catch (UsageException e) when (!e.Message.Contains("could not be parsed within")) { }
    };
}
