using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace ActorMlp.TestKit;

/// <summary>The assertion every fault spec ends with: the run's parameters are bit-identical to the fault-free run's.</summary>
public static class BitIdentity
{
    /// <summary>SHA-256 of the parameters' bytes, lower-case hex: the run summary's parameters_sha256.</summary>
    public static string Sha256(float[] parameters)
        => Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(parameters.AsSpan())));

    /// <summary>Throws <see cref="BitIdentityException"/> unless <paramref name="parameters"/> are the bits of <paramref name="recipe"/> trained in this process.</summary>
    public static void AssertMatchesLocal(RunRecipe recipe, float[] parameters) => AssertSameBits(recipe.TrainLocally(), parameters);

    /// <summary>Throws <see cref="BitIdentityException"/> unless the two parameter vectors have the same length and the same bits (NaN payloads and signed zeros included).</summary>
    public static void AssertSameBits(float[] expected, float[] actual)
    {
        if (expected.Length != actual.Length)
            throw new BitIdentityException($"the run has {actual.Length} parameters, the fault-free run {expected.Length}");
        var e = MemoryMarshal.Cast<float, int>(expected.AsSpan());
        var a = MemoryMarshal.Cast<float, int>(actual.AsSpan());
        int first = e.CommonPrefixLength(a);
        if (first == e.Length) return;
        int differing = 0;
        for (int i = first; i < e.Length; i++) if (e[i] != a[i]) differing++;
        throw new BitIdentityException(
            $"the run's parameters differ from the fault-free run's in {differing} of {e.Length} values, first at index {first}: " +
            $"{actual[first]:R} (0x{a[first]:X8}) where the fault-free run has {expected[first]:R} (0x{e[first]:X8}); " +
            $"sha256 {Sha256(actual)} against {Sha256(expected)}");
    }
}
