using Hcr.MLNet.Data;
using Hcr.MLNet.Networks;
using Hcr.MLNet.Native;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Training;
using Microsoft.ML;

namespace Hcr.MLNet.Tests.Training;

/// <summary>Helpers that train small networks quickly on synthetic glyphs.</summary>
internal static class TrainerFixture
{
    /// <summary>Fast settings: the seed network (no batch norm, quick on 28×28), few epochs, CPU, one thread.</summary>
    public static HandwritingCnnOptions Quick(int epochs = 3) => new()
    {
        Architecture = CnnArchitecture.Seed,
        Epochs = epochs,
        BatchSize = 32,
        LearningRate = 0.002,
        Optimizer = OptimizerKind.Adam,
        LearningRateSchedule = LearningRateSchedule.Constant,
        WeightDecay = 0,
        LabelSmoothing = 0,
        Augmentation = AugmentationLevel.None,
        Sampling = ClassSampling.Natural,
        ValidationFraction = 0,
        Device = ComputeDevice.Cpu,
        Threads = 1,
    };

    /// <summary>Preprocessed (key label, scaled pixels) view of <paramref name="data"/>, with the fitted preprocessing.</summary>
    public static (IDataView View, ITransformer Preprocessing) Prepare(MLContext ml, EmnistDataset data)
    {
        IDataView raw = data.ToDataView(ml);
        ITransformer preprocessing = SyntheticGlyphs.Preprocessing(ml).Fit(raw);
        return (preprocessing.Transform(raw), preprocessing);
    }

    public static HandwritingCnnTransformer Train(HandwritingCnnOptions options, EmnistDataset? data = null, MLContext? ml = null)
    {
        ml ??= new MLContext(seed: 1);
        (IDataView view, _) = Prepare(ml, data ?? SyntheticGlyphs.Create(60));
        return ml.MulticlassClassification.Trainers.HandwritingCnn(options).Fit(view);
    }

    /// <summary>All weights and buffers of a transformer's network, flattened, by name.</summary>
    public static Dictionary<string, float[]> Weights(HandwritingCnnTransformer model) =>
        model.Network.state_dict().ToDictionary(p => p.Key, p => p.Value.to_type(TorchSharp.torch.ScalarType.Float32).cpu().data<float>().ToArray());
}
