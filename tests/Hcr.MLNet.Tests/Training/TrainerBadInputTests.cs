using Hcr.MLNet.Data;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hcr.MLNet.Tests.Training;

/// <summary>Bad input to the trainer raises a clear error that names the column or the value.</summary>
public class TrainerBadInputTests
{
    private sealed class Row
    {
        public string Label { get; set; } = "";

        [VectorType(784)]
        public float[] Pixels { get; set; } = [];
    }

    private static readonly MLContext Ml = new(seed: 1);

    private static HandwritingCnnTrainer Trainer(HandwritingCnnOptions? options = null) =>
        Ml.MulticlassClassification.Trainers.HandwritingCnn(options ?? TrainerFixture.Quick(epochs: 1));

    private static IDataView Rows(params (string Label, float Value)[] rows) =>
        Ml.Data.LoadFromEnumerable(rows.Select(r => new Row { Label = r.Label, Pixels = Enumerable.Repeat(r.Value, 784).ToArray() }).ToList());

    private static IDataView Keyed(IDataView rows) => Ml.Transforms.Conversion.MapValueToKey("Label").Fit(rows).Transform(rows);

    [Fact]
    public void An_unwritable_checkpoint_folder_fails_before_training_naming_it()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("a-file"), "not a folder");
        HandwritingCnnOptions options = TrainerFixture.Quick(epochs: 1);
        options.CheckpointDirectory = dir.File("a-file/checkpoints");
        var progress = new RecordingProgress<TrainingProgress>();
        options.Progress = progress;

        var e = Assert.Throws<IOException>(() => Trainer(options).Fit(Keyed(Rows(("a", 0), ("b", 1)))));

        Assert.Contains(Path.GetFullPath(options.CheckpointDirectory), e.Message);
        Assert.Empty(progress.Reports); // not one batch trained
    }

    [Fact]
    public void Missing_label_column()
    {
        IDataView data = Ml.Transforms.DropColumns("Label").Fit(Keyed(Rows(("a", 0), ("b", 1)))).Transform(Keyed(Rows(("a", 0), ("b", 1))));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer().Fit(data));
        Assert.Contains("label column 'Label'", e.Message);
    }

    [Fact]
    public void Label_without_key_type_says_to_use_MapValueToKey()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer().Fit(Rows(("a", 0), ("b", 1))));
        Assert.Contains("Label column 'Label' must have a key type", e.Message);
        Assert.Contains("MapValueToKey", e.Message);
    }

    [Fact]
    public void Pixels_column_missing_or_of_the_wrong_shape()
    {
        var options = TrainerFixture.Quick(epochs: 1);
        options.PixelsColumnName = "Image";
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer(options).Fit(Keyed(Rows(("a", 0), ("b", 1)))));
        Assert.Contains("pixels column 'Image'", e.Message);

        IDataView wrongSize = Keyed(Ml.Data.LoadFromEnumerable(new[] { "a", "b" }.Select(l => new SmallRow { Label = l, Pixels = new float[10] })));
        e = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer().Fit(wrongSize));
        Assert.Contains("Pixels column 'Pixels' must be a vector of 784 Single values", e.Message);
    }

    private sealed class SmallRow
    {
        public string Label { get; set; } = "";

        [VectorType(10)]
        public float[] Pixels { get; set; } = [];
    }

    [Fact]
    public void Empty_data_view()
    {
        IDataView rows = Rows(("a", 0), ("b", 1));
        IDataView empty = Ml.Transforms.Conversion.MapValueToKey("Label").Fit(rows).Transform(Ml.Data.LoadFromEnumerable(new List<Row>()));
        var e = Assert.Throws<InvalidOperationException>(() => Trainer().Fit(empty));
        Assert.Contains("no rows", e.Message);
    }

    [Fact]
    public void NaN_pixels_name_the_row_and_column()
    {
        var e = Assert.Throws<InvalidDataException>(() => Trainer().Fit(Keyed(Rows(("a", 0), ("b", float.NaN)))));
        Assert.Contains("pixels column 'Pixels' holds NaN at row 1", e.Message);
    }

    [Fact]
    public void Unscaled_pixels_say_how_to_scale_them()
    {
        var e = Assert.Throws<InvalidDataException>(() => Trainer().Fit(Keyed(Rows(("a", 0), ("b", 255)))));
        Assert.Contains("255", e.Message);
        Assert.Contains("0..1", e.Message);
    }

    [Fact]
    public void Class_absent_from_training_is_named()
    {
        IDataView all = Rows(("a", 0), ("b", 1), ("c", 0.5f));
        var keys = Ml.Transforms.Conversion.MapValueToKey("Label").Fit(all);
        IDataView withoutB = keys.Transform(Rows(("a", 0), ("c", 0.5f), ("a", 0.1f)));
        var e = Assert.Throws<InvalidDataException>(() => Trainer().Fit(withoutB));
        Assert.Contains("'b' (key 2)", e.Message);
    }

    [Fact]
    public void Label_missing_from_the_key_map_is_a_missing_value()
    {
        var keys = Ml.Transforms.Conversion.MapValueToKey("Label").Fit(Rows(("a", 0), ("b", 1)));
        var e = Assert.Throws<InvalidDataException>(() => Trainer().Fit(keys.Transform(Rows(("a", 0), ("b", 1), ("z", 0)))));
        Assert.Contains("missing value (key 0) at row 2", e.Message);
    }

    [Fact]
    public void Validation_set_with_other_classes()
    {
        var options = TrainerFixture.Quick(epochs: 1);
        options.ValidationSet = Keyed(Rows(("x", 0), ("y", 1), ("z", 1)));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer(options).Fit(Keyed(Rows(("a", 0), ("b", 1)))));
        Assert.Contains("3 classes in the validation set but 2", e.Message);
    }

    [Theory]
    [InlineData(nameof(HandwritingCnnOptions.Epochs))]
    [InlineData(nameof(HandwritingCnnOptions.BatchSize))]
    [InlineData(nameof(HandwritingCnnOptions.LearningRate))]
    [InlineData(nameof(HandwritingCnnOptions.LabelSmoothing))]
    [InlineData(nameof(HandwritingCnnOptions.ValidationFraction))]
    [InlineData(nameof(HandwritingCnnOptions.WeightAverageDecay))]
    public void Options_out_of_range_are_rejected_when_the_trainer_is_made(string option)
    {
        var options = TrainerFixture.Quick();
        typeof(HandwritingCnnOptions).GetProperty(option)!.SetValue(options, option switch
        {
            nameof(HandwritingCnnOptions.Epochs) => (object)0,
            nameof(HandwritingCnnOptions.BatchSize) => 1,
            nameof(HandwritingCnnOptions.LearningRate) => 0.0,
            _ => 1.5,
        });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer(options));
        Assert.Equal(option, e.ParamName);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(31.0)]
    [InlineData(-90.0)]
    [InlineData(double.NaN)]
    public void Test_time_rotations_that_are_no_small_turn_are_rejected(double angle)
    {
        var options = TrainerFixture.Quick();
        options.TestTimeRotations = [5, angle];
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer(options));
        Assert.Equal(nameof(HandwritingCnnOptions.TestTimeRotations), e.ParamName);
        Assert.Contains("at most 30 degrees", e.Message);
    }

    [Fact]
    public void Too_many_test_time_rotations_are_rejected()
    {
        var options = TrainerFixture.Quick();
        options.TestTimeRotations = Enumerable.Range(1, 9).Select(a => (double)a).ToArray();
        Assert.Contains("At most 8", Assert.Throws<ArgumentOutOfRangeException>(() => Trainer(options)).Message);
    }

    [Fact]
    public void Early_stopping_without_validation_is_rejected()
    {
        var options = TrainerFixture.Quick();
        options.EarlyStoppingPatience = 2;
        Assert.Contains("needs validation", Assert.Throws<ArgumentException>(() => Trainer(options)).Message);
    }

    [Fact]
    public void Estimator_schema_check_names_the_bad_column()
    {
        var create = typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static, [typeof(DataViewSchema)])!;
        var shape = (SchemaShape)create.Invoke(null, [Rows(("a", 0)).Schema])!;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer().GetOutputSchema(shape));
        Assert.Contains("Label column 'Label' must have a key type", e.Message);

        var keyed = (SchemaShape)create.Invoke(null, [Keyed(Rows(("a", 0), ("b", 1))).Schema])!;
        SchemaShape output = Trainer().GetOutputSchema(keyed);
        Assert.Contains(output, c => c.Name == "Score" && c.Kind == SchemaShape.Column.VectorKind.Vector && c.ItemType == NumberDataViewType.Single);
        Assert.Contains(output, c => c.Name == "PredictedLabel" && c.IsKey);
    }
}
