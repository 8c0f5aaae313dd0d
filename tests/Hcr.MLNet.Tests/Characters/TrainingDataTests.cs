using System.Text.Json.Nodes;
using Hcr.MLNet.Data;
using Hcr.MLNet.IO;
using Hcr.MLNet.Tests.Demo;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Tests.Training;

namespace Hcr.MLNet.Tests.Characters;

/// <summary>
/// A recognizer remembers the EMNIST images it was trained on and those set aside to evaluate it, saves them with itself,
/// and the demo evaluates on those by default and refuses images it was trained on.
/// </summary>
public class TrainingDataTests
{
    private const string Data = "/data/emnist";

    [Theory]
    // Train part / test part: the parts never share images, whatever the splits.
    [InlineData(null, "Train", "ByMerge", "Test", null, 0, false)]
    [InlineData(null, "Train", "Balanced", "Train", 0.0, 0, true)]
    // The local protocol: the held-out side is honest, the whole part or another split of it is not.
    [InlineData(0.1, "Test", "ByMerge", "Test", 0.1, 0, false)]
    [InlineData(0.1, "Test", "ByMerge", "Test", 0.1, 7, true)]
    [InlineData(0.1, "Test", "ByMerge", "Test", 0.2, 0, true)]
    [InlineData(0.1, "Test", "ByMerge", "Test", 0.0, 0, true)]
    [InlineData(0.1, "Test", "ByMerge", "Train", null, 0, true)] // no hold-out: the test part
    [InlineData(0.1, "Test", "Balanced", "Test", 0.1, 0, true)]  // Balanced's test images are ByMerge's
    [InlineData(0.1, "Test", "ByMerge", "Train", 0.0, 0, false)]
    // Trained on all of a part: only the other part is honest.
    [InlineData(0.0, "Test", "ByMerge", "Test", 0.5, 0, true)]
    [InlineData(0.0, "Test", "Digits", "Train", 0.0, 0, false)]
    public void Selections_share_images_unless_the_evaluation_is_the_other_part_or_the_other_side(
        double? holdout, string part, string evalSplit, string evalPart, double? evalHoldout, int evalSeedOffset, bool shares)
    {
        var trained = new EmnistSelection(Data, EmnistSplit.ByMerge, Enum.Parse<EmnistPart>(part), holdout);
        var evaluation = new EmnistSelection("/elsewhere/emnist", Enum.Parse<EmnistSplit>(evalSplit), Enum.Parse<EmnistPart>(evalPart), evalHoldout,
            EmnistSelection.DefaultSeed + evalSeedOffset);

        Assert.Equal(shares, trained.SharesImagesWith(evaluation));
    }

    [SlowFact] // trains or reads for over half a minute on two cores: the slow tier keeps the default run short
    public void A_recognizer_records_its_selection_saves_it_and_older_files_load_without_it()
    {
        using var dir = new TempDirectory();
        var selection = new EmnistSelection(WriteData(dir), EmnistSplit.ByMerge, EmnistPart.Test, 0.5);

        using HandwritingRecognizer recognizer = TrainOn(selection);
        Assert.Equal(selection, recognizer.TrainingData);
        recognizer.Save(dir.File("model.hcr"));
        using (HandwritingRecognizer loaded = HandwritingRecognizer.Load(dir.File("model.hcr")))
            Assert.Equal(selection, loaded.TrainingData);
        // The ONNX export carries it too, so that a deployment still knows which images it must not be evaluated on.
        recognizer.ExportOnnx(dir.File("model.onnx"));
        using (HandwritingRecognizer onnx = HandwritingRecognizer.LoadOnnx(dir.File("model.onnx")))
            Assert.Equal(selection, onnx.TrainingData);

        // A file written before recognizers recorded their data: its manifest has no such entry.
        byte[] file = File.ReadAllBytes(dir.File("model.hcr"));
        JsonObject manifest = JsonNode.Parse(ModelFiles.ReadEntry(file, "manifest.json"))!.AsObject();
        Assert.True(manifest.Remove("TrainingData"));
        File.WriteAllBytes(dir.File("older.hcr"), ModelFiles.ReplaceEntry(file, "manifest.json", System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString())));
        using (HandwritingRecognizer older = HandwritingRecognizer.Load(dir.File("older.hcr")))
            Assert.Null(older.TrainingData);

        manifest["TrainingData"] = JsonNode.Parse("""{"Directory":"/x","Split":"NoSuchSplit","Part":"Test","Holdout":0.1,"Seed":1}""");
        File.WriteAllBytes(dir.File("bad.hcr"), ModelFiles.ReplaceEntry(file, "manifest.json", System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString())));
        var e = Assert.Throws<ModelFormatException>(() => HandwritingRecognizer.Load(dir.File("bad.hcr")));
        Assert.Contains("bad.hcr", e.Message);
    }

    [Fact]
    public void Data_not_loaded_through_one_selection_records_none()
    {
        using var dir = new TempDirectory();
        var selection = new EmnistSelection(WriteData(dir), EmnistSplit.ByMerge, EmnistPart.Test, 0.5);
        (EmnistDataset train, EmnistDataset? test) = selection.Load();
        (EmnistDataset otherTrain, _) = new EmnistSelection(selection.Directory, EmnistSplit.ByMerge, EmnistPart.Test, 0.5, seed: 1).Load();

        // The selection's own two sides are recorded; its train side beside another test set, or a subset of it, is not.
        using (HandwritingRecognizer both = Train(train, test))
            Assert.Equal(selection, both.TrainingData);
        using (HandwritingRecognizer mixed = Train(otherTrain, test))
            Assert.Null(mixed.TrainingData);
        using (HandwritingRecognizer subset = Train(train.Subset(Enumerable.Range(0, train.Count / 2).ToArray()), null))
        {
            Assert.Null(subset.TrainingData);
            subset.ExportOnnx(dir.File("subset.onnx"));
            using HandwritingRecognizer onnx = HandwritingRecognizer.LoadOnnx(dir.File("subset.onnx"));
            Assert.Null(onnx.TrainingData);
        }
    }

    [Fact]
    public void Demo_evaluates_on_the_held_out_images_by_default_and_refuses_those_it_trained_on()
    {
        using var dir = new TempDirectory();
        var selection = new EmnistSelection(WriteData(dir), EmnistSplit.ByMerge, EmnistPart.Test, 0.5);
        using (HandwritingRecognizer recognizer = TrainOn(selection))
            recognizer.Save(dir.File("model.hcr"));

        var byDefault = DemoProcess.Run(dir.Path, "evaluate", "-m", "model.hcr", "--device", "cpu");
        Assert.True(byDefault.ExitCode == 0, byDefault.Output + byDefault.Error);
        Assert.Contains("EMNIST ByMerge test part, the 50% held out (seed 2024)", byDefault.Output);

        var whole = DemoProcess.Run(dir.Path, "evaluate", "-m", "model.hcr", "--device", "cpu", "--data", selection.Directory, "--split", "bymerge",
            "--part", "test", "--holdout", "0");
        DemoProcess.AssertOneLineError(whole, "model.hcr was trained on EMNIST ByMerge test part, 50% / 50% stratified split (seed 2024)");
    }

    /// <summary>A ByMerge-named folder with a test part of four synthetic classes, 12 images each.</summary>
    private static string WriteData(TempDirectory dir)
    {
        string data = dir.File("emnist");
        Directory.CreateDirectory(data);
        EmnistFiles.WriteSplit(data, "bymerge", SyntheticGlyphs.Create(4), SyntheticGlyphs.Create(12, seed: 3));
        return data;
    }

    private static HandwritingRecognizer TrainOn(EmnistSelection selection) =>
        HandwritingRecognizer.Create().WithData(selection).WithTrainerOptions(TrainerFixture.Quick(epochs: 1)).Train();

    private static HandwritingRecognizer Train(EmnistDataset train, EmnistDataset? test) =>
        HandwritingRecognizer.Create().WithData(train, test).WithTrainerOptions(TrainerFixture.Quick(epochs: 1)).Train();
}
