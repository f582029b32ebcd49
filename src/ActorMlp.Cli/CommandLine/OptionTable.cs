namespace ActorMlp.Cli.CommandLine;

/// <summary>One command-line flag: the configuration key it sets (null for flags that are not settings).</summary>
internal sealed record Option(string Flag, string? Key, string Value, string Help, bool IsList = false);

/// <summary>Every flag of every command, with the HOCON key it overrides.</summary>
internal static class OptionTable
{
    public static readonly Option[] Training =
    [
        new("--data", "actormlp.data.spec", "SPEC", "digits | fashion-mnist | idx:DIR | csv:PATH[,label=COL][,test=PATH|,split=F][,task=...]; a worker also from-coordinator"),
        new("--data-dir", "actormlp.data.dir", "DIR", "folder searched first for fashion-mnist"),
        new("--test-fraction", "actormlp.data.test-fraction", "F", "held-out fraction when the data has no test part"),
        new("--split-seed", "actormlp.data.split-seed", "N", "seed of that held-out split"),
        new("--hidden", "actormlp.model.hidden", "N,N,..", "hidden layer sizes", IsList: true),
        new("--layers", "actormlp.model.layers", "N,N,..", "every layer size, input to output", IsList: true),
        new("--activation", "actormlp.model.activation", "NAME", "sigmoid | tanh | relu | leaky-relu | swish | maxout"),
        new("--maxout-pieces", "actormlp.model.maxout-pieces", "K", "pieces per maxout unit"),
        new("--leaky-slope", "actormlp.model.leaky-slope", "A", "leaky-relu slope below zero"),
        new("--loss", "actormlp.model.loss", "NAME", "auto | cross-entropy | log-loss | mse"),
        new("--init", "actormlp.model.init", "NAME", "auto | he | xavier"),
        new("--optimizer", "actormlp.optimizer.kind", "NAME", "sgd | momentum | nesterov | adam | adamw"),
        new("--lr", "actormlp.optimizer.learning-rate", "RATE", "base learning rate, or auto (by task)"),
        new("--momentum", "actormlp.optimizer.momentum", "MU", "momentum factor (sgd, momentum, nesterov)"),
        new("--beta1", "actormlp.optimizer.beta1", "B", "Adam first-moment decay"),
        new("--beta2", "actormlp.optimizer.beta2", "B", "Adam second-moment decay"),
        new("--epsilon", "actormlp.optimizer.epsilon", "E", "Adam denominator guard"),
        new("--weight-decay", "actormlp.optimizer.weight-decay", "L", "weight decay (decoupled for adamw)"),
        new("--schedule", "actormlp.optimizer.schedule", "NAME", "constant | step | cosine"),
        new("--warmup-steps", "actormlp.optimizer.warmup-steps", "N", "linear learning-rate warm-up steps"),
        new("--step-epochs", "actormlp.optimizer.step-epochs", "N", "step schedule: epochs between decays"),
        new("--gamma", "actormlp.optimizer.gamma", "G", "step schedule: decay factor"),
        new("--min-lr", "actormlp.optimizer.min-learning-rate", "RATE", "cosine schedule: final rate"),
        new("--batch", "actormlp.train.batch", "B", "global mini-batch size, or auto (fitted to the training set)"),
        new("--micro-shards", "actormlp.train.micro-shards", "M", "leaves of the reduction tree per batch (power of two)"),
        new("--epochs", "actormlp.train.epochs", "N", "passes over the training set"),
        new("--seed", "actormlp.train.seed", "N", "seed of initial weights and epoch order"),
        new("--workers", "actormlp.train.workers", "N", "worker nodes; 0 trains in this process"),
        new("--threads-per-worker", "actormlp.train.threads-per-worker", "N", "threads per worker (result unchanged)"),
        new("--checkpoint-every", "actormlp.train.checkpoint-every", "N", "also checkpoint every N steps"),
        new("--keep-checkpoints", "actormlp.train.keep-checkpoints", "N", "checkpoints kept, newest first"),
        new("--resume", null, "RUN_DIR", "continue an interrupted run from its newest intact checkpoint"),
        new("--out", "actormlp.train.out", "RUN_DIR", "run folder (default runs/<timestamp>)"),
        new("--progress", "actormlp.train.progress", "MODE", "auto | bar | lines | none"),
        new("--kernel", "actormlp.compute.kernel", "PATH", "auto | avx512 | avx2 | vector128: vector width of every kernel (same bits)"),
        new("--config", null, "FILE.conf", "HOCON file over the defaults; repeat it, a later file wins"),
    ];

    /// <summary>Flags of every command that trains through the cluster.</summary>
    public static readonly Option[] Cluster =
    [
        new("--reduction", "actormlp.cluster.reduction", "KIND", "star | peer: gradients combined at the coordinator, or among the workers"),
        new("--tensor-link", "actormlp.cluster.tensor-link", "KIND", "socket | akka: how weights and gradients travel"),
        new("--tls", "actormlp.security.tls", "on|off", "mutual TLS on every connection (Akka remoting and tensor links), with --tls-ca and --tls-certificate"),
        new("--tls-ca", "actormlp.security.ca", "FILE", "the cluster's certificate authority (ca.crt of actormlp certs create)"),
        new("--tls-certificate", "actormlp.security.certificate", "FILE", "this node's certificate and key, PKCS#12 (node-N.p12)"),
        new("--verify-fraction", "actormlp.cluster.verify-fraction", "F", "star: the coordinator recomputes this fraction of the workers' subtrees and drops a worker whose bits differ (0: off)"),
        new("--wire-precision", "actormlp.cluster.wire-precision", "P", "fp32 | bf16: bf16 halves the socket link's bytes (peer: the gradient tree in bfloat16, the same bits for any K and --workers 0); not bit-equal to fp32"),
    ];

    /// <summary>Flags of the coordinator and worker commands, which start one node each.</summary>
    public static readonly Option[] Node =
    [
        new("--hostname", "akka.remote.dot-netty.tcp.hostname", "HOST", "address this node's remoting binds (and advertises, without --public-hostname)"),
        new("--port", "akka.remote.dot-netty.tcp.port", "PORT", "remoting port of this node (0: any free port)"),
        new("--public-hostname", "akka.remote.dot-netty.tcp.public-hostname", "HOST", "address the other nodes reach this node's remoting at, when not the bound one (NAT, containers)"),
        new("--public-port", "akka.remote.dot-netty.tcp.public-port", "PORT", "remoting port the other nodes reach, when not the bound one (0: the bound port)"),
        new("--seed-node", "akka.cluster.seed-nodes", "ADDR,..", "akka.tcp://actormlp@HOST:PORT of the coordinator", IsList: true),
        new("--discovery", "actormlp.discovery.method", "METHOD", "seed-nodes | config | kubernetes: how a worker finds the cluster (config and kubernetes: Akka Cluster Bootstrap, no seed address)"),
        new("--discovery-endpoints", "actormlp.discovery.endpoints", "HOST:PORT,..", "--discovery config: management endpoints to probe (the coordinator's suffices)", IsList: true),
        new("--management-hostname", "akka.management.http.hostname", "HOST", "--discovery config|kubernetes: address the others know this node's management endpoint by (default: the advertised remoting one)"),
        new("--management-port", "akka.management.http.port", "PORT", "--discovery config|kubernetes: port of this node's management endpoint: plain HTTP, /bootstrap/seed-nodes, /alive, /ready (default 8558; 0: a free one)"),
        new("--tensor-host", "actormlp.cluster.tensor-host", "HOST", "address the tensor endpoint binds (default: the remoting one)"),
        new("--tensor-port", "actormlp.cluster.tensor-port", "PORT", "port the tensor endpoint binds (0: any free port)"),
        new("--tensor-public-host", "actormlp.cluster.tensor-public-host", "HOST", "address workers are told to reach the tensor endpoint at (default: the advertised remoting one)"),
        new("--tensor-public-port", "actormlp.cluster.tensor-public-port", "PORT", "port workers are told to reach the tensor endpoint at (0: the bound port)"),
        new("--min-workers", "actormlp.cluster.min-workers", "N", "coordinator: workers to wait for before step 0"),
        new("--worker-id", "actormlp.cluster.worker-id", "ID", "worker: its name in the run (default HOST-PID)"),
        new("--cache-dir", "actormlp.data.cache-dir", "DIR", "worker: folder for data fetched from the coordinator (default $ACTORMLP_CACHE, ~/.cache/actormlp)"),
    ];

    /// <summary>Flags that watch a cluster run while it goes: the coordinator's (train's) live metrics and step timeline.</summary>
    public static readonly Option[] Watch =
    [
        new("--metrics-port", "actormlp.metrics.port", "PORT", "serve live metrics for Prometheus on http://HOST:PORT/metrics (0: off)"),
        new("--metrics-host", "actormlp.metrics.host", "HOST", "address the metrics endpoint binds (default 127.0.0.1)"),
        new("--trace", "actormlp.trace.file", "FILE.json", "write each step's phases per worker in Chrome trace format (star reduction)"),
    ];

    public static readonly Option[] Train = [.. Training, .. Cluster, .. Watch];

    /// <summary>The coordinator and the worker take every training flag, so one flag list can start both; a worker uses only the data flags.</summary>
    /// <summary>The flag among <paramref name="options"/> that sets a key, for the settings' error sentences.</summary>
    public static Func<string, string?> FlagOf(IReadOnlyList<Option> options) => key => options.FirstOrDefault(o => o.Key == key)?.Flag;

    public static readonly Option[] NodeCommands = [.. Training, .. Cluster, .. Watch, .. Node];

    public static readonly Option[] Status =
    [
        new("--coordinator", null, "ADDR", "akka.tcp://actormlp@HOST:PORT of the run's coordinator"),
        new("--timeout", "actormlp.status.timeout-seconds", "SECONDS", "how long to wait for its answer"),
        new("--hostname", "akka.remote.dot-netty.tcp.hostname", "HOST", "address this short-lived node binds, which the coordinator answers (default 127.0.0.1)"),
        new("--tls", "actormlp.security.tls", "on|off", "mutual TLS, as the run's nodes (with --tls-ca and --tls-certificate)"),
        new("--tls-ca", "actormlp.security.ca", "FILE", "the cluster's certificate authority"),
        new("--tls-certificate", "actormlp.security.certificate", "FILE", "a node certificate of the cluster, PKCS#12"),
        new("--config", null, "FILE.conf", "HOCON file over the defaults; repeat it, a later file wins"),
    ];

    public static readonly Option[] Evaluate =
    [
        new("--model", null, "RUN_DIR", "run folder (or .ckpt file) of a trained model"),
        new("--data", null, "SPEC", "data set to evaluate on (its test part); default: the one trained on"),
        new("--data-dir", null, "DIR", "folder searched first for fashion-mnist"),
    ];

    public static readonly Option[] Certs =
    [
        new("--out", null, "DIR", "folder for ca.crt, ca.key and node-N.p12 (its authority is reused when there)"),
        new("--nodes", null, "N", "node certificates to make (default 1)"),
        new("--hosts", null, "H,H,..", "host names and IP addresses the node certificates name (default localhost,127.0.0.1)"),
        new("--days", null, "D", "days the certificates are valid (default 365)"),
    ];

    public static readonly Option[] Plot =
    [
        new("--out", null, "FILE.png", "where the picture goes (required)"),
        new("--width", null, "PIXELS", "width of the picture (default 1200)"),
        new("--height", null, "PIXELS", "height of the picture (default 800)"),
    ];

    public static readonly Option[] Predict =
    [
        new("--model", null, "RUN_DIR", "run folder (or .ckpt file) of a trained model"),
        new("--input", null, "FILE.csv", "rows of raw features, optional header"),
        new("--output", null, "FILE.csv", "where predictions go (default: standard output)"),
    ];

    public static readonly Option[] Export =
    [
        new("--model", null, "RUN_DIR", "run folder (or .ckpt file) of a trained model"),
        new("--format", null, "FORMAT", "onnx (the default and, for now, the only one)"),
        new("--out", null, "FILE.onnx", "where the exported model goes"),
    ];
}
