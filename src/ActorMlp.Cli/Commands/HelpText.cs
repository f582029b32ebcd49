using System.Text;
using ActorMlp.Cli.CommandLine;

namespace ActorMlp.Cli.Commands;

internal static class HelpText
{
    public const string General =
        """
        actormlp — train multilayer perceptrons with synchronous data-parallel gradient descent

        usage:
          actormlp train    [flags]                       train a model and write a run folder
          actormlp coordinator [train flags] [--port 4053]  the coordinator node of a multi-process run
          actormlp worker   --seed-node akka.tcp://actormlp@HOST:PORT [--data SPEC]  a worker node
          actormlp status   --coordinator akka.tcp://actormlp@HOST:PORT  where a running run stands
          actormlp evaluate --model RUN_DIR [--data SPEC] test a trained model
          actormlp predict  --model RUN_DIR --input FILE.csv [--output FILE.csv]
          actormlp export   --model RUN_DIR --format onnx --out FILE.onnx  the model as ONNX, input transforms included
          actormlp plot     RUN_DIR [RUN_DIR...] --out FILE.png  learning curves of runs, overlaid
          actormlp certs create --out DIR [--nodes N] [--hosts H,H]  a cluster's TLS certificates

        'actormlp COMMAND --help' lists a command's flags. Exit codes: 0 done, 2 bad input, 1 failed.

        """;

    public static string For(string command, IReadOnlyList<Option> options)
    {
        var text = new StringBuilder($"usage: actormlp {command} [flags]\n\n");
        foreach (var o in options)
            text.Append($"  {o.Flag + " " + o.Value,-32} {o.Help}{(o.Key is null ? "" : $"  [{o.Key}]")}\n");
        return text.ToString();
    }
}
