using Hcr.MLNet.Data;
using Hcr.MLNet.IO;
using Hcr.MLNet.Networks;
using Hcr.MLNet.Native;
using Hcr.MLNet.Onnx;
using Hcr.MLNet.Training;
using Microsoft.ML;
using Microsoft.ML.Transforms;

namespace Hcr.MLNet.Benchmarks.Onnx;

/// <summary>
/// One Standard network for the ONNX benchmarks, trained briefly on real EMNIST (ByMerge test part, the
/// local protocol's 90% split: 3,000 images, 2 epochs, CPU) the first time, then saved in both formats
/// under BenchmarkDotNet.Artifacts/models so that every benchmark process loads the very same weights:
/// the TorchSharp model (.hcr) and its ONNX export. Also the first 1,024 images of the held-out 10%.
/// </summary>
internal static class OnnxBenchmarkModel
{
    public const int Images = 1024;

    public static (HandwritingCnnTransformer Torch, OnnxCnnModel Onnx, float[] Pixels) Load()
    {
        TorchRuntime.EnsureInitialized();
        TorchRuntime.SetThreads(null);
        var all = EmnistDataset.Load(BenchmarkData.EmnistDirectory, EmnistSplit.ByMerge, EmnistPart.Test);
        var (train, test) = all.Split(0.9, seed: 2024);

        string directory = Path.Combine(BenchmarkData.ArtifactsDirectory, "models");
        string torchPath = Path.Combine(directory, "standard-bymerge-3000x2.hcr");
        string onnxPath = Path.ChangeExtension(torchPath, ".onnx");
        HandwritingCnnTransformer? torch = null;
        OnnxCnnModel? onnx = null;
        if (File.Exists(torchPath) && File.Exists(onnxPath))
        {
            try
            {
                torch = HandwritingCnnTransformer.Load(torchPath, ComputeDevice.Cpu);
                onnx = OnnxCnnModel.Load(onnxPath);
            }
            catch (ModelFormatException)
            {
                // Saved by another version of the network or of the formats: train again below.
                torch?.Dispose();
                torch = null;
            }
        }
        if (torch is null || onnx is null)
        {
            torch = Train(train);
            torch.Save(torchPath);
            torch.ExportOnnx(onnxPath);
            onnx = OnnxCnnModel.Load(onnxPath);
        }

        var pixels = new float[Images * EmnistDataset.PixelsPerImage];
        for (int i = 0; i < Images; i++)
        {
            ReadOnlySpan<byte> image = test.GetImage(i);
            for (int p = 0; p < image.Length; p++)
                pixels[i * EmnistDataset.PixelsPerImage + p] = image[p] / 255f;
        }
        return (torch, onnx, pixels);
    }

    private static HandwritingCnnTransformer Train(EmnistDataset train)
    {
        var ml = new MLContext(seed: 1);
        IDataView view = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(ml.Transforms.Expression("Pixels", "x => x / 255", "Pixels"))
            .Fit(train.ToDataView(ml)).Transform(train.Subset(Enumerable.Range(0, 3000).ToArray()).ToDataView(ml));
        var options = new HandwritingCnnOptions
        {
            Architecture = CnnArchitecture.Standard, Epochs = 2, Device = ComputeDevice.Cpu, ValidationFraction = 0,
            Augmentation = AugmentationLevel.None,
        };
        return ml.MulticlassClassification.Trainers.HandwritingCnn(options).Fit(view);
    }
}
