using ActorMlp.Cli;

return CommandLineApp.Run(args, Console.Out, Console.Error, terminal: !Console.IsOutputRedirected);
