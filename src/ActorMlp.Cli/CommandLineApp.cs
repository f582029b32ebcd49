using ActorMlp.Cli.Commands;
using ActorMlp.Cli.CommandLine;

namespace ActorMlp.Cli;

/// <summary>
/// The `actormlp` command: dispatches to train, coordinator, worker, status, evaluate, predict, export, plot and certs. Exit codes: 0 done,
/// 2 bad command line, configuration or input (one sentence on standard error), 1 a failure while running.
/// </summary>
internal static class CommandLineApp
{
    public static int Run(string[] args, TextWriter output, TextWriter error, bool terminal = false)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            output.Write(HelpText.General);
            return args.Length == 0 ? 2 : 0;
        }
        string command = args[0];
        var rest = args.Skip(1).ToArray();
        if (command == "certs")
        {
            // One verb for now; the word keeps room for others (certs show, certs renew).
            if (rest.Length == 0 || rest[0] != "create")
            {
                if (rest.Length > 0 && rest[0] is "-h" or "--help") { output.Write(HelpText.For("certs create", OptionTable.Certs)); return 0; }
                error.WriteLine("actormlp: certs needs a verb: actormlp certs create --out DIR [--nodes N] [--hosts H,H]");
                return 2;
            }
            command = "certs create";
            rest = rest[1..];
        }
        try
        {
            var options = command switch
            {
                "train" => OptionTable.Train,
                "coordinator" or "worker" => OptionTable.NodeCommands,
                "evaluate" => OptionTable.Evaluate,
                "predict" => OptionTable.Predict,
                "export" => OptionTable.Export,
                "certs create" => OptionTable.Certs,
                "plot" => OptionTable.Plot,
                "status" => OptionTable.Status,
                _ => throw new UsageException($"unknown command '{ActorMlp.Data.Excerpt.Of(command)}'; the commands are train, coordinator, worker, status, evaluate, predict, export, plot and certs (see actormlp --help)"),
            };
            var parsed = ArgumentParser.Parse(command, rest, options, operands: command == "plot");
            if (parsed.Help)
            {
                output.Write(HelpText.For(command == "plot" ? "plot RUN_DIR [RUN_DIR...]" : command, options));
                return 0;
            }
            return command switch
            {
                "train" => TrainCommand.Run(parsed, output, error, terminal),
                "coordinator" => CoordinatorCommand.Run(parsed, output, error, terminal),
                "worker" => WorkerCommand.Run(parsed, output),
                "evaluate" => EvaluateCommand.Run(parsed, output),
                "certs create" => CertsCommand.Run(parsed, output),
                "export" => ExportCommand.Run(parsed, output),
                "plot" => PlotCommand.Run(parsed, output),
                "status" => StatusCommand.Run(parsed, output, error),
                _ => PredictCommand.Run(parsed, output),
            };
        }
        catch (UsageException e)
        {
            error.WriteLine($"actormlp: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is ArithmeticException or RunFailedException)
        {
            error.WriteLine($"actormlp: {e.Message}");
            return 1;
        }
    }
}
