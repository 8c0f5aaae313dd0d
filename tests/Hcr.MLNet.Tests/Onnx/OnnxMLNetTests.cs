using Hcr.MLNet.Onnx;
using Hcr.MLNet.Onnx.Proto;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Tests.Training;
using Hcr.MLNet.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hcr.MLNet.Tests.Onnx;

/// <summary>
/// A trained seed network on synthetic glyphs (two short epochs), exported once for the tests that need a trained model;
/// trained by the first test that asks, so that a class whose tests are skipped (the slow tier) costs nothing.
/// </summary>
public sealed class SyntheticOnnxFixture : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly Lazy<HandwritingCnnTransformer> _torch;
    private readonly string _onnxPath;

    public SyntheticOnnxFixture()
    {
        _onnxPath = _dir.File("seed.onnx");
        _torch = new(() =>
        {
            HandwritingCnnOptions options = TrainerFixture.Quick(epochs: 2);
            options.TestTimeRotations = []; // the plain graph, checked node by node below; OnnxExportTests covers the views
            HandwritingCnnTransformer torch = TrainerFixture.Train(options);
            torch.ExportOnnx(_onnxPath);
            return torch;
        });
    }

    public HandwritingCnnTransformer Torch => _torch.Value;

    /// <summary>The export of <see cref="Torch"/>, written when the network is trained.</summary>
    public string OnnxPath
    {
        get
        {
            _ = _torch.Value; // the file is written when the network is trained
            return _onnxPath;
        }
    }

    public void Dispose()
    {
        if (_torch.IsValueCreated)
            _torch.Value.Dispose();
        _dir.Dispose();
    }
}

/// <summary>
/// The trained seed network against its ONNX export, and <see cref="OnnxCnnModel"/> as an ML.NET
/// transformer: schema, Evaluate, MapKeyToValue, PredictionEngine.
/// </summary>
public class OnnxMLNetTests(SyntheticOnnxFixture fixture) : IClassFixture<SyntheticOnnxFixture>
{
    private sealed class Input
    {
        [VectorType(784)]
        public float[] Pixels { get; set; } = [];
    }

    private sealed class Prediction
    {
        public string PredictedCharacter { get; set; } = "";

        public float[] Score { get; set; } = [];
    }

    private sealed class Collisions
    {
        [VectorType(784)]
        public float[] Image { get; set; } = [];

        [ColumnName("pixels")]
        public string OtherPixels { get; set; } = "";

        [ColumnName("probabilities")]
        public float Probabilities { get; set; }
    }

    [SlowFact]
    public void Seed_network_exports_and_ONNX_Runtime_matches_TorchSharp()
    {
        using OnnxCnnModel onnx = OnnxCnnModel.Load(fixture.OnnxPath);
        var test = SyntheticGlyphs.Create(100, seed: 42);
        OnnxTestSupport.Parity parity = OnnxTestSupport.Compare(fixture.Torch, onnx, OnnxTestSupport.Pixels(test, test.Count), test.Count);
        Assert.True(parity.Agreement >= 0.999, parity.ToString());
        Assert.True(parity.MaxDifference < 1e-4, parity.ToString());

        ModelProto proto = OnnxTestSupport.ReadModel(fixture.OnnxPath);
        Assert.Equal(["Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool", "Flatten", "Gemm", "Relu", "Gemm", "Softmax", "ArgMax"],
            proto.Graph.Node.Select(n => n.OpType));
        Assert.Equal(["conv1", "relu1", "pool1", "conv2", "relu2", "pool2", "flatten", "dense", "relu3", "output", "probabilities", "predicted_class"],
            proto.Graph.Node.Select(n => n.Name));
        Assert.Equal("seed", onnx.Architecture);
    }

    [SlowFact]
    public void Transform_adds_the_same_columns_as_the_TorchSharp_transformer_and_Evaluate_agrees()
    {
        var ml = new MLContext(seed: 1);
        (IDataView test, _) = TrainerFixture.Prepare(ml, SyntheticGlyphs.Create(50, seed: 77));
        using OnnxCnnModel onnx = OnnxCnnModel.Load(fixture.OnnxPath, ml);

        IDataView fromOnnx = onnx.Transform(test);
        IDataView fromTorch = fixture.Torch.Transform(test);
        Assert.Equal(fromTorch.Schema.Select(c => (c.Name, c.Type.ToString())), fromOnnx.Schema.Select(c => (c.Name, c.Type.ToString())));
        VBuffer<ReadOnlyMemory<char>> slots = default, keys = default;
        fromOnnx.Schema["Score"].GetSlotNames(ref slots);
        fromOnnx.Schema["PredictedLabel"].GetKeyValues(ref keys);
        Assert.Equal(fixture.Torch.ClassNames, slots.DenseValues().Select(s => s.ToString()));
        Assert.Equal(fixture.Torch.ClassNames, keys.DenseValues().Select(s => s.ToString()));

        MulticlassClassificationMetrics onnxMetrics = ml.MulticlassClassification.Evaluate(fromOnnx);
        MulticlassClassificationMetrics torchMetrics = ml.MulticlassClassification.Evaluate(fromTorch);
        Assert.Equal(torchMetrics.MicroAccuracy, onnxMetrics.MicroAccuracy);
        Assert.Equal(torchMetrics.MacroAccuracy, onnxMetrics.MacroAccuracy);
        Assert.Equal(torchMetrics.LogLoss, onnxMetrics.LogLoss, 4);
        Assert.True(onnxMetrics.MicroAccuracy > 0.9, $"accuracy {onnxMetrics.MicroAccuracy}");

        // The OnnxTransformer's per-row scores are the batch API's scores.
        float[][] scores = fromOnnx.GetColumn<float[]>("Score").ToArray();
        float[][] pixels = test.GetColumn<float[]>("Pixels").ToArray();
        for (int i = 0; i < 10; i++)
            Assert.Equal(onnx.Score(pixels[i]), scores[i]);
    }

    [SlowFact]
    public void MapKeyToValue_and_PredictionEngine_work_on_its_output()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticGlyphs.Create(10, seed: 78);
        (IDataView test, _) = TrainerFixture.Prepare(ml, data);
        using OnnxCnnModel onnx = OnnxCnnModel.Load(fixture.OnnxPath, ml);

        var toCharacter = ml.Transforms.Conversion.MapKeyToValue("PredictedCharacter", "PredictedLabel").Fit(onnx.Transform(test));
        string[] predicted = toCharacter.Transform(onnx.Transform(test)).GetColumn<string>("PredictedCharacter").ToArray();
        string[] truth = Enumerable.Range(0, data.Count).Select(i => data.GetCharacter(i).ToString()).ToArray();
        Assert.True(predicted.Zip(truth).Count(p => p.First == p.Second) >= 0.9 * truth.Length, string.Join("", predicted));

        ITransformer chain = ml.Transforms.Expression("Pixels", "x => x / 255", "Pixels").Fit(ml.Data.LoadFromEnumerable<Input>([]))
            .Append(onnx)
            .Append(toCharacter);
        using PredictionEngine<Input, Prediction> engine = ml.Model.CreatePredictionEngine<Input, Prediction>(chain);
        for (int i = 0; i < data.Count; i++)
        {
            float[] raw = data.GetImage(i).ToArray().Select(b => (float)b).ToArray();
            Prediction p = engine.Predict(new Input { Pixels = raw });
            Assert.Equal(predicted[i], p.PredictedCharacter);
            Assert.Equal(onnx.Score(raw.Select(v => v / 255).ToArray()), p.Score);
        }
    }

    [SlowFact]
    public void Input_columns_named_like_the_ONNX_values_are_kept_and_another_pixels_column_can_be_read()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticGlyphs.Create(3, seed: 79);
        float[] pixels = OnnxTestSupport.Pixels(data, data.Count);
        Collisions[] rows = Enumerable.Range(0, data.Count)
            .Select(i => new Collisions { Image = pixels[(i * 784)..((i + 1) * 784)], OtherPixels = $"row {i}", Probabilities = i })
            .ToArray();
        IDataView input = ml.Data.LoadFromEnumerable(rows);
        using OnnxCnnModel onnx = OnnxCnnModel.Load(fixture.OnnxPath, ml, pixelsColumnName: "Image");
        Assert.Equal("Image", onnx.PixelsColumnName);

        IDataView scored = onnx.Transform(input);
        Assert.Equal(["Image", "pixels", "probabilities", "Score", "PredictedLabel"], scored.Schema.Select(c => c.Name));
        Assert.Equal(rows.Select(r => r.OtherPixels), scored.GetColumn<string>("pixels"));
        Assert.Equal(rows.Select(r => r.Probabilities), scored.GetColumn<float>("probabilities"));
        float[][] scores = scored.GetColumn<float[]>("Score").ToArray();
        for (int i = 0; i < rows.Length; i++)
            Assert.Equal(onnx.Score(rows[i].Image), scores[i]);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => OnnxCnnModel.Load(fixture.OnnxPath, ml).Transform(input));
        Assert.Contains("'Pixels'", e.Message, StringComparison.Ordinal);
    }

    [SlowFact]
    public void Batch_scoring_checks_its_buffers_and_pixels()
    {
        using OnnxCnnModel onnx = OnnxCnnModel.Load(fixture.OnnxPath);
        var data = SyntheticGlyphs.Create(150, seed: 80); // 600 images: three ONNX Runtime calls of up to 256
        float[] pixels = OnnxTestSupport.Pixels(data, data.Count);
        var all = new float[data.Count * onnx.ClassCount];
        onnx.Score(pixels, data.Count, all);
        for (int i = 0; i < data.Count; i += 97)
            Assert.Equal(onnx.Score(pixels.AsSpan(i * 784, 784)), all.AsSpan(i * onnx.ClassCount, onnx.ClassCount).ToArray());

        Assert.Throws<ArgumentException>(() => onnx.Score(pixels.AsSpan(0, 783)));
        Assert.Throws<ArgumentException>(() => onnx.Score(pixels, 2, new float[onnx.ClassCount]));
        Assert.Throws<ArgumentException>(() => onnx.Score(pixels.AsSpan(0, 784), 2, new float[2 * onnx.ClassCount]));
        float[] unscaled = pixels[..784].Select(v => v * 255).ToArray();
        var e = Assert.Throws<InvalidDataException>(() => onnx.Score(unscaled));
        Assert.Contains("0..1", e.Message, StringComparison.Ordinal);

        onnx.Dispose();
        Assert.Throws<ObjectDisposedException>(() => onnx.Score(pixels.AsSpan(0, 784)));
    }
}
