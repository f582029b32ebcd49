using ActorMlp.Cluster.Actors;
using ActorMlp.Cluster.Protocol;
using ActorMlp.Core.Determinism;
using ActorMlp.Core.Model;
using Akka.Actor;

namespace ActorMlp.Cluster.Tests;

public sealed class CoordinatorSpecs : Akka.TestKit.Xunit2.TestKit
{
    readonly StepLog _log = new();
    readonly TaskCompletionSource<RunOutcome> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly Core.Training.Trainer _trainer = Fixtures.NewTrainer();

    public CoordinatorSpecs() : base(Fixtures.TestConfig()) { }

    IActorRef StartCoordinator(int minWorkers = 1, Hosting.ClusterSettings? settings = null)
    {
        var setup = new CoordinatorSetup(new Mlp(Fixtures.Spec), _trainer, Fixtures.Fingerprint, _log,
            (settings ?? Fixtures.AkkaLink) with { MinWorkers = minWorkers }, _done, Samples: new SyntheticSamples(64));
        return Sys.ActorOf(Props.Create(() => new CoordinatorActor(setup)), CoordinatorActor.Name);
    }

    [Fact]
    public void Coordinator_trains_through_a_probe_worker_to_the_bits_of_the_local_run()
    {
        var coordinator = StartCoordinator();
        var worker = new ProbeWorker(this, "w1");
        worker.Register(coordinator);
        for (int step = 0; step < Fixtures.Plan.TotalSteps; step++)
        {
            var job = worker.NextJob();
            Assert.Equal((step, 0, 4), (job.Step, job.FirstLeaf, job.EndLeaf));
            worker.Do(job);
        }
        AwaitCondition(() => _done.Task.IsCompleted, TimeSpan.FromSeconds(10));
        Assert.True(_done.Task.IsCompletedSuccessfully);
        Assert.Equal("finished", _done.Task.GetAwaiter().GetResult().Message);
        Assert.IsType<StopWorking>(worker.Probe.ReceiveOne(TimeSpan.FromSeconds(5)));
        Assert.Equal(Fixtures.LocalResult(), _trainer.Parameters);
    }

    [Fact]
    public void Coordinator_reports_gathering_then_finished_with_its_workers_to_a_status_ask()
    {
        var coordinator = StartCoordinator(minWorkers: 2);
        var asker = CreateTestProbe();
        var worker = new ProbeWorker(this, "w1");
        worker.Register(coordinator);

        coordinator.Tell(new GetStatus(), asker.Ref);
        var gathering = asker.ExpectMsg<StatusReported>();
        Assert.Equal(("gathering", 0L, Fixtures.Plan.TotalSteps, 1, 1), (gathering.State, gathering.Step, gathering.TotalSteps, gathering.Epoch, gathering.Epochs));
        Assert.Equal(new WorkerStatus("w1", 1, -1, 0, 0), Assert.Single(gathering.Workers));

        var second = new ProbeWorker(this, "w2");
        second.Register(coordinator);
        for (int step = 0; step < Fixtures.Plan.TotalSteps; step++)
            foreach (var w in new[] { worker, second }) w.Do(w.NextJob());
        AwaitCondition(() => _done.Task.IsCompleted, TimeSpan.FromSeconds(10));
        coordinator.Tell(new GetStatus(), asker.Ref);
        var finished = asker.ExpectMsg<StatusReported>();
        Assert.Equal(("finished", Fixtures.Plan.TotalSteps), (finished.State, finished.Step));
        // The Akka-message link carries no timings: the workers are listed without a last step.
        Assert.Equal(["w1", "w2"], finished.Workers.Select(w => w.WorkerId));
        Assert.All(finished.Workers, w => Assert.Equal(-1, w.LastStep));
    }

    [Fact]
    public void Coordinator_refuses_a_worker_with_other_data_naming_both_fingerprints()
    {
        var coordinator = StartCoordinator();
        var probe = CreateTestProbe();
        coordinator.Tell(new RegisterWorker("stranger", 1, "other/10+0/ff"), probe.Ref);
        var refused = probe.ExpectMsg<WorkerRefused>();
        Assert.Contains("other/10+0/ff", refused.Reason);
        Assert.Contains(Fixtures.Fingerprint, refused.Reason);
    }

    [Fact]
    public void Coordinator_splits_leaves_between_workers_and_ignores_stale_duplicate_and_malformed_values()
    {
        var coordinator = StartCoordinator(minWorkers: 2);
        var a = new ProbeWorker(this, "a");
        var b = new ProbeWorker(this, "b");
        a.Register(coordinator);
        b.Register(coordinator);
        var jobA = a.NextJob();
        var jobB = b.NextJob();
        Assert.Equal((0, 2, 2, 4), (jobA.FirstLeaf, jobA.EndLeaf, jobB.FirstLeaf, jobB.EndLeaf));

        var nodeA = new TreeNode(1, 0);
        var good = a.Compute(jobA, nodeA);
        a.Send(jobA.Step + 1, nodeA, good);                                   // stale: another step
        var poisoned = (float[])good.Clone();
        poisoned[3] = float.NaN;
        a.Send(jobA.Step, nodeA, poisoned);                                   // malformed: NaN
        a.Send(jobA.Step, nodeA, good);                                       // the real one
        a.Send(jobA.Step, new TreeNode(0, 1), a.Compute(jobA, new TreeNode(0, 1))); // duplicate of a covered leaf
        AwaitCondition(() => _log.Count == 0, TimeSpan.FromMilliseconds(300));
        Assert.Equal(0, _log.Count);
        b.Do(jobB);
        AwaitCondition(() => _log.Count == 1, TimeSpan.FromSeconds(5));

        // The step applied is the canonical one: finishing the run gives the local bits.
        for (long step = 1; step < Fixtures.Plan.TotalSteps; step++)
        {
            a.Do(a.NextJob());
            b.Do(b.NextJob());
        }
        AwaitCondition(() => _done.Task.IsCompleted, TimeSpan.FromSeconds(10));
        Assert.Equal(Fixtures.LocalResult(), _trainer.Parameters);
    }

    [Fact]
    public void Coordinator_reassigns_shards_of_a_dead_worker_within_the_step()
    {
        var coordinator = StartCoordinator(minWorkers: 2);
        var a = new ProbeWorker(this, "a");
        var b = new ProbeWorker(this, "b");
        a.Register(coordinator);
        b.Register(coordinator);
        var jobA = a.NextJob();
        b.NextJob();
        a.Do(jobA);
        Sys.Stop(b.Probe.Ref);                                               // b dies with its leaves undone

        var rescue = a.NextJob();
        Assert.Equal((jobA.Step, 2, 4), (rescue.Step, rescue.FirstLeaf, rescue.EndLeaf));
        a.Do(rescue);
        for (long step = 1; step < Fixtures.Plan.TotalSteps; step++) a.Do(a.NextJob());
        AwaitCondition(() => _done.Task.IsCompleted, TimeSpan.FromSeconds(10));
        Assert.Equal(Fixtures.LocalResult(), _trainer.Parameters);
    }

    [Fact]
    public void Coordinator_waits_when_no_worker_is_left_and_resumes_when_one_joins()
    {
        var coordinator = StartCoordinator();
        var first = new ProbeWorker(this, "first");
        first.Register(coordinator);
        first.Do(first.NextJob());
        first.NextJob();
        Sys.Stop(first.Probe.Ref);                                            // the only worker dies mid-step
        AwaitCondition(() => _log.Count == 1, TimeSpan.FromSeconds(5));
        Assert.False(_done.Task.IsCompleted);

        var second = new ProbeWorker(this, "second");
        second.Register(coordinator);
        for (long step = 1; step < Fixtures.Plan.TotalSteps; step++) second.Do(second.NextJob());
        AwaitCondition(() => _done.Task.IsCompleted, TimeSpan.FromSeconds(10));
        Assert.Equal(Fixtures.LocalResult(), _trainer.Parameters);
    }

    [Fact]
    public void Coordinator_gives_a_worker_that_joins_mid_run_leaves_from_the_next_step()
    {
        var coordinator = StartCoordinator();
        var a = new ProbeWorker(this, "a");
        a.Register(coordinator);
        a.Do(a.NextJob());                                                    // step 0
        var step1 = a.NextJob();
        var late = new ProbeWorker(this, "late");
        late.Register(coordinator);
        late.Probe.ExpectNoMsg(TimeSpan.FromMilliseconds(200));              // step 1 is a's already
        a.Do(step1);
        var lateJob = late.NextJob();
        var aJob = a.NextJob();
        Assert.Equal((2L, 0, 2), (aJob.Step, aJob.FirstLeaf, aJob.EndLeaf));
        Assert.Equal((2L, 2, 4), (lateJob.Step, lateJob.FirstLeaf, lateJob.EndLeaf));
        a.Do(aJob);
        late.Do(lateJob);
        a.Do(a.NextJob());
        late.Do(late.NextJob());
        AwaitCondition(() => _done.Task.IsCompleted, TimeSpan.FromSeconds(10));
        Assert.Equal(Fixtures.LocalResult(), _trainer.Parameters);
    }

    [Fact]
    public void Coordinator_stops_gracefully_with_a_checkpoint_and_stops_its_workers()
    {
        var coordinator = StartCoordinator();
        var a = new ProbeWorker(this, "a");
        a.Register(coordinator);
        a.Do(a.NextJob());
        a.NextJob();
        coordinator.Tell(new StopRun("SIGTERM received"));
        Assert.IsType<StopWorking>(a.Probe.ReceiveOne(TimeSpan.FromSeconds(5)));
        AwaitCondition(() => _done.Task.IsCompleted, TimeSpan.FromSeconds(5));
        Assert.Equal(RunStatus.Interrupted, _done.Task.Result.Status);
        Assert.Equal(1, _log.Checkpoints);
        Assert.Equal(1, _trainer.Step);                                      // the step in flight is not applied
    }

    [Fact]
    public void Coordinator_answers_a_repeated_registration_of_a_worker_that_is_not_ready()
    {
        var setup = new CoordinatorSetup(new Mlp(Fixtures.Spec), _trainer, Fixtures.Fingerprint, _log,
            Fixtures.AkkaLink with { TensorLink = Hosting.TensorLinkKind.Socket }, _done);
        var coordinator = Sys.ActorOf(Props.Create(() => new CoordinatorActor(setup)), CoordinatorActor.Name);
        var probe = CreateTestProbe();
        coordinator.Tell(new RegisterWorker("w", 1, Fixtures.Fingerprint), probe.Ref);
        var first = probe.ExpectMsg<WorkerAccepted>();
        Assert.NotEqual("", first.TensorEndpoint);
        coordinator.Tell(new RegisterWorker("w", 1, Fixtures.Fingerprint), probe.Ref); // its tensor link never opened
        Assert.Equal(first, probe.ExpectMsg<WorkerAccepted>() with { Model = first.Model, Plan = first.Plan });
    }

    [Fact]
    public void Coordinator_checking_every_subtree_of_honest_workers_keeps_the_local_bits()
    {
        var coordinator = StartCoordinator(2, Fixtures.AkkaLink with { VerifyFraction = 1 });
        var a = new ProbeWorker(this, "a");
        var b = new ProbeWorker(this, "b");
        a.Register(coordinator);
        b.Register(coordinator);
        for (int step = 0; step < Fixtures.Plan.TotalSteps; step++)
            foreach (var w in new[] { a, b }) w.Do(w.NextJob());
        AwaitCondition(() => _done.Task.IsCompleted, TimeSpan.FromSeconds(10));
        Assert.Equal(RunStatus.Finished, _done.Task.Result.Status);
        Assert.IsType<StopWorking>(a.Probe.ReceiveOne(TimeSpan.FromSeconds(5)));
        Assert.IsType<StopWorking>(b.Probe.ReceiveOne(TimeSpan.FromSeconds(5)));
        Assert.Equal(Fixtures.LocalResult(), _trainer.Parameters);
    }

    [Fact]
    public void Coordinator_drops_a_worker_whose_subtree_differs_from_the_recomputation_and_keeps_the_local_bits()
    {
        var errors = CreateTestProbe();
        Sys.EventStream.Subscribe(errors.Ref, typeof(Akka.Event.Error));
        var coordinator = StartCoordinator(2, Fixtures.AkkaLink with { VerifyFraction = 1 });
        var a = new ProbeWorker(this, "a");
        var liar = new ProbeWorker(this, "liar");
        a.Register(coordinator);
        liar.Register(coordinator);
        var jobA = a.NextJob();
        var jobLiar = liar.NextJob();
        Assert.Equal((0, 2, 2, 4), (jobA.FirstLeaf, jobA.EndLeaf, jobLiar.FirstLeaf, jobLiar.EndLeaf));

        a.Do(jobA);                                                          // summed in before the lie arrives
        var node = new TreeNode(1, 1);
        var wrong = liar.Compute(jobLiar, node);
        wrong[0] += 1e-3f;                                                   // finite and well-formed, but wrong
        liar.Send(jobLiar.Step, node, wrong);

        var refused = liar.Probe.ExpectMsg<WorkerRefused>(TimeSpan.FromSeconds(5));
        Assert.Contains("step 0, leaves 2–3, differs from the recomputation", refused.Reason);
        var logged = errors.ExpectMsg<Akka.Event.Error>(TimeSpan.FromSeconds(5));
        Assert.Contains("worker liar sent a wrong subtree", logged.ToString());

        // The step starts over on the honest worker alone: nothing of it comes from the liar.
        var redo = a.NextJob();
        Assert.Equal((0L, 0, 4), (redo.Step, redo.FirstLeaf, redo.EndLeaf));

        // Neither the liar nor another worker from its node is taken in again.
        var again = CreateTestProbe();
        coordinator.Tell(new RegisterWorker("liar", 1, Fixtures.Fingerprint), again.Ref);
        Assert.Contains("dropped from this run", again.ExpectMsg<WorkerRefused>().Reason);
        coordinator.Tell(new RegisterWorker("liar-2", 1, Fixtures.Fingerprint), again.Ref);
        Assert.Contains("dropped from this run", again.ExpectMsg<WorkerRefused>().Reason);

        a.Do(redo);
        for (long step = 1; step < Fixtures.Plan.TotalSteps; step++) a.Do(a.NextJob());
        AwaitCondition(() => _done.Task.IsCompleted, TimeSpan.FromSeconds(10));
        Assert.Equal(RunStatus.Finished, _done.Task.Result.Status);
        Assert.Equal(Fixtures.LocalResult(), _trainer.Parameters);
    }
}
