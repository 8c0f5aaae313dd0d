using System.Globalization;
using Hcr.MLNet.IO;
using Hcr.MLNet.Tests.Onnx;
using Hcr.MLNet.Tests.TestSupport;
using SkiaSharp;

namespace Hcr.MLNet.Tests.Characters;

/// <summary>A recognizer exported to ONNX and loaded back runs on ONNX Runtime with the same answers.</summary>
public class RecognizerOnnxTests(RecognizerFixture fixture) : IClassFixture<RecognizerFixture>
{
    [SlowFact]
    public void Onnx_recognizer_predicts_and_evaluates_like_the_TorchSharp_one()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.onnx");
        fixture.Recognizer.ExportOnnx(path);
        using HandwritingRecognizer onnx = HandwritingRecognizer.LoadOnnx(path);

        Assert.Null(onnx.Network);
        Assert.Empty(onnx.History);
        Assert.Equal(fixture.Recognizer.Classes, onnx.Classes);
        Assert.Equivalent(fixture.Recognizer.Preprocessing, onnx.Preprocessing);
        Assert.Equal(fixture.Recognizer.Evaluate(fixture.Test).Accuracy, onnx.Evaluate(fixture.Test).Accuracy, 9);

        var random = new Random(4);
        for (int i = 0; i < 6; i++)
        {
            byte[] photo = PhotoRenderer.Render(fixture.Test.GetImage(i), random, SKEncodedImageFormat.Png);
            CharacterPrediction a = fixture.Recognizer.Predict(photo), b = onnx.Predict(photo);
            Assert.Equal(a.Character, b.Character);
            Assert.Equal(a.Probabilities, b.Probabilities, (x, y) => Math.Abs(x - y) < 1e-4);
            CharacterPrediction tile = onnx.PredictTile(fixture.Test.GetImage(i));
            Assert.Equal(fixture.Recognizer.PredictTile(fixture.Test.GetImage(i)).Character, tile.Character);
        }

        Assert.Throws<NotSupportedException>(() => onnx.Save(dir.File("again.hcr")));
        Assert.Throws<NotSupportedException>(() => onnx.ExportOnnx(dir.File("again.onnx")));
    }

    [SlowFact]
    public void A_process_without_TorchSharp_loads_the_recognizer_and_reads_a_photo()
    {
        using var dir = new TempDirectory();
        string model = dir.File("model.onnx"), image = dir.File("photo.png");
        fixture.Recognizer.ExportOnnx(model);
        File.WriteAllBytes(image, PhotoRenderer.Render(fixture.Test.GetImage(2), new Random(8), SKEncodedImageFormat.Png));

        OnnxProbe.Result result = OnnxProbe.Run(model, image);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("none", result["torchsharp-assemblies"]);
        Assert.Equal("none", result["torch-libraries-mapped"]);
        CharacterPrediction expected = fixture.Recognizer.Predict(image);
        Assert.Equal(expected.Character.ToString(), result["recognizer-predicted"]);
        float[] probabilities = result["recognizer-probabilities"].Split(' ').Select(p => float.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(expected.Probabilities, probabilities, (x, y) => Math.Abs(x - y) < 1e-4);
    }

    [SlowFact]
    public void A_damaged_onnx_file_is_refused()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.onnx");
        File.WriteAllText(path, "not onnx");
        Assert.Throws<ModelFormatException>(() => HandwritingRecognizer.LoadOnnx(path));
        Assert.Throws<FileNotFoundException>(() => HandwritingRecognizer.LoadOnnx(dir.File("absent.onnx")));
    }
}
