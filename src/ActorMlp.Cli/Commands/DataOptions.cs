using ActorMlp.Cli.CommandLine;
using ActorMlp.Data;

namespace ActorMlp.Cli.Commands;

/// <summary>Loads a data SPEC, turning data errors into the command's usage errors.</summary>
public static class DataOptions
{
    public static DataSplit Load(string spec, string dataDir, double testFraction = 0.2, ulong splitSeed = 42)
    {
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
