using System.IO.Compression;
using ActorMlp.Core.Determinism;

namespace ActorMlp.Data;

/// <summary>Resolves a data SPEC to a <see cref="DataSplit"/>: finds and reads the files, splits, fits the transforms.</summary>
public sealed class DatasetLoader
{
    /// <summary>Where fashion-mnist is looked for, in order, before the Debian package's folder.</summary>
    public IReadOnlyList<string> SearchFolders { get; init; } = [];

    /// <summary>Fraction held out as the test part when a set has none.</summary>
    public double TestFraction { get; init; } = 0.2;

    /// <summary>Seed of the held-out split; fixed by default so changing the training seed keeps the test set.</summary>
    public ulong SplitSeed { get; init; } = 42;

    /// <summary>Labels with at most this many distinct non-negative integer values make a CSV a classification task.</summary>
    public int MaxAutoClasses { get; init; } = 50;

    public const string DebianFashionMnist = "/usr/share/datasets/fashion-mnist";
    static readonly string[] IdxNames = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    public DataSplit Load(DatasetSpec spec) => spec.Kind switch
    {
        DatasetSpec.Digits => LoadDigits(),
        DatasetSpec.FashionMnist => LoadIdx("fashion-mnist", FindFashionMnist()),
        DatasetSpec.Idx => LoadIdx($"idx:{spec.Path}", spec.Path!),
        _ => LoadCsv(spec),
    };

    DataSplit LoadDigits()
    {
        using var stream = typeof(DatasetLoader).Assembly.GetManifestResourceStream("ActorMlp.Data.digits.csv.gz")
            ?? throw new InvalidOperationException("the embedded digits data set is missing from this build");
        using var reader = new StreamReader(new GZipStream(stream, CompressionMode.Decompress));
        var table = CsvReader.Read(reader, "digits (embedded)");
        return FromTables("digits", table, null, table.Width - 1, TaskKind.Classification, TestFraction);
    }

    DataSplit LoadCsv(DatasetSpec spec)
    {
        var table = CsvReader.Read(spec.Path!);
        var test = spec.TestPath is null ? null : CsvReader.Read(spec.TestPath);
        int label = spec.Label is null ? table.Width - 1 : table.ColumnIndex(spec.Label);
        if (table.Width < 2) throw new DataException($"{table.Source} needs at least one feature column besides the label");
        if (test is not null && test.Width != table.Width)
            throw new DataException($"{test.Source} has {test.Width} columns but {table.Source} has {table.Width}");
        var task = spec.Task ?? GuessTask(table, label);
        return FromTables(Path.GetFileNameWithoutExtension(spec.Path!), table, test, label, task, spec.TestFraction ?? TestFraction);
    }

    TaskKind GuessTask(CsvTable table, int label)
    {
        var values = new HashSet<float>();
        for (int r = 0; r < table.Rows; r++)
        {
            float v = table[r, label];
            if (v < 0 || v != MathF.Floor(v)) return TaskKind.Regression;
            values.Add(v);
        }
        return values.Count <= MaxAutoClasses ? TaskKind.Classification : TaskKind.Regression;
    }

    DataSplit FromTables(string name, CsvTable table, CsvTable? testTable, int label, TaskKind task, double testFraction)
    {
        if (task == TaskKind.Classification)
            foreach (var t in testTable is null ? [table] : new[] { table, testTable })
                for (int r = 0; r < t.Rows; r++)
                {
                    float v = t[r, label];
                    if (v < 0 || v != MathF.Floor(v) || v > 1 << 20)
                        throw new DataException($"{t.Source} line {t.Lines[r]}, column '{Excerpt.Of(t.Columns[label])}': label {v} is not a class index (a non-negative integer)");
                }

        int[] trainRows, testRows;
        if (testTable is null) (trainRows, testRows) = Split(table.Rows, testFraction, table.Source);
        else (trainRows, testRows) = (Enumerable.Range(0, table.Rows).ToArray(), []);

        var train = Table(table, trainRows, label, task);
        var testRaw = testTable is null ? Table(table, testRows, label, task) : Table(testTable, Enumerable.Range(0, testTable.Rows).ToArray(), label, task);

        var transform = FeatureTransform.Standardize(train.RawFeatures, train.Features);
        var targetTransform = task == TaskKind.Regression ? FeatureTransform.Standardize(train.RawTargets, 1) : null;
        var trainPart = train.WithTransforms(transform, targetTransform);
        var testPart = testRaw.WithTransforms(transform, targetTransform);
        int classes = task == TaskKind.Classification ? Math.Max(trainPart.ClassCount, testPart.ClassCount) : 0;
        if (task == TaskKind.Classification && classes < 2)
            throw new DataException($"{table.Source} has a single class in column '{Excerpt.Of(table.Columns[label])}'; classification needs at least two");
        return new DataSplit(name, task, classes, trainPart, testPart);
    }

    static TableDataset Table(CsvTable table, int[] rows, int label, TaskKind task)
    {
        int width = table.Width - 1;
        var features = new float[rows.Length * width];
        var targets = new float[rows.Length];
        var lines = new int[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            int r = rows[i], c2 = 0;
            for (int c = 0; c < table.Width; c++)
                if (c != label) features[i * width + c2++] = table[r, c];
            targets[i] = table[r, label];
            lines[i] = table.Lines[r];
        }
        return new TableDataset(features, width, targets, 1, lines, table.Source, task, FeatureTransform.Identity(width), null);
    }

    /// <summary>A seeded shuffle picks ⌈fraction·n⌉ rows for the test part; both parts keep file order.</summary>
    (int[] Train, int[] Test) Split(int n, double fraction, string source)
    {
        int testCount = (int)Math.Ceiling(fraction * n);
        if (n < 2 || testCount < 1 || testCount >= n)
            throw new DataException($"{source} has {n} rows: too few to hold out {fraction:P0} as a test part");
        var order = Enumerable.Range(0, n).ToArray();
        EpochOrder.Shuffle(new SplitMix64(SplitMix64.Derive(SplitSeed, SeedPurpose.TrainTestSplit)), order);
        var test = order[..testCount];
        var train = order[testCount..];
        Array.Sort(test);
        Array.Sort(train);
        return (train, test);
    }

    string FindFashionMnist()
    {
        var candidates = new List<string>();
        foreach (var folder in SearchFolders.Append(Environment.GetEnvironmentVariable("ACTORMLP_DATA") ?? "").Append(DebianFashionMnist))
        {
            if (string.IsNullOrWhiteSpace(folder)) continue;
            candidates.Add(folder);
            candidates.Add(Path.Combine(folder, "fashion-mnist"));
        }
        foreach (var c in candidates)
            if (FindIdx(c, IdxNames[0]) is not null) return c;
        throw new DataException(
            $"Fashion-MNIST was not found (looked in {string.Join(", ", candidates.Distinct())}); install it with " +
            $"'apt-get install dataset-fashion-mnist' or point --data-dir or $ACTORMLP_DATA at a folder holding {IdxNames[0]}.gz and its three companions");
    }

    static string? FindIdx(string folder, string name)
    {
        foreach (var file in new[] { name + ".gz", name })
        {
            string path = Path.Combine(folder, file);
            if (File.Exists(path)) return path;
        }
        return null;
    }

    static DataSplit LoadIdx(string name, string folder)
    {
        if (!Directory.Exists(folder)) throw new DataException($"IDX folder {folder} does not exist");
        var paths = IdxNames.Select(n => FindIdx(folder, n)
            ?? throw new DataException($"IDX folder {folder} has no {n} (or {n}.gz)")).ToArray();
        var train = Images(paths[0], paths[1]);
        var test = Images(paths[2], paths[3]);
        if (test.Features != train.Features)
            throw new DataException($"{paths[2]} holds images of {test.Features} pixels but {paths[0]} holds {train.Features}");
        int classes = Math.Max(train.ClassCount, test.ClassCount);
        if (classes < 2) throw new DataException($"{paths[1]} holds a single class");
        return new DataSplit(name, TaskKind.Classification, classes, train, test);
    }

    static ImageDataset Images(string imagesPath, string labelsPath)
    {
        var images = IdxReader.ReadImages(imagesPath);
        var labels = IdxReader.ReadLabels(labelsPath);
        if (labels.Length != images.Count)
            throw new DataException($"{labelsPath} holds {labels.Length} labels but {imagesPath} holds {images.Count} images");
        return new ImageDataset(images.Pixels, labels, images.Features, labelsPath, FeatureTransform.Uniform(images.Features, 1f / 255f));
    }
}
