using ActorMlp.Cli.CommandLine;
using ActorMlp.Cli.Export;
using Google.Protobuf;

namespace ActorMlp.Cli.Commands;

/// <summary>
/// `actormlp export`: writes a trained model in a format other programs run. ONNX for now: raw features
/// in, the same predictions as `actormlp predict` out.
/// </summary>
internal static class ExportCommand
{
    public static readonly string[] Formats = ["onnx"];

    public static int Run(ParsedArguments args, TextWriter output)
    {
        string format = args.Get("--format") ?? "onnx";
        if (!Formats.Contains(format))
            throw new UsageException($"--format {format} is not a format actormlp exports; the formats are {string.Join(", ", Formats)}");
        string path = args.Get("--out") ?? throw new UsageException("--out FILE.onnx is required");
        var checkpoint = ModelLoader.Load(args.Get("--model"));

        var model = OnnxExporter.Export(checkpoint);
        string partial = path + ".part";
        try
        {
            using (var file = File.Create(partial)) model.WriteTo(file);
            File.Move(partial, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(partial); }
            catch (Exception again) when (again is IOException or UnauthorizedAccessException) { }
            throw new UsageException($"cannot write --out {path}: {e.Message}", e);
        }

        var outputs = model.Graph.Output.Select(o => o.Name);
        output.WriteLine($"wrote {path}: {checkpoint.Spec}, ONNX opset {OnnxExporter.Opset}, input {OnnxExporter.Features} [N, {checkpoint.Spec.Inputs}], outputs {string.Join(", ", outputs)}");
        return 0;
    }
}
