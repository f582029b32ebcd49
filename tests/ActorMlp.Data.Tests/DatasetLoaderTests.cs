using System.Globalization;
using System.Text;

namespace ActorMlp.Data.Tests;

/// <summary>CSV data sets: label column, task, explicit test file; the shipped iris, diabetes and the embedded digits.</summary>
public sealed class DatasetLoaderTests : IDisposable
{
    readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    static DataSplit Load(string spec, DatasetLoader? loader = null) => (loader ?? new DatasetLoader()).Load(DatasetSpec.Parse(spec));

    /// <summary>n rows "f1,f2,label" with label = i mod classes and features derived from i.</summary>
    string Csv(string name, int n, int classes = 3, bool header = true)
    {
        var text = new StringBuilder(header ? "f1,f2,label\n" : "");
        for (int i = 0; i < n; i++)
            text.Append(CultureInfo.InvariantCulture, $"{i},{i * i % 17 - 3.5},{i % classes}\n");
        return _temp.Write(name, text.ToString());
    }

    [Fact]
    public void The_last_column_is_the_label_by_default()
    {
        string path = Csv("d.csv", 10);

        var data = Load($"csv:{path},split=0.5");

        Assert.Equal(2, data.Features);
        Assert.Equal(3, data.Classes);
        Assert.Equal(TaskKind.Classification, data.Task);
        Assert.Equal("d", data.Name);
        for (int i = 0; i < data.Train.Count; i++)
            Assert.Equal((LineNumber(data.Train, i) - 2) % 3, data.Train.Label(i));
    }

    [Fact]
    public void A_label_column_is_picked_by_name()
    {
        string path = _temp.Write("named.csv", "kind,a,b\n2,0.5,7\n0,1.5,8\n1,2.5,9\n0,3.5,10\n1,4.5,11\n");

        var data = Load($"csv:{path},label=kind,test={path}");

        Assert.Equal(2, data.Features);
        Assert.Equal(3, data.Classes);
        Assert.Equal([2, 0, 1, 0, 1], Enumerable.Range(0, 5).Select(data.Train.Label));
        Assert.Equal([2.5f, 9f], data.Transform.Shift);
    }

    [Fact]
    public void A_label_column_is_picked_by_index()
    {
        string path = _temp.Write("indexed.csv", "0.5,2,7\n1.5,0,8\n2.5,1,9\n3.5,0,10\n");

        var data = Load($"csv:{path},label=1,test={path}");

        Assert.Equal(2, data.Features);
        Assert.Equal([2, 0, 1, 0], Enumerable.Range(0, 4).Select(data.Train.Label));
        Assert.Equal([2f, 8.5f], data.Transform.Shift);
    }

    [Fact]
    public void An_unknown_label_column_is_refused_naming_it()
    {
        string path = Csv("d.csv", 10);

        var e = Assert.Throws<DataException>(() => Load($"csv:{path},label=species"));

        Assert.Contains("'species'", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("-1")]
    [InlineData("2.0001")]
    public void A_class_label_that_is_not_a_non_negative_integer_is_refused_naming_the_line(string label)
    {
        string path = _temp.Write("bad-label.csv", $"a,b,y\n1,2,0\n3,4,1\n5,6,{label}\n7,8,1\n");

        var e = Assert.Throws<DataException>(() => Load($"csv:{path},task=classification"));

        Assert.Contains(path, e.Message);
        Assert.Contains("line 4", e.Message);
        Assert.Contains("'y'", e.Message);
    }

    [Fact]
    public void A_bad_class_label_in_the_test_file_is_refused_naming_that_file()
    {
        string train = Csv("train.csv", 6);
        string test = _temp.Write("test.csv", "f1,f2,label\n1,2,0\n1,2,-2\n");

        var e = Assert.Throws<DataException>(() => Load($"csv:{train},test={test},task=classification"));

        Assert.Contains(test, e.Message);
        Assert.Contains("line 3", e.Message);
    }

    [Fact]
    public void Fractional_labels_make_an_automatic_regression_task()
    {
        string path = _temp.Write("r.csv", "a,y\n1,0.5\n2,1\n3,2\n4,3\n5,4\n");

        var data = Load($"csv:{path}");

        Assert.Equal(TaskKind.Regression, data.Task);
        Assert.Equal(0, data.Classes);
        Assert.Equal(1, data.TargetWidth);
    }

    [Fact]
    public void Integer_labels_can_be_forced_to_regression()
    {
        string path = Csv("d.csv", 10);

        var data = Load($"csv:{path},task=regression");

        Assert.Equal(TaskKind.Regression, data.Task);
        Assert.NotNull(data.TargetTransform);
    }

    [Fact]
    public void A_single_class_is_refused_for_classification()
    {
        string path = _temp.Write("one.csv", "a,y\n1,0\n2,0\n3,0\n4,0\n");

        var e = Assert.Throws<DataException>(() => Load($"csv:{path}"));

        Assert.Contains(path, e.Message);
        Assert.Contains("single class", e.Message);
    }

    [Fact]
    public void A_label_without_feature_columns_is_refused()
    {
        string path = _temp.Write("narrow.csv", "y\n0\n1\n0\n1\n");

        var e = Assert.Throws<DataException>(() => Load($"csv:{path}"));

        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Iris_is_a_classification_task_with_three_classes()
    {
        var data = Load($"csv:{Repository.Data("iris.csv")}");

        Assert.Equal(TaskKind.Classification, data.Task);
        Assert.Equal(3, data.Classes);
        Assert.Equal(4, data.Features);
        Assert.Equal(150, data.Train.Count + data.Test.Count);
        Assert.Equal(30, data.Test.Count);
        Assert.Equal("iris", data.Name);
    }

    [Fact]
    public void Diabetes_is_a_regression_task()
    {
        var data = Load($"csv:{Repository.Data("diabetes.csv")}");

        Assert.Equal(TaskKind.Regression, data.Task);
        Assert.Equal(10, data.Features);
        Assert.Equal(1, data.TargetWidth);
        Assert.Equal(442, data.Train.Count + data.Test.Count);
    }

    [Fact]
    public void Breast_cancer_is_a_two_class_task()
    {
        var data = Load($"csv:{Repository.Data("breast_cancer.csv")}");

        Assert.Equal(TaskKind.Classification, data.Task);
        Assert.Equal(2, data.Classes);
        Assert.Equal(30, data.Features);
        Assert.Equal(569, data.Train.Count + data.Test.Count);
    }

    [Fact]
    public void A_test_file_becomes_the_test_part_and_the_whole_file_trains()
    {
        string train = Csv("train.csv", 12);
        string test = Csv("test.csv", 5);

        var data = Load($"csv:{train},test={test}");

        Assert.Equal(12, data.Train.Count);
        Assert.Equal(5, data.Test.Count);
        Assert.Contains(test, data.Test.Describe(0));
        Assert.Contains(train, data.Train.Describe(0));
    }

    [Fact]
    public void A_test_file_with_another_column_count_is_refused()
    {
        string train = Csv("train.csv", 12);
        string test = _temp.Write("test.csv", "f1,label\n1,0\n2,1\n");

        var e = Assert.Throws<DataException>(() => Load($"csv:{train},test={test}"));

        Assert.Contains(test, e.Message);
        Assert.Contains("columns", e.Message);
    }

    [Fact]
    public void A_missing_test_file_is_refused_naming_it()
    {
        string train = Csv("train.csv", 12);
        string test = _temp.File("absent.csv");

        var e = Assert.Throws<DataException>(() => Load($"csv:{train},test={test}"));

        Assert.Contains(test, e.Message);
    }

    [Fact]
    public void A_missing_csv_file_is_refused_naming_it()
    {
        string path = _temp.File("absent.csv");

        var e = Assert.Throws<DataException>(() => Load($"csv:{path}"));

        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Too_few_rows_to_hold_out_a_test_part_are_refused()
    {
        string path = _temp.Write("tiny.csv", "a,y\n1,0\n");

        var e = Assert.Throws<DataException>(() => Load($"csv:{path}"));

        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Digits_loads_with_1797_rows_of_64_features_in_10_classes()
    {
        var data = Load("digits");

        Assert.Equal("digits", data.Name);
        Assert.Equal(TaskKind.Classification, data.Task);
        Assert.Equal(1797, data.Train.Count + data.Test.Count);
        Assert.Equal(360, data.Test.Count);
        Assert.Equal(64, data.Features);
        Assert.Equal(10, data.Classes);
    }

    internal static int LineNumber(Dataset part, int index)
    {
        string d = part.Describe(index);
        return int.Parse(d[(d.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }
}
