namespace ActorMlp.Hosting;

/// <summary>A hosted coordinator: what it trains and how many workers it waits for. Unset options keep reference.conf's defaults.</summary>
public sealed class ActorMlpCoordinatorOptions : ActorMlpNodeOptions
{
    /// <summary>Hidden layer widths (actormlp.model.hidden).</summary>
    public int[]? Hidden { get; set; }

    /// <summary>The hidden activation: sigmoid, tanh, relu, leaky-relu, swish, maxout (actormlp.model.activation).</summary>
    public string? Activation { get; set; }

    /// <summary>Passes over the training data (actormlp.train.epochs).</summary>
    public int? Epochs { get; set; }

    /// <summary>The mini-batch, a number or auto (actormlp.train.batch).</summary>
    public string? Batch { get; set; }

    /// <summary>The base learning rate, a number or auto (actormlp.optimizer.learning-rate).</summary>
    public string? LearningRate { get; set; }

    /// <summary>sgd, momentum, nesterov, adam, adamw (actormlp.optimizer.kind).</summary>
    public string? Optimizer { get; set; }

    /// <summary>The seed of the initial weights and the sample order (actormlp.train.seed).</summary>
    public ulong? Seed { get; set; }

    /// <summary>Leaves of the reduction tree, a power of two (actormlp.train.micro-shards).</summary>
    public int? MicroShards { get; set; }

    /// <summary>Workers the run waits for before its first step (actormlp.cluster.min-workers).</summary>
    public int? MinWorkers { get; set; }

    /// <summary>star or peer (actormlp.cluster.reduction).</summary>
    public string? Reduction { get; set; }

    private protected override IEnumerable<(string Option, string Key, object? Value)> Own() =>
    [
        (nameof(Hidden), "actormlp.model.hidden", Hidden),
        (nameof(Activation), "actormlp.model.activation", Activation),
        (nameof(Epochs), "actormlp.train.epochs", Epochs),
        (nameof(Batch), "actormlp.train.batch", Batch),
        (nameof(LearningRate), "actormlp.optimizer.learning-rate", LearningRate),
        (nameof(Optimizer), "actormlp.optimizer.kind", Optimizer),
        (nameof(Seed), "actormlp.train.seed", Seed),
        (nameof(MicroShards), "actormlp.train.micro-shards", MicroShards),
        (nameof(MinWorkers), "actormlp.cluster.min-workers", MinWorkers),
        (nameof(Reduction), "actormlp.cluster.reduction", Reduction),
    ];
}
