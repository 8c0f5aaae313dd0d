using Hcr.MLNet.Data;
using Hcr.MLNet.Networks;
using Hcr.MLNet.Native;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Hcr.MLNet.Tests.Characters;

/// <summary>Fine-tuning on tiny synthetic data: a few seconds each on a CPU.</summary>
public class FineTuningTests
{
    private static HandwritingRecognizer TrainBase(string classes, CnnArchitecture architecture, int perClass, int epochs, int batchSize = 32) =>
        HandwritingRecognizer.Create()
            .WithData(SyntheticGlyphs.Create(perClass, classes, seed: 11))
            .WithArchitecture(architecture)
            .WithEpochs(epochs)
            .WithBatchSize(batchSize)
            .WithTrainerOptions(o => o.ValidationFraction = 0)
            .OnDevice(ComputeDevice.Cpu)
            .Train();

    /// <summary>Every tensor of the network (weights and batch-norm statistics), copied to the CPU as floats.</summary>
    private static Dictionary<string, float[]> Snapshot(HandwritingRecognizer recognizer)
    {
        var copy = new Dictionary<string, float[]>();
        foreach ((string name, Tensor tensor) in recognizer.Network!.Network.state_dict())
        {
            using Tensor cpu = tensor.detach().cpu().to_type(ScalarType.Float32);
            copy[name] = cpu.data<float>().ToArray();
        }
        return copy;
    }

    private static void AssertSameTensors(Dictionary<string, float[]> expected, Dictionary<string, float[]> actual, Func<string, bool> which)
    {
        foreach (string name in expected.Keys.Where(which))
            Assert.True(expected[name].SequenceEqual(actual[name]), $"tensor '{name}' changed");
    }

    /// <summary>
    /// Fine-tuning at learning rate 1e6 reached a loss of 7.7e20 unflagged and saved a recognizer that answered one class at
    /// 100% (and did not load again): it stops with TrainingDivergedException in its first epoch, and the base is untouched.
    /// </summary>
    [Fact]
    public void Fine_tuning_at_a_learning_rate_that_diverges_fails_clearly()
    {
        using HandwritingRecognizer weakBase = TrainBase("HVDO", CnnArchitecture.Seed, perClass: 4, epochs: 1, batchSize: 8);
        Dictionary<string, float[]> before = Snapshot(weakBase);

        var e = Assert.Throws<TrainingDivergedException>(() => HandwritingRecognizer.Create()
            .StartingFrom(weakBase)
            .WithEpochs(2)
            .WithBatchSize(8)
            .WithTrainerOptions(o => o.LearningRate = 1e6)
            .WithData(SyntheticGlyphs.Create(6, "HVDO", seed: 21))
            .OnDevice(ComputeDevice.Cpu)
            .Train());

        Assert.Equal(1, e.Epoch);
        Assert.Contains("Lower the learning rate", e.Message, StringComparison.Ordinal);
        AssertSameTensors(before, Snapshot(weakBase), _ => true);
    }

    [SlowFact] // trains or reads for over half a minute on two cores: the slow tier keeps the default run short
    public void Same_classes_start_from_every_weight_and_leave_the_base_unchanged()
    {
        using HandwritingRecognizer weakBase = TrainBase("HVDO", CnnArchitecture.Seed, perClass: 6, epochs: 2, batchSize: 8);
        Dictionary<string, float[]> before = Snapshot(weakBase);
        EmnistDataset mine = SyntheticGlyphs.Create(15, "HVDO", seed: 21);
        EmnistDataset test = SyntheticGlyphs.Create(25, "HVDO", seed: 22);
        double baseAccuracy = weakBase.Evaluate(test).Accuracy;
        Assert.True(baseAccuracy > 0.4, $"the base scores {baseAccuracy:P0}, near chance: the comparison would say nothing");

        using HandwritingRecognizer tuned = HandwritingRecognizer.Create()
            .StartingFrom(weakBase)
            .WithData(mine, test)
            .OnDevice(ComputeDevice.Cpu)
            .Train();

        AssertSameTensors(before, Snapshot(weakBase), _ => true);
        Assert.Equal("HVDO", new string(tuned.Classes.ToArray()));
        Assert.Same(weakBase.Preprocessing, tuned.Preprocessing);
        Assert.Equal(20, tuned.History.Count); // the fine-tuning default
        Assert.True(tuned.TestEvaluation!.Accuracy >= baseAccuracy, $"fine-tuned {tuned.TestEvaluation.Accuracy:P1} < base {baseAccuracy:P1}");
    }

    [SlowFact] // the Standard network (it has batch norm, whose statistics must stay frozen too): about a minute on two busy cores
    public void New_classes_with_frozen_features_train_only_the_output_layer()
    {
        // Enough steps (about 50) for batch norm's running statistics to settle: with a handful, the base scores at
        // chance in evaluation mode, and frozen features would carry nothing to learn from.
        using HandwritingRecognizer twoClasses = TrainBase("HV", CnnArchitecture.Standard, perClass: 40, epochs: 5, batchSize: 8);
        Assert.True(twoClasses.Evaluate(SyntheticGlyphs.Create(30, "HV", seed: 32)).Accuracy > 0.9, "the base did not learn H and V");
        Dictionary<string, float[]> baseTensors = Snapshot(twoClasses);

        using HandwritingRecognizer threeClasses = HandwritingRecognizer.Create()
            .StartingFrom(twoClasses, new FineTuningOptions { FreezeFeatures = true })
            .WithBatchSize(8)
            .WithData(SyntheticGlyphs.Create(15, "HVD", seed: 31), SyntheticGlyphs.Create(30, "HVD", seed: 32))
            .OnDevice(ComputeDevice.Cpu)
            .Train();

        Dictionary<string, float[]> tuned = Snapshot(threeClasses);
        AssertSameTensors(baseTensors, tuned, name => !name.StartsWith("output.", StringComparison.Ordinal));
        AssertSameTensors(baseTensors, Snapshot(twoClasses), _ => true);
        Assert.Equal(3 * 256, tuned["output.weight"].Length);
        Assert.False(baseTensors["output.weight"].SequenceEqual(tuned["output.weight"].Take(2 * 256)), "the head did not train");
        Assert.Equal("HVD", new string(threeClasses.Classes.ToArray()));
        double newClassAccuracy = threeClasses.TestEvaluation!.PerClassAccuracy['D'];
        Assert.True(newClassAccuracy > 1.0 / 3, $"the new class D is recognised {newClassAccuracy:P0} of the time, not above chance");
        Assert.True(threeClasses.TestEvaluation.MacroAccuracy > 2.0 / 3, $"macro accuracy {threeClasses.TestEvaluation.MacroAccuracy:P0}: the head did not learn all three classes");
    }

    [Fact]
    public void Fine_tuning_writes_its_starting_values_to_the_builder_options_and_keeps_the_architecture()
    {
        using HandwritingRecognizer seedBase = TrainBase("HV", CnnArchitecture.Seed, perClass: 4, epochs: 1);

        HandwritingCnnOptions defaults = HandwritingRecognizer.Create().StartingFrom(seedBase).BuildOptions();
        Assert.Same(CnnArchitecture.Seed, defaults.Architecture);
        Assert.Equal((20, 32, 3e-4), (defaults.Epochs, defaults.BatchSize, defaults.LearningRate));
        Assert.Equal(0, defaults.ValidationFraction);
        Assert.Equal(3e-3, HandwritingRecognizer.Create().StartingFrom(seedBase, new FineTuningOptions { FreezeFeatures = true }).BuildOptions().LearningRate);

        HandwritingCnnOptions chosen = HandwritingRecognizer.Create()
            .StartingFrom(seedBase)
            .WithEpochs(7)
            .WithTrainerOptions(o => o.LearningRate = 0.01)
            .WithBatchSize(8)
            .BuildOptions();
        Assert.Equal((7, 0.01, 8), (chosen.Epochs, chosen.LearningRate, chosen.BatchSize));

        Assert.Throws<ArgumentException>(() =>
            HandwritingRecognizer.Create().StartingFrom(seedBase).WithArchitecture(CnnArchitecture.Standard).BuildOptions());

        // Its starting values would overwrite a setting given before it: an error, not a silent loss.
        var e = Assert.Throws<InvalidOperationException>(() => HandwritingRecognizer.Create().WithEpochs(7).StartingFrom(seedBase));
        Assert.Contains("StartingFrom", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_onnx_recognizer_cannot_be_fine_tuned()
    {
        using var dir = new TempDirectory();
        using (HandwritingRecognizer trained = TrainBase("HV", CnnArchitecture.Seed, perClass: 4, epochs: 1))
            trained.ExportOnnx(dir.File("model.onnx"));
        using HandwritingRecognizer onnx = HandwritingRecognizer.LoadOnnx(dir.File("model.onnx"));

        var e = Assert.Throws<NotSupportedException>(() => HandwritingRecognizer.Create().StartingFrom(onnx));
        Assert.Contains("ONNX", e.Message);
    }
}
