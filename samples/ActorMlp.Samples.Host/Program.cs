using ActorMlp.Hosting;

// A coordinator hosted in this web app, its options from appsettings.json ("ActorMlp:Coordinator"), its run on GET /status.
var builder = WebApplication.CreateBuilder(args);
var options = builder.Configuration.GetSection("ActorMlp:Coordinator").BindActorMlpOptions<ActorMlpCoordinatorOptions>();
builder.Services.AddActorMlpCoordinator(options);
var app = builder.Build();
app.MapGet("/status", (IActorMlpRun run) => new { run.Address, run.Latest, Finished = run.Completion.IsCompleted });
await app.StartAsync();
var run = app.Services.GetRequiredService<IActorMlpRun>();
var epochs = Task.Run(async () => { await foreach (var p in run.WatchAsync()) if (p.EpochEnded) Console.WriteLine($"epoch {p.Epoch}/{p.Epochs}  train_loss {p.TrainLoss:F4}  train_acc {p.TrainAccuracy:F4}"); });

// Its workers: here two in this process, each an ActorSystem of its own joining the coordinator over TCP, as
// workers on other machines would (there: the same two lines, or `actormlp worker --seed-node ADDRESS`).
var workers = new List<IHost>();
foreach (int i in Enumerable.Range(1, options.MinWorkers ?? 1))
{
    var worker = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
    worker.Services.AddActorMlpWorker(new ActorMlpWorkerOptions { SeedNodes = [run.Address!], WorkerId = $"worker-{i}", Hostname = "127.0.0.1", Port = 0 });
    workers.Add(worker.Build());
}
await Task.WhenAll(workers.Select(w => w.StartAsync()));

var result = await run.Completion;
await epochs;
Console.WriteLine($"run {result.Outcome.Status.ToString().ToLowerInvariant()} with {result.Outcome.WorkersSeen} workers ({result.Outcome.Message})");
Console.WriteLine($"parameters_sha256: {result.ParametersSha256}");
foreach (var worker in workers) await worker.StopAsync();
await app.StopAsync();
return result.Succeeded ? 0 : 1;
