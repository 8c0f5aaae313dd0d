using System.Diagnostics;
using Hcr.MLNet.Data;
using Hcr.MLNet.Imaging;
using Hcr.MLNet.IO;
using Hcr.MLNet.Native;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Tests.Text;
using Hcr.MLNet.Tests.Training;
using Hcr.MLNet.Training;
using SkiaSharp;

namespace Hcr.MLNet.Tests.IO;

/// <summary>
/// Random mutations (bit flips, overwritten or inserted runs, truncation, a duplicated slice) of every file format the
/// library reads: <c>.hcr</c>, <c>.hcrtext</c>, character and text <c>.onnx</c>, safetensors, IDX, CSV, PNG and JPEG. Each
/// outcome must be the exception the loading method documents for bad input, or a correct result (for the sealed formats,
/// only the unchanged bytes load; for ONNX, a model that scores as the original does); never another exception type, and
/// never a hang (each case runs under <see cref="PerCase"/>). Bounded in count and time per format; the seed is fixed, so
/// that a failure names a case that can be run again.
/// </summary>
public sealed class FileFormatFuzzTests : IDisposable
{
    private const int CasesPerFormat = 40;
    private static readonly TimeSpan PerCase = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PerFormat = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>One mutation of <paramref name="original"/> and a description of it for failure messages.</summary>
    private static (byte[] Bytes, string What) Mutate(byte[] original, Random random)
    {
        // A third anywhere, a third in the first 64 KB, a third in the last 4 KB: uniform positions would land almost
        // always in the weights, which the big formats checksum on their own, and miss the headers, the small entries
        // (a recognizer's manifest and ML.NET steps come first) and the zip's directory and seal at the end.
        int at = random.Next(3) switch
        {
            0 => random.Next(original.Length),
            1 => random.Next(Math.Min(original.Length, 64 << 10)),
            _ => original.Length - 1 - random.Next(Math.Min(original.Length, 4 << 10)),
        };
        switch (random.Next(6))
        {
            case 0:
                {
                    byte[] bytes = (byte[])original.Clone();
                    int flips = random.Next(1, 5);
                    for (int i = 0; i < flips; i++)
                        bytes[Math.Clamp(at + random.Next(-64, 64), 0, bytes.Length - 1)] ^= (byte)(1 << random.Next(8));
                    return (bytes, $"{flips} bit flips near {at}");
                }
            case 1:
                {
                    byte[] bytes = (byte[])original.Clone();
                    int length = Math.Min(random.Next(1, 64), bytes.Length - at);
                    random.NextBytes(bytes.AsSpan(at, length));
                    return (bytes, $"{length} random bytes at {at}");
                }
            case 2:
                return (original[..at], $"truncated to {at} bytes");
            case 3:
                {
                    byte[] inserted = new byte[random.Next(1, 32)];
                    random.NextBytes(inserted);
                    return ([.. original[..at], .. inserted, .. original[at..]], $"{inserted.Length} bytes inserted at {at}");
                }
            case 4:
                {
                    int length = Math.Min(random.Next(1, 256), original.Length - at);
                    return ([.. original[..(at + length)], .. original[at..]], $"{length} bytes at {at} repeated");
                }
            default:
                {
                    byte[] bytes = (byte[])original.Clone();
                    int length = Math.Min(random.Next(1, 16), bytes.Length - at);
                    bytes.AsSpan(at, length).Fill(0xFF);
                    return (bytes, $"{length} bytes at {at} set to 0xFF");
                }
        }
    }

    /// <summary>
    /// Mutates <paramref name="original"/> up to <see cref="CasesPerFormat"/> times (within <see cref="PerFormat"/>), writes
    /// each to a file and calls <paramref name="load"/> on it: it must throw <typeparamref name="TDocumented"/> naming the
    /// file, or succeed, and then <paramref name="correct"/> (given the mutated bytes) must hold.
    /// </summary>
    private void Fuzz<TDocumented>(string format, byte[] original, Action<string> load, Action<byte[]>? correct = null, int seed = 27)
        where TDocumented : Exception
    {
        var random = new Random(seed);
        var clock = Stopwatch.StartNew();
        int cases = 0;
        for (int i = 0; i < CasesPerFormat && clock.Elapsed < PerFormat; i++, cases++)
        {
            (byte[] bytes, string what) = Mutate(original, random);
            string path = _dir.File($"{format}-{i}{Path.GetExtension(format)}");
            File.WriteAllBytes(path, bytes);
            Task<Exception?> task = Task.Run(() =>
            {
                try
                {
                    load(path);
                    return (Exception?)null;
                }
                catch (Exception e)
                {
                    return e;
                }
            });
            Assert.True(task.Wait(PerCase), $"{format}, case {i} ({what}): still loading after {PerCase.TotalSeconds} s");
            Exception? thrown = task.Result;
            string context = $"{format}, case {i} (seed {seed}, {what})";
            if (thrown is null)
            {
                Exception? wrong = Record.Exception(() => correct?.Invoke(bytes));
                Assert.True(wrong is null, $"{context}: loaded, but {wrong?.Message}");
                continue;
            }
            Assert.True(thrown is TDocumented, $"{context}: {thrown.GetType().Name}, not the documented {typeof(TDocumented).Name}: {thrown}");
            Assert.Contains(path, thrown.Message, StringComparison.Ordinal);
        }
        // A format whose loads are slow still gets a few cases in its time.
        Assert.True(cases >= 5, $"{format}: only {cases} cases in {PerFormat.TotalSeconds} s");
    }

    private static void OnlyUnchanged(byte[] original, byte[] loaded, string format) =>
        Assert.True(original.AsSpan().SequenceEqual(loaded), $"a changed {format} file loaded: its seal must refuse every change");

    [SlowFact]
    public void Recognizer_files()
    {
        string good = _dir.File("good.hcr");
        using (HandwritingRecognizer recognizer = HandwritingRecognizer.FromNetwork(ModelFiles.UntrainedNetwork()))
            recognizer.Save(good);
        byte[] original = File.ReadAllBytes(good);
        Fuzz<ModelFormatException>("recognizer.hcr", original, path => HandwritingRecognizer.Load(path, ComputeDevice.Cpu).Dispose(),
            loaded => OnlyUnchanged(original, loaded, ".hcr"));
    }

    [SlowFact]
    public void Text_reader_files()
    {
        string good = _dir.File("good.hcrtext");
        using (HandwritingTextReader reader = HandwritingTextReader.LoadPretrained(ComputeDevice.Cpu))
            reader.Save(good);
        byte[] original = File.ReadAllBytes(good);
        Fuzz<ModelFormatException>("reader.hcrtext", original, path => HandwritingTextReader.Load(path, ComputeDevice.Cpu).Dispose(),
            loaded => OnlyUnchanged(original, loaded, ".hcrtext"));
    }

    [SlowFact]
    public void Character_onnx_models()
    {
        string good = _dir.File("good.onnx");
        using (HandwritingCnnTransformer network = ModelFiles.UntrainedNetwork())
            network.ExportOnnx(good);
        byte[] tile = SyntheticGlyphs.Create(1).GetImage(0).ToArray();
        float[] expected;
        using (HandwritingRecognizer reference = HandwritingRecognizer.LoadOnnx(good))
            expected = reference.PredictTile(tile).Probabilities.ToArray();
        float[]? scored = null;
        Fuzz<ModelFormatException>("characters.onnx", File.ReadAllBytes(good), path =>
        {
            using HandwritingRecognizer loaded = HandwritingRecognizer.LoadOnnx(path);
            scored = loaded.PredictTile(tile).Probabilities.ToArray();
        }, _ => Assert.Equal(expected, scored!));
    }

    [SlowFact]
    public void Text_onnx_models()
    {
        string good = Path.Combine(SharedData.RepositoryRoot, "src", "Hcr.MLNet.Onnx", "Pretrained", "dhsd-reader.onnx");
        string image = _dir.File("word.png");
        File.WriteAllBytes(image, GlyphWords.Png("abc"));
        string expected;
        using (HandwritingTextReader reference = HandwritingTextReader.LoadOnnx(good))
            expected = reference.Read(image).Text;
        string? read = null;
        Fuzz<ModelFormatException>("reader.onnx", File.ReadAllBytes(good), path =>
        {
            using HandwritingTextReader loaded = HandwritingTextReader.LoadOnnx(path);
            read = loaded.Read(image).Text;
        }, _ => Assert.Equal(expected, read));
    }

    [SlowFact]
    public void Safetensors_weights()
    {
        string good = _dir.File("good.safetensors");
        using (HandwritingCnnTransformer source = ModelFiles.UntrainedNetwork())
            source.ExportSafetensors(good);
        using HandwritingCnnTransformer target = ModelFiles.UntrainedNetwork();
        // A changed weight that is still a finite number is valid weights; what must never load is anything else.
        Fuzz<ModelFormatException>("weights.safetensors", File.ReadAllBytes(good), target.ImportSafetensors,
            _ => Assert.All(TrainerFixture.Weights(target).Values, w => Assert.All(w, v => Assert.True(float.IsFinite(v)))));
    }

    [SlowFact]
    public void Emnist_idx_and_csv_files()
    {
        byte[] pixels = EmnistFiles.PatternImages(6);
        byte[] labels = [0, 1, 2, 3, 0, 1];
        string mapping = _dir.File("mapping.txt");
        EmnistFiles.WriteMapping(mapping, "ABCD");
        string images = _dir.File("images-idx3-ubyte");
        string labelFile = _dir.File("labels-idx1-ubyte");
        string csv = _dir.File("data.csv");
        EmnistFiles.WriteImages(images, pixels, 6, gzip: false);
        EmnistFiles.WriteLabels(labelFile, labels, gzip: false);
        EmnistFiles.WriteCsv(csv, pixels, labels);

        Fuzz<EmnistFormatException>("images.idx", File.ReadAllBytes(images), path => EmnistDataset.LoadIdx(path, labelFile, mapping));
        Fuzz<EmnistFormatException>("labels.idx", File.ReadAllBytes(labelFile), path => EmnistDataset.LoadIdx(images, path, mapping));
        Fuzz<EmnistFormatException>("data.csv", File.ReadAllBytes(csv), path => EmnistDataset.LoadCsv(path, mapping));
    }

    [SlowTheory]
    [InlineData(SKEncodedImageFormat.Png, "image.png")]
    [InlineData(SKEncodedImageFormat.Jpeg, "image.jpg")]
    public void Images(SKEncodedImageFormat format, string name)
    {
        byte[] original = TestImages.Encode(TestImages.GreyToRgba(TestImages.Disc(64, 48, 30, 24, 12, ink: 20, paper: 230)), 64, 48, format);
        var loader = new CharacterImageLoader();
        int width = 0, height = 0;
        Fuzz<UnusableImageException>(name, original, path =>
        {
            using Microsoft.ML.Data.MLImage image = loader.Load(path);
            (width, height) = (image.Width, image.Height);
        }, _ => Assert.True(width > 0 && height > 0));
    }
}
