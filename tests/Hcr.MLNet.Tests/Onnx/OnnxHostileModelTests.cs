using System.Diagnostics;
using System.Text.Json;
using Google.Protobuf;
using Hcr.MLNet.Imaging;
using Hcr.MLNet.IO;
using Hcr.MLNet.Models;
using Hcr.MLNet.Native;
using Hcr.MLNet.Onnx;
using Hcr.MLNet.Onnx.Proto;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Training;

namespace Hcr.MLNet.Tests.Onnx;

/// <summary>
/// Damaged and hostile ONNX files: each is refused at load with a <see cref="ModelFormatException"/> naming the file,
/// before ONNX Runtime allocates or computes anything for it.
/// </summary>
public sealed class OnnxHostileModelTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _good;

    public OnnxHostileModelTests()
    {
        TorchRuntime.EnsureInitialized();
        _good = _dir.File("good.onnx");
        using HandwritingCnnTransformer model = OnnxTestSupport.Wrap(CnnArchitecture.Seed.CreateNetwork(3), CnnArchitecture.Seed, 3);
        model.ExportOnnx(_good);
    }

    public void Dispose() => _dir.Dispose();

    private static ModelFormatException Refused(string path, string expected)
    {
        var e = Assert.Throws<ModelFormatException>(() => OnnxCnnModel.Load(path));
        Assert.Equal(path, e.Source);
        Assert.Contains(expected, e.Problem, StringComparison.Ordinal);
        return e;
    }

    private string Write(string name, ModelProto model)
    {
        OnnxFormat.Seal(model);
        string path = _dir.File(name);
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    // ------------------------------------------------------------ files that are not models

    [Fact]
    public void Dev_zero_is_refused_quickly_after_reading_no_more_than_a_model_can_hold()
    {
        // Warm up what the first load initialises (ONNX Runtime, ML.NET), so that only the read is measured.
        Assert.Throws<ModelFormatException>(() => HandwritingRecognizer.LoadOnnx(_dir.Path));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<ModelFormatException>(() => HandwritingRecognizer.LoadOnnx("/dev/zero"));
        watch.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal("/dev/zero", e.Source);
        Assert.Contains("larger than an Hcr.MLNet ONNX model can be", e.Problem, StringComparison.Ordinal);
        Assert.True(allocated < 256L << 20, $"{allocated:N0} bytes allocated");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
    }

    [Fact]
    public void A_file_larger_than_any_model_is_refused_by_its_size()
    {
        string path = _dir.File("huge.onnx");
        using (var stream = new FileStream(path, FileMode.CreateNew))
            stream.SetLength(ModelFormats.MaxOnnxBytes + 1); // sparse: no disk used
        long before = GC.GetAllocatedBytesForCurrentThread();
        ModelFormatException e = Refused(path, "larger than an Hcr.MLNet ONNX model can be");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16L << 20);
        Assert.Contains($"{ModelFormats.MaxOnnxBytes + 1:N0} bytes", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_is_not_a_model_file()
    {
        Refused(_dir.Path, "is a directory");
        var e = Assert.Throws<ModelFormatException>(() => HandwritingRecognizer.LoadOnnx(_dir.Path));
        Assert.Equal(_dir.Path, e.Source);
    }

    // ------------------------------------------------------------ a recognizer's damaged metadata

    public static TheoryData<string> DamagedPreprocessing =>
    [
        JsonSerializer.Serialize(new InkNormalizationOptions { AnalysisSize = 1 }),
        """{"Polarity": 7}""",
        """{"Centering": -1}""",
        """{"BlurSigma": 1e300}""",
    ];

    [Theory]
    [MemberData(nameof(DamagedPreprocessing))]
    public void A_recognizer_with_damaged_preprocessing_settings_is_a_format_error(string json)
    {
        string path = _dir.File("recognizer.onnx");
        using (HandwritingCnnTransformer model = OnnxTestSupport.Wrap(CnnArchitecture.Seed.CreateNetwork(3), CnnArchitecture.Seed, 3))
            model.ExportOnnx(path, new Dictionary<string, string> { [HandwritingRecognizer.PreprocessingMetadataKey] = json });
        var e = Assert.Throws<ModelFormatException>(() => HandwritingRecognizer.LoadOnnx(path));
        Assert.Equal(path, e.Source);
        Assert.Contains("preprocessing settings are damaged", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_recognizer_whose_classes_are_not_characters_is_a_format_error()
    {
        ModelProto model = OnnxTestSupport.ReadModel(_good);
        model.MetadataProps.Single(p => p.Key == OnnxMetadataKeys.Classes).Value = """["AB","B","C"]""";
        string path = Write("long-class.onnx", model);
        var e = Assert.Throws<ModelFormatException>(() => HandwritingRecognizer.LoadOnnx(path));
        Assert.Equal(path, e.Source);
        Assert.Contains("'AB' is not a single character", e.Problem, StringComparison.Ordinal);
    }
}
