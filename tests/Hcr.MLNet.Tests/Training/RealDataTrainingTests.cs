using Hcr.MLNet.Data;
using Hcr.MLNet.Native;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Training;
using Microsoft.ML;

namespace Hcr.MLNet.Tests.Training;

/// <summary>The Standard network on real EMNIST images (ByMerge, 47 classes; see <see cref="DataFactAttribute"/>).</summary>
public class RealDataTrainingTests
{
    [DataFact(SharedDataSet.Emnist)]
    public void Standard_network_learns_real_handwriting_in_a_short_run()
    {
        var all = EmnistDataset.Load(SharedData.EmnistDirectory, EmnistSplit.ByMerge, EmnistPart.Test);
        var (train, test) = all.Split(0.9, seed: 2024);
        train = train.Subset(Enumerable.Range(0, 4000).ToArray());
        test = test.Subset(Enumerable.Range(0, 2000).ToArray());

        var ml = new MLContext(seed: 1);
        var options = new HandwritingCnnOptions { Epochs = 3, Device = ComputeDevice.Cpu, ValidationFraction = 0 };
        var model = SyntheticGlyphs.Preprocessing(ml)
            .Append(ml.MulticlassClassification.Trainers.HandwritingCnn(options))
            .Fit(train.ToDataView(ml));
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test.ToDataView(ml)));

        // Chance is about 2% for 47 classes; a few thousand images and three epochs reach far above it.
        Assert.True(metrics.MicroAccuracy > 0.6, $"accuracy {metrics.MicroAccuracy:P1}");
        Assert.True(metrics.MacroAccuracy > 0.5, $"macro accuracy {metrics.MacroAccuracy:P1}");
    }
}
