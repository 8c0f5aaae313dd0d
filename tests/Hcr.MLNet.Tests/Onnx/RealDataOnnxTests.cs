using Hcr.MLNet.Data;
using Hcr.MLNet.Networks;
using Hcr.MLNet.Native;
using Hcr.MLNet.Onnx;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;

namespace Hcr.MLNet.Tests.Onnx;

/// <summary>
/// The Standard network trained briefly on real EMNIST images (ByMerge test part, the local protocol's
/// 90% split: 3,000 images, 2 epochs, CPU) and exported once; 2,000 images of the other 10% to score.
/// Built by the first test that asks, not in the constructor: without the data the tests are skipped (or fail with what
/// is missing), and a fixture that threw in its constructor would fail them all with a message about the fixture.
/// </summary>
public sealed class RealOnnxFixture : IDisposable
{
    public const int TestImages = 2000;

    private readonly Lazy<Trained> _trained = new(() => new Trained());

    public MLContext Ml => _trained.Value.Ml;

    public ITransformer Preprocessing => _trained.Value.Preprocessing;

    public HandwritingCnnTransformer Torch => _trained.Value.Torch;

    public EmnistDataset Test => _trained.Value.Test;

    public float[] Pixels => _trained.Value.Pixels;

    public string OnnxPath => _trained.Value.OnnxPath;

    public void Dispose()
    {
        if (_trained.IsValueCreated)
            _trained.Value.Dispose();
    }

    private sealed class Trained : IDisposable
    {
        private readonly TempDirectory _dir = new();

        public Trained()
        {
            var all = EmnistDataset.Load(SharedData.EmnistDirectory, EmnistSplit.ByMerge, EmnistPart.Test);
            var (train, test) = all.Split(0.9, seed: 2024);
            train = train.Subset(Enumerable.Range(0, 3000).ToArray());
            Test = test.Subset(Enumerable.Range(0, TestImages).ToArray());

            Ml = new MLContext(seed: 1);
            var options = new HandwritingCnnOptions
            {
                Architecture = CnnArchitecture.Standard, Epochs = 2, Device = ComputeDevice.Cpu, ValidationFraction = 0,
                Augmentation = AugmentationLevel.None, // the export, not the accuracy, is under test: spare the CPU
                Threads = 1,
            };
            Preprocessing = SyntheticGlyphs.Preprocessing(Ml).Fit(train.ToDataView(Ml));
            Torch = Ml.MulticlassClassification.Trainers.HandwritingCnn(options).Fit(Preprocessing.Transform(train.ToDataView(Ml)));

            OnnxPath = _dir.File("standard.onnx");
            Torch.ExportOnnx(OnnxPath, new Dictionary<string, string> { ["test.preprocessing"] = "x / 255" });
            Pixels = OnnxTestSupport.Pixels(Test, TestImages);
        }

        public MLContext Ml { get; }

        public ITransformer Preprocessing { get; }

        public HandwritingCnnTransformer Torch { get; }

        public EmnistDataset Test { get; }

        public float[] Pixels { get; }

        public string OnnxPath { get; }

        public void Dispose()
        {
            Torch.Dispose();
            _dir.Dispose();
        }
    }
}

/// <summary>ONNX Runtime against TorchSharp on real handwriting, and the exported file as ONNX Runtime sees it.</summary>
public class RealDataOnnxTests(RealOnnxFixture fixture, ITestOutputHelper output) : IClassFixture<RealOnnxFixture>
{
    [DataFact(SharedDataSet.Emnist)]
    public void ONNX_and_TorchSharp_agree_on_2000_real_images()
    {
        using OnnxCnnModel onnx = OnnxCnnModel.Load(fixture.OnnxPath);
        OnnxTestSupport.Parity parity = OnnxTestSupport.Compare(fixture.Torch, onnx, fixture.Pixels, RealOnnxFixture.TestImages);
        output.WriteLine(parity.ToString());
        Assert.True(parity.Agreement >= 0.999, parity.ToString());
        Assert.True(parity.MaxDifference < 1e-4, parity.ToString());
    }

    [DataFact(SharedDataSet.Emnist)]
    public void MLNet_Evaluate_gives_the_same_accuracy_on_both_paths()
    {
        IDataView test = fixture.Preprocessing.Transform(fixture.Test.ToDataView(fixture.Ml));
        using OnnxCnnModel onnx = OnnxCnnModel.Load(fixture.OnnxPath, fixture.Ml);
        MulticlassClassificationMetrics viaOnnx = fixture.Ml.MulticlassClassification.Evaluate(onnx.Transform(test));
        MulticlassClassificationMetrics viaTorch = fixture.Ml.MulticlassClassification.Evaluate(fixture.Torch.Transform(test));
        output.WriteLine($"accuracy: TorchSharp {viaTorch.MicroAccuracy:P2}, ONNX {viaOnnx.MicroAccuracy:P2}; log-loss {viaTorch.LogLoss:F4} / {viaOnnx.LogLoss:F4}");

        // Chance is about 2% for 47 classes; two short epochs on 3,000 images reach far above it.
        Assert.True(viaTorch.MicroAccuracy > 0.3, $"accuracy {viaTorch.MicroAccuracy:P1}");
        // At most 0.1% of the predictions may differ (the parity test), so the accuracies differ by at most that.
        Assert.True(Math.Abs(viaTorch.MicroAccuracy - viaOnnx.MicroAccuracy) <= 0.001,
            $"TorchSharp {viaTorch.MicroAccuracy:P2}, ONNX {viaOnnx.MicroAccuracy:P2}");
        Assert.Equal(viaTorch.LogLoss, viaOnnx.LogLoss, 3);
        Assert.Equal(viaTorch.ConfusionMatrix.NumberOfClasses, viaOnnx.ConfusionMatrix.NumberOfClasses);
    }

    [DataFact(SharedDataSet.Emnist)]
    public void ONNX_Runtime_reports_the_documented_inputs_outputs_and_metadata()
    {
        using var session = new InferenceSession(fixture.OnnxPath);
        NodeMetadata input = Assert.Single(session.InputMetadata).Value;
        Assert.Equal("pixels", session.InputNames.Single());
        Assert.Equal(typeof(float), input.ElementType);
        Assert.Equal([-1, 1, 28, 28], input.Dimensions);
        Assert.Equal("batch", input.SymbolicDimensions[0]);

        Assert.Equal(["probabilities", "predicted_class"], session.OutputNames);
        Assert.Equal([-1, 47], session.OutputMetadata["probabilities"].Dimensions);
        Assert.Equal(typeof(long), session.OutputMetadata["predicted_class"].ElementType);
        Assert.Equal([-1], session.OutputMetadata["predicted_class"].Dimensions);

        ModelMetadata metadata = session.ModelMetadata;
        Assert.Equal("Hcr.MLNet", metadata.ProducerName);
        Dictionary<string, string> custom = metadata.CustomMetadataMap;
        Assert.Equal("standard", custom[OnnxMetadataKeys.Architecture]);
        Assert.Equal("1", custom[OnnxMetadataKeys.FormatVersion]);
        Assert.Equal("x / 255", custom["test.preprocessing"]);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(fixture.Torch.ClassNames), custom[OnnxMetadataKeys.Classes]);
        Assert.Equal(17, OnnxTestSupport.ReadModel(fixture.OnnxPath).OpsetImport.Single().Version);

        // predicted_class is the arg-max of probabilities.
        var first = new float[784 * 4];
        fixture.Pixels.AsSpan(0, first.Length).CopyTo(first);
        using OrtValue pixels = OrtValue.CreateTensorValueFromMemory(first, [4, 1, 28, 28]);
        using var options = new RunOptions();
        using IDisposableReadOnlyCollection<OrtValue> results = session.Run(options, ["pixels"], [pixels], ["probabilities", "predicted_class"]);
        ReadOnlySpan<float> probabilities = results[0].GetTensorDataAsSpan<float>();
        ReadOnlySpan<long> predicted = results[1].GetTensorDataAsSpan<long>();
        for (int i = 0; i < 4; i++)
            Assert.Equal(Hcr.MLNet.Scoring.ClassScores.ArgMax(probabilities.Slice(i * 47, 47)), predicted[i]);
    }

    [DataFact(SharedDataSet.Emnist)]
    public void Child_process_without_TorchSharp_scores_the_model_and_ONNX_Runtime_logs_no_warning()
    {
        OnnxProbe.Result result = OnnxProbe.Run(fixture.OnnxPath);
        output.WriteLine(result.ToString());
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("none", result["torchsharp-assemblies"]);
        Assert.Equal("none", result["torch-libraries-mapped"]);
        Assert.Equal("none", result["torch-files-in-app-folder"]);
        Assert.Equal("True", result["onnxruntime-mapped"]);
        Assert.Equal("47", result["classes"]);
        Assert.Equal("1.0000", result["probability-sum"]);
        Assert.Equal(result["predicted"], result["mlnet-predicted"]);
        Assert.Contains(result["predicted"], fixture.Torch.ClassNames);

        // ONNX Runtime's log was captured (the hook works) and holds nothing at warning level or above.
        Assert.True(int.Parse(result["ort-messages"], System.Globalization.CultureInfo.InvariantCulture) > 0, result.ToString());
        Assert.True(result["ort-warnings"] == "0", result.ToString());

        Assert.Equal("pixels Float [batch, 1, 28, 28]", result["input"]);
        Assert.Equal(["probabilities Float [batch, 47]", "predicted_class Int64 [batch]"], result.All("output"));
        Assert.Equal("Hcr.MLNet", result["producer"]);
        Assert.Contains(result.All("metadata"), m => m == "hcr.architecture=standard");
    }
}
