namespace ActorMlp.Data.Tests;

public sealed class DatasetSpecTests
{
    [Theory]
    [InlineData("digits")]
    [InlineData(" Digits ")]
    public void Digits_is_recognised(string text)
        => Assert.Equal(new DatasetSpec(DatasetSpec.Digits), DatasetSpec.Parse(text));

    [Theory]
    [InlineData("fashion-mnist")]
    [InlineData("fashion_mnist")]
    [InlineData("Fashion-MNIST")]
    public void Fashion_mnist_is_recognised(string text)
        => Assert.Equal(new DatasetSpec(DatasetSpec.FashionMnist), DatasetSpec.Parse(text));

    [Fact]
    public void Idx_takes_a_folder()
    {
        var spec = DatasetSpec.Parse("idx:/data/mnist");

        Assert.Equal(DatasetSpec.Idx, spec.Kind);
        Assert.Equal("/data/mnist", spec.Path);
        Assert.Equal("idx:/data/mnist", spec.ToString());
    }

    [Fact]
    public void Csv_takes_a_path_alone()
    {
        var spec = DatasetSpec.Parse("csv:data/iris.csv");

        Assert.Equal(new DatasetSpec(DatasetSpec.Csv, "data/iris.csv"), spec);
    }

    [Fact]
    public void Csv_takes_label_split_and_task()
    {
        var spec = DatasetSpec.Parse("csv:data/iris.csv, label=species ,split=0.3,task=regression");

        Assert.Equal(DatasetSpec.Csv, spec.Kind);
        Assert.Equal("data/iris.csv", spec.Path);
        Assert.Equal("species", spec.Label);
        Assert.Equal(0.3, spec.TestFraction);
        Assert.Equal(TaskKind.Regression, spec.Task);
        Assert.Null(spec.TestPath);
    }

    [Fact]
    public void Csv_takes_a_test_file_and_a_label_index()
    {
        var spec = DatasetSpec.Parse("csv:train.csv,test=test.csv,label=0,task=classification");

        Assert.Equal("train.csv", spec.Path);
        Assert.Equal("test.csv", spec.TestPath);
        Assert.Equal("0", spec.Label);
        Assert.Equal(TaskKind.Classification, spec.Task);
        Assert.Null(spec.TestFraction);
    }

    [Fact]
    public void An_unknown_csv_option_is_refused_naming_it()
    {
        var e = Assert.Throws<DataException>(() => DatasetSpec.Parse("csv:a.csv,labels=3"));

        Assert.Contains("'labels'", e.Message);
    }

    [Fact]
    public void An_option_without_a_value_is_refused()
    {
        var e = Assert.Throws<DataException>(() => DatasetSpec.Parse("csv:a.csv,label"));

        Assert.Contains("'label'", e.Message);
    }

    [Fact]
    public void Split_together_with_test_is_refused()
    {
        var e = Assert.Throws<DataException>(() => DatasetSpec.Parse("csv:a.csv,test=b.csv,split=0.2"));

        Assert.Contains("test=", e.Message);
        Assert.Contains("split=", e.Message);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("1.5")]
    [InlineData("-0.2")]
    [InlineData("a fifth")]
    [InlineData("")]
    [InlineData("NaN")]
    public void A_split_that_is_not_a_fraction_between_0_and_1_is_refused(string value)
    {
        var e = Assert.Throws<DataException>(() => DatasetSpec.Parse($"csv:a.csv,split={value}"));

        Assert.Contains("split", e.Message);
        Assert.Contains($"'{value}'", e.Message);
    }

    [Fact]
    public void An_unknown_task_is_refused_naming_it()
    {
        var e = Assert.Throws<DataException>(() => DatasetSpec.Parse("csv:a.csv,task=ranking"));

        Assert.Contains("'ranking'", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("mnist")]
    [InlineData("idx:")]
    [InlineData("csv:")]
    [InlineData("csv:,label=1")]
    [InlineData("data/iris.csv")]
    public void A_spec_that_names_no_data_is_refused(string text)
    {
        var e = Assert.Throws<DataException>(() => DatasetSpec.Parse(text));

        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }

    [Fact]
    public void An_unknown_spec_is_refused_naming_the_known_forms()
    {
        var e = Assert.Throws<DataException>(() => DatasetSpec.Parse("mnist"));

        Assert.Contains("'mnist'", e.Message);
        Assert.Contains("digits", e.Message);
        Assert.Contains("csv:", e.Message);
    }
}
