using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace ActorMlp.Core.Tensors;

/// <summary>
/// The one choice of kernel path the whole process computes with: GEMM, the leaf kernel, the
/// optimizer pass, the batch fill and the elementwise functions all consult <see cref="Current"/>,
/// so a forced path is honoured by every hot loop. A path is offered only where each vector type
/// it uses is hardware accelerated, so no loop ever runs on a software-emulated vector.
/// </summary>
public static class ComputeKernel
{
    /// <summary>
    /// True where the CPU fuses multiply-add in hardware (x86 FMA3, every ARM64). A JIT-time constant:
    /// it folds away in every kernel that asks. Without it a fused operation would be emulated in
    /// software (~8 ns each here), so those CPUs multiply then add: a different numeric class.
    /// </summary>
    public static bool HardwareFma => Fma.IsSupported || AdvSimd.Arm64.IsSupported;

    /// <summary>
    /// Runs that share a numeric class give the same bits on every path; the class joins a worker's
    /// registration fingerprint so runs of different classes never mix.
    /// </summary>
    public static string NumericClass => HardwareFma ? "fma" : "mul-add";

    /// <summary>The widest path this CPU runs.</summary>
    public static KernelPath Best { get; } =
        IsSupported(KernelPath.Avx512) ? KernelPath.Avx512
        : IsSupported(KernelPath.Avx2) ? KernelPath.Avx2
        : KernelPath.Vector128;

    static KernelPath _process = Best;
    [ThreadStatic] static KernelPath? _thread;

    /// <summary>
    /// The path every hot loop of this process runs; <see cref="Best"/> unless <see cref="Use"/> chose
    /// another. Tests may pin a path for one thread (<see cref="PinThread"/>) so paths can be compared side by side.
    /// </summary>
    public static KernelPath Current => _thread ?? _process;

    /// <summary>Runs this thread's kernels on <paramref name="path"/> until the result is disposed: for tests comparing paths in one process.</summary>
    internal static IDisposable PinThread(KernelPath path)
    {
        Require(path);
        var previous = _thread;
        _thread = path;
        return new Unpin(previous);
    }

    sealed class Unpin(KernelPath? previous) : IDisposable
    {
        public void Dispose() => _thread = previous;
    }

    /// <summary>
    /// The guard at the entry of every path-specific kernel: a path is only run where each vector type it
    /// uses is accelerated, so no kernel ever reaches a software-emulated vector.
    /// </summary>
    public static void Require(KernelPath path)
    {
        if (!IsSupported(path))
            throw new PlatformNotSupportedException(
                $"this CPU has no {Name(path)} kernel path; it runs {string.Join(", ", Supported.Select(Name))}");
    }

    public static bool IsSupported(KernelPath path) => path switch
    {
        KernelPath.Avx512 => Avx512F.IsSupported && Vector256.IsHardwareAccelerated,
        KernelPath.Avx2 => Avx2.IsSupported && Fma.IsSupported && Vector256.IsHardwareAccelerated,
        KernelPath.Vector128 => Vector128.IsHardwareAccelerated,
        _ => false,
    };

    /// <summary>Every path this CPU runs, narrowest first.</summary>
    public static KernelPath[] Supported => Enum.GetValues<KernelPath>().Where(IsSupported).ToArray();

    /// <summary>Makes <paramref name="path"/> the process's path; refuses one the CPU lacks.</summary>
    public static void Use(KernelPath path)
    {
        Require(path);
        _process = path;
    }

    public static string Name(KernelPath path) => path switch
    {
        KernelPath.Avx512 => "avx512",
        KernelPath.Avx2 => "avx2",
        _ => "vector128",
    };

    /// <summary>Parses avx512 | avx2 | vector128; "auto" gives null (the best path).</summary>
    public static bool TryParse(string text, out KernelPath? path)
    {
        path = null;
        switch (text.Trim().ToLowerInvariant())
        {
            case "auto": return true;
            case "avx512": path = KernelPath.Avx512; return true;
            case "avx2": path = KernelPath.Avx2; return true;
            case "vector128": path = KernelPath.Vector128; return true;
            default: return false;
        }
    }

    /// <summary>The headline's words for the path and its numeric class, e.g. "avx2 kernels, fma numeric class".</summary>
    public static string Describe() => $"{Name(Current)} kernels, {NumericClass} numeric class";
}
