using ActorMlp.Data;

namespace ActorMlp.Hosting.Settings;

/// <summary>Loads a data SPEC, turning data errors into the command's usage errors.</summary>
internal static class DataOptions
{
    /// <summary>The SPEC of a worker that gets the run's training data from its coordinator.</summary>
    public const string FromCoordinator = "from-coordinator";

    public static bool IsFromCoordinator(string spec) => spec.Trim().Equals(FromCoordinator, StringComparison.OrdinalIgnoreCase);

    public static DataSplit Load(string spec, string dataDir, double testFraction = 0.2, ulong splitSeed = 42)
    {
        if (IsFromCoordinator(spec))
            throw new UsageException($"--data {FromCoordinator} is for a worker, which gets the run's data from its coordinator; train, coordinator and evaluate need a data set of their own (digits, fashion-mnist, idx:DIR or csv:PATH)");
        var loader = new DatasetLoader
        {
            SearchFolders = string.IsNullOrWhiteSpace(dataDir) ? [] : [dataDir],
            TestFraction = testFraction,
            SplitSeed = splitSeed,
        };
        try { return loader.Load(DatasetSpec.Parse(spec)); }
        catch (DataException e) { throw new UsageException(e.Message, e); }
    }
}
