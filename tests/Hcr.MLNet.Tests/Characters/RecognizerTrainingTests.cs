using Hcr.MLNet.Data;
using Hcr.MLNet.Networks;
using Hcr.MLNet.Native;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Training;
using Microsoft.ML;

namespace Hcr.MLNet.Tests.Characters;

public class RecognizerTrainingTests
{
    [SlowFact]
    public void One_call_training_uses_the_split_files_in_the_data_folder()
    {
        using var dir = new TempDirectory();
        EmnistFiles.WriteSplit(dir.Path, "digits", SyntheticGlyphs.Create(40, "HVDO"), SyntheticGlyphs.Create(10, "HVDO", seed: 4));
        var progress = new RecordingProgress<TrainingProgress>();

        using HandwritingRecognizer recognizer = HandwritingRecognizer.Train(new RecognizerTrainingOptions
        {
            DataDirectory = dir.Path,
            Split = EmnistSplit.Digits,
            Download = false,
            Architecture = CnnArchitecture.Seed,
            Epochs = 2,
            Device = ComputeDevice.Cpu,
            Progress = progress,
        });

        Assert.Equal("HVDO", new string(recognizer.Classes.ToArray()));
        Assert.Equal(40, recognizer.TestEvaluation!.Count);
        Assert.Contains(progress.Reports, r => r.CompletedEpoch?.Epoch == 2);
    }

    [SlowFact]
    public void One_call_training_without_data_and_without_download_names_the_folder()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<FileNotFoundException>(() => HandwritingRecognizer.Train(new RecognizerTrainingOptions
        {
            DataDirectory = dir.Path,
            Download = false,
        }));
        Assert.Contains(dir.Path, e.Message);
        Assert.Contains("emnist-balanced-train-images-idx3-ubyte.gz", e.FileName);
    }

    [SlowFact]
    public void Holdout_of_one_part_trains_and_evaluates_on_disjoint_stratified_sets()
    {
        using var dir = new TempDirectory();
        EmnistFiles.WriteSplit(dir.Path, "digits", SyntheticGlyphs.Create(10, "HVDO"), SyntheticGlyphs.Create(50, "HVDO", seed: 4));
        using HandwritingRecognizer recognizer = HandwritingRecognizer.Create()
            .WithData(dir.Path, EmnistSplit.Digits, EmnistPart.Test, holdout: 0.2)
            .WithTrainerOptions(o => { o.Architecture = CnnArchitecture.Seed; o.ValidationFraction = 0; })
            .WithEpochs(1)
            .OnDevice(ComputeDevice.Cpu)
            .Train();
        Assert.Equal(40, recognizer.TestEvaluation!.Count); // 20% of the 200 test images
        Assert.Single(recognizer.History);
    }

    [DataFact(SharedDataSet.Emnist)]
    public void Recognizer_accuracy_equals_the_trainers_on_real_emnist()
    {
        var all = EmnistDataset.Load(SharedData.EmnistDirectory, EmnistSplit.ByMerge, EmnistPart.Test);
        var (train, dev) = all.Split(0.9, seed: 2024);
        train = train.Subset(Enumerable.Range(0, 3000).ToArray());
        dev = dev.Subset(Enumerable.Range(0, 1500).ToArray());
        using HandwritingRecognizer recognizer = HandwritingRecognizer.Create()
            .WithData(train, dev)
            .WithEpochs(2)
            .OnDevice(ComputeDevice.Cpu)
            .WithTrainerOptions(o => o.ValidationFraction = 0)
            .Train();

        // The trainer's own view: its transformer on key labels (keys in the network's class order) and
        // scaled pixels, scored by ML.NET's evaluator.
        var ml = new MLContext();
        IDataView keyData = ml.Data.LoadFromEnumerable(recognizer.Network!.ClassNames.Select(c => new { Label = c }).ToList());
        IDataView keyed = ml.Transforms.Conversion.MapValueToKey("Label", keyData: keyData).Fit(keyData).Transform(dev.ToDataView(ml));
        IDataView scaled = ml.Transforms.Expression("Pixels", "x => x / 255", "Pixels").Fit(keyed).Transform(keyed);
        var trainerMetrics = ml.MulticlassClassification.Evaluate(recognizer.Network!.Transform(scaled));

        Assert.Equal(trainerMetrics.MicroAccuracy, recognizer.TestEvaluation!.Accuracy, 9);
        Assert.Equal(trainerMetrics.MacroAccuracy, recognizer.TestEvaluation.MacroAccuracy, 9);
        Assert.True(recognizer.TestEvaluation.Accuracy > 0.5, recognizer.TestEvaluation.ToString());
    }
}
