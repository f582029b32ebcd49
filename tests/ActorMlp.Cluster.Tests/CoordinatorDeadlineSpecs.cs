using ActorMlp.Cluster.Actors;
using ActorMlp.Cluster.Protocol;
using ActorMlp.Core.Model;
using Akka.Actor;
using Akka.TestKit;

namespace ActorMlp.Cluster.Tests;

/// <summary>
/// The star coordinator's clocks — the start timeout, the step deadline and the wait for a worker
/// after the last one left — on TestKit's TestScheduler, so each passes when a spec advances it,
/// never by the real clock.
/// </summary>
public sealed class CoordinatorDeadlineSpecs : Akka.TestKit.Xunit2.TestKit
{
    static readonly TimeSpan Floor = TimeSpan.FromSeconds(2);
    static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);
    readonly StepLog _log = new();
    readonly TaskCompletionSource<RunOutcome> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly Core.Training.Trainer _trainer = Fixtures.NewTrainer();

    public CoordinatorDeadlineSpecs() : base(Fixtures.ManualClockConfig()) { }

    TestScheduler Clock => (TestScheduler)Sys.Scheduler;

    IActorRef StartCoordinator(int minWorkers, Hosting.ClusterSettings settings)
    {
        var setup = new CoordinatorSetup(new Mlp(Fixtures.Spec), _trainer, Fixtures.Fingerprint, _log,
            settings with { MinWorkers = minWorkers }, _done, Samples: new SyntheticSamples(64));
        return Sys.ActorOf(Props.Create(() => new CoordinatorActor(setup)), CoordinatorActor.Name);
    }

    /// <summary>Waits until the coordinator has handled everything sent to it so far, timers it started included.</summary>
    void Settle(IActorRef coordinator) => coordinator.Ask<StatusReported>(new GetStatus(), TimeSpan.FromSeconds(5)).Wait();

    /// <summary>The run is still on a second before <paramref name="timeout"/> has passed, and fails, saying <paramref name="message"/>, when it has.</summary>
    void FailsExactlyAfter(IActorRef coordinator, TimeSpan timeout, string message)
    {
        Clock.Advance(timeout - TimeSpan.FromSeconds(1));
        Settle(coordinator);
        Assert.False(_done.Task.IsCompleted);

        Clock.Advance(TimeSpan.FromSeconds(1));
        AwaitCondition(() => _done.Task.IsCompleted, TimeSpan.FromSeconds(5));
        Assert.Equal(RunStatus.Failed, _done.Task.Result.Status);
        Assert.Contains(message, _done.Task.Result.Message);
    }

    [Fact]
    public void Coordinator_fails_the_start_when_too_few_workers_are_ready_in_time()
    {
        var coordinator = StartCoordinator(2, Fixtures.AkkaLink with { StartTimeout = TimeSpan.FromSeconds(30) });
        new ProbeWorker(this, "w1").Register(coordinator);
        Settle(coordinator);
        FailsExactlyAfter(coordinator, TimeSpan.FromSeconds(30), "fewer than 2 workers ready within 30 s");
    }

    [Fact]
    public void Coordinator_gives_a_stragglers_leaves_to_an_idle_worker_when_the_deadline_passes_and_takes_the_first_copy()
    {
        var coordinator = StartCoordinator(2, Fixtures.AkkaLink with { DeadlineFloor = Floor });
        var a = new ProbeWorker(this, "a");
        var slow = new ProbeWorker(this, "slow");
        a.Register(coordinator);
        slow.Register(coordinator);
        var jobA = a.NextJob();
        var jobSlow = slow.NextJob();
        a.Do(jobA);
        Settle(coordinator);
        a.Probe.ExpectNoMsg(Quiet);                                           // before the deadline nobody else gets slow's leaves
        Clock.Advance(Floor);

        var backup = a.NextJob();
        Assert.Equal((jobSlow.Step, jobSlow.FirstLeaf, jobSlow.EndLeaf), (backup.Step, backup.FirstLeaf, backup.EndLeaf));
        a.Do(backup);
        AwaitCondition(() => _log.Count == 1, TimeSpan.FromSeconds(5));
        slow.Do(jobSlow);                                                     // the late copy arrives: dropped

        // Step 1 goes to both again; slow is lost, so its half comes to a within the step.
        a.Do(a.NextJob());
        slow.NextJob();
        Sys.Stop(slow.Probe.Ref);
        for (long step = 1; step < Fixtures.Plan.TotalSteps; step++)
        {
            var job = a.NextJob();
            a.Do(job);
        }
        AwaitCondition(() => _done.Task.IsCompleted, TimeSpan.FromSeconds(10));
        Assert.Equal(Fixtures.LocalResult(), _trainer.Parameters);
    }

    [Fact]
    public void Coordinator_gives_up_with_a_checkpoint_when_no_worker_returns_in_time()
    {
        var coordinator = StartCoordinator(1, Fixtures.AkkaLink with { NoWorkerTimeout = TimeSpan.FromSeconds(10) });
        var a = new ProbeWorker(this, "a");
        a.Register(coordinator);
        a.Do(a.NextJob());
        a.NextJob();
        Sys.Stop(a.Probe.Ref);
        AwaitCondition(() => coordinator.Ask<StatusReported>(new GetStatus(), TimeSpan.FromSeconds(5)).Result.Workers.Length == 0, TimeSpan.FromSeconds(5));
        FailsExactlyAfter(coordinator, TimeSpan.FromSeconds(10), "no worker joined within 10 s");
        Assert.Equal(1, _log.Checkpoints);
    }
}
