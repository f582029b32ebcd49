using System.Runtime.InteropServices;
using System.Security.Cryptography;
using ActorMlp.Cluster.Actors;
using ActorMlp.Core.Model;

namespace ActorMlp.Hosting;

/// <summary>How a hosted run ended, with the model and its trained weights (the same bits for any cluster).</summary>
public sealed record ActorMlpRunResult(RunOutcome Outcome, ModelSpec Spec, float[] Parameters)
{
    public bool Succeeded => Outcome.Succeeded;

    /// <summary>The weights' SHA-256, as the actormlp command prints it (parameters_sha256).</summary>
    public string ParametersSha256 => Sha256(Parameters);

    public static string Sha256(float[] parameters)
        => Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(parameters.AsSpan())));
}
