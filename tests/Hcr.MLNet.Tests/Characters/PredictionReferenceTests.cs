using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;
using System.Text;
using Hcr.MLNet.Data;
using Hcr.MLNet.Imaging;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Tests.Training;
using Hcr.MLNet.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using SkiaSharp;
using Xunit.Abstractions;

namespace Hcr.MLNet.Tests.Characters;

/// <summary>
/// Guards the prediction paths against numeric drift when they are restructured: a recognizer trained
/// deterministically (one libtorch thread, fixed seed, on real EMNIST tiles) predicts fixed tiles and
/// photos through every public path, and the probabilities' float bits must equal those saved in
/// <c>PredictionReference.txt</c> (made by the code before the change). Set
/// <c>HCR_WRITE_PREDICTION_REFERENCE=1</c> to rewrite the file, from code whose answers are known right.
/// </summary>
/// <remarks>
/// Bit equality holds on the kind of CPU the file was made on (its <c>machine</c> line): libtorch's
/// kernels differ by vector instruction set and CPU features, and training amplifies last-bit differences. On another
/// kind the test says so and checks what still must hold there: the paths that compute alike give the same bits.
/// </remarks>
[Collection(TorchRandomness.Name)]
public class PredictionReferenceTests(ITestOutputHelper output)
{
    private readonly ITestOutputHelper _output = output;

    private const string FileName = "PredictionReference.txt";
    private const int Tiles = 200;
    private const int EvaluationImages = 1000;
    private const int PhotoCount = 12;

    [DataFact(SharedDataSet.Emnist)]
    public void Every_prediction_path_gives_the_saved_probabilities_bit_for_bit()
    {
        List<string> current = Compute();
        string path = Path.Combine(SharedData.RepositoryRoot, "tests", "Hcr.MLNet.Tests", "Characters", FileName);
        if (Environment.GetEnvironmentVariable("HCR_WRITE_PREDICTION_REFERENCE") == "1")
        {
            File.WriteAllLines(path, current);
            return;
        }
        string[] saved = File.ReadAllLines(path);
        if (saved.Length == 0 || saved[0] != current[0])
        {
            // Another kind of CPU: libtorch's kernels differ, training amplifies their last bits, and the saved bits
            // cannot be compared. What still must hold is that the paths computed alike here give the same bits.
            _output.WriteLine($"The reference was made on another kind of CPU ({saved.FirstOrDefault()}; this one is {current[0]}): checking the paths against each other.");
            var byName = current.Skip(1).ToDictionary(Name);
            var differing = NowEqualTo.Where(p => byName.ContainsKey(p.Key) && byName.ContainsKey(p.Value) && Values(byName[p.Key]) != Values(byName[p.Value]))
                .Select(p => $"{p.Key} (against {p.Value}): {Describe(byName[p.Value], byName[p.Key])}").ToList();
            Assert.True(NowEqualTo.Count(p => byName.ContainsKey(p.Key)) >= 8, "too few paths computed");
            Assert.True(differing.Count == 0, string.Join("\n", differing));
            return;
        }
        var savedByName = saved.Skip(1).ToDictionary(Name);
        var mismatches = new List<string>();
        foreach (string line in current.Skip(1))
        {
            string name = Name(line);
            string referenceName = NowEqualTo.GetValueOrDefault(name, name);
            if (!savedByName.TryGetValue(referenceName, out string? expected))
                mismatches.Add($"{referenceName}: not in the reference");
            else if (Values(expected) != Values(line))
                mismatches.Add($"{name} (against {referenceName}): {Describe(expected, line)}");
        }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    /// <summary>
    /// The paths whose arithmetic changed by design, each with the reference line that computed, with the
    /// code before the change, what it computes now. A photo no longer goes through ImageAnalytics'
    /// ConvertToGrayscale (bytes rounded from 0.3 R + 0.59 G + 0.11 B) before the ink normaliser, which
    /// makes its own grey (0.299 R + 0.587 G + 0.114 B, unrounded): the network now sees the normaliser's
    /// own tile. Evaluate scores in batches of 256 (as PredictTiles always did) rather than row by row,
    /// where libtorch may round a batch's sums differently (ONNX Runtime does not).
    /// </summary>
    private static readonly Dictionary<string, string> NowEqualTo = new[] { "torch", "onnx" }.SelectMany(engine => new[]
    {
        ($"{engine}.photos.predict", $"{engine}.photos.normalizer-then-tile"),
        ($"{engine}.photos.image-pipeline", $"{engine}.photos.normalizer-then-tile"),
        ($"{engine}.photos.network-input", $"{engine}.photos.normalizer-tiles"),
        ($"{engine}.photos.predict-batch", $"{engine}.photos.normalizer-then-tiles-batch"),
        ($"{engine}.evaluate", $"{engine}.evaluate-batched"),
    }).ToDictionary(p => p.Item1, p => p.Item2);

    private static string Name(string line) => line[..line.IndexOf(':', StringComparison.Ordinal)];

    private static string Values(string line) => line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..];

    /// <summary>What differs between two lines: the argmax positions, the largest change of the top probability.</summary>
    private static string Describe(string expected, string actual)
    {
        Dictionary<string, string> e = Fields(expected), a = Fields(actual);
        var parts = new List<string>();
        foreach ((string key, string value) in e)
        {
            if (!a.TryGetValue(key, out string? other) || other == value)
                continue;
            if (key == "argmax")
                parts.Add($"argmax differs at {Enumerable.Range(0, Math.Min(value.Length, other.Length)).Count(i => value[i] != other[i])} images");
            else if (key == "top")
            {
                float[] x = Floats(value), y = Floats(other);
                parts.Add($"top probability differs by up to {x.Zip(y, (p, q) => Math.Abs(p - q)).Max():E2}");
            }
            else
                parts.Add($"{key} {value} -> {other}");
        }
        return string.Join("; ", parts);
    }

    private static Dictionary<string, string> Fields(string line) =>
        line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(f => f[..f.IndexOf('=', StringComparison.Ordinal)], f => f[(f.IndexOf('=', StringComparison.Ordinal) + 1)..]);

    private static float[] Floats(string hex) =>
        Enumerable.Range(0, hex.Length / 8).Select(i => BitConverter.UInt32BitsToSingle(uint.Parse(hex.AsSpan(i * 8, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture))).ToArray();

    private static List<string> Compute()
    {
        EmnistDataset all = EmnistSamples.ByMerge;
        EmnistDataset train = all.Subset(Enumerable.Range(0, 3000).ToArray());
        EmnistDataset evaluation = all.Subset(Enumerable.Range(3000, 3000).Where(i => train.Classes.Contains(all.GetCharacter(i))).Take(EvaluationImages).ToArray());
        EmnistDataset tiles = evaluation.Subset(Enumerable.Range(0, Tiles).ToArray());
        var photos = Enumerable.Range(0, PhotoCount).Select(i => PhotoRenderer.Render(evaluation.GetImage(Tiles + i), new Random(100 + i),
            i % 2 == 0 ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Png)).ToList();

        var lines = new List<string> { $"machine: {Machine()}" };
        using HandwritingRecognizer recognizer = HandwritingRecognizer.Create()
            .WithData(train)
            .WithTrainerOptions(o =>
            {
                HandwritingCnnOptions quick = TrainerFixture.Quick(epochs: 2);
                foreach (var property in typeof(HandwritingCnnOptions).GetProperties().Where(p => p.CanWrite))
                    property.SetValue(o, property.GetValue(quick));
                // The default test-time views, so that the rotated copies are covered too.
                o.TestTimeRotations = [-5.0, 5.0];
            })
            .Train();
        Add(lines, "torch", recognizer, tiles, photos);

        using var dir = new TempDirectory();
        recognizer.ExportOnnx(dir.File("m.onnx"));
        using HandwritingRecognizer onnx = HandwritingRecognizer.LoadOnnx(dir.File("m.onnx"));
        Add(lines, "onnx", onnx, tiles, photos);

        lines.Add(Metrics("torch.evaluate", recognizer.Evaluate(evaluation)));
        lines.Add(Metrics("onnx.evaluate", onnx.Evaluate(evaluation)));
        lines.Add(Metrics("torch.evaluate-batched", EvaluateBatched(recognizer, evaluation)));
        lines.Add(Metrics("onnx.evaluate-batched", EvaluateBatched(onnx, evaluation)));
        return lines;
    }

    private static void Add(List<string> lines, string engine, HandwritingRecognizer recognizer, EmnistDataset tiles, List<byte[]> photos)
    {
        var ml = new MLContext(seed: 1);
        lines.Add(Probabilities($"{engine}.tiles.predict-tile", recognizer.Classes,
            Enumerable.Range(0, tiles.Count).Select(i => recognizer.PredictTile(tiles.GetImage(i)).Probabilities.ToArray())));
        lines.Add(Probabilities($"{engine}.tiles.predict-tiles", recognizer.Classes,
            recognizer.PredictTiles(tiles).Select(p => p.Probabilities.ToArray())));
        lines.Add(Probabilities($"{engine}.tiles.pipeline", recognizer.Classes,
            recognizer.Pipeline.Transform(tiles.ToDataView(ml)).GetColumn<float[]>("Score")));

        List<CharacterPrediction> single = photos.Select(p => recognizer.Predict(p)).ToList();
        lines.Add(Probabilities($"{engine}.photos.predict", recognizer.Classes, single.Select(p => p.Probabilities.ToArray())));
        lines.Add($"{engine}.photos.network-input: sha256={Sha(single.SelectMany(p => p.NetworkInput.ToArray()).ToArray())}");
        using var dir = new TempDirectory();
        List<string> paths = photos.Select((p, i) =>
        {
            string path = dir.File($"photo{i}.img");
            File.WriteAllBytes(path, p);
            return path;
        }).ToList();
        lines.Add(Probabilities($"{engine}.photos.predict-batch", recognizer.Classes,
            recognizer.PredictBatch(paths).Select(p => p.Probabilities.ToArray())));
        var loader = new CharacterImageLoader();
        var normalizer = new InkNormalizer(recognizer.Preprocessing);
        lines.Add(Probabilities($"{engine}.photos.normalizer-then-tile", recognizer.Classes, photos.Select(p =>
        {
            using MLImage image = loader.Load(p);
            return recognizer.PredictTile(normalizer.Normalize(image).Pixels).Probabilities.ToArray();
        })));
        // What the network should see of each photo: the normaliser's own tile, scored alone and as one batch.
        byte[] normalized = photos.SelectMany(p =>
        {
            using MLImage image = loader.Load(p);
            return normalizer.Normalize(image).Pixels.ToArray();
        }).ToArray();
        lines.Add($"{engine}.photos.normalizer-tiles: sha256={Sha(normalized)}");
        EmnistDataset normalizedSet = EmnistDataset.Create(normalized, new int[photos.Count], recognizer.Classes);
        lines.Add(Probabilities($"{engine}.photos.normalizer-then-tiles-batch", recognizer.Classes,
            recognizer.PredictTiles(normalizedSet).Select(p => p.Probabilities.ToArray())));
        var rows = photos.Select(p => new ImageRow { Image = loader.Load(p) }).ToList();
        try
        {
            lines.Add(Probabilities($"{engine}.photos.image-pipeline", recognizer.Classes,
                recognizer.ImagePipeline.Transform(ml.Data.LoadFromEnumerable(rows)).GetColumn<float[]>("Score")));
        }
        finally
        {
            foreach (ImageRow row in rows)
                row.Image?.Dispose();
        }
    }

    /// <summary>ML.NET's evaluator on the probabilities <see cref="HandwritingRecognizer.PredictTiles"/> gives (batches of 256).</summary>
    private static RecognizerEvaluation EvaluateBatched(HandwritingRecognizer recognizer, EmnistDataset data)
    {
        var ml = new MLContext(seed: 1);
        int classes = recognizer.Classes.Count;
        IReadOnlyList<CharacterPrediction> predictions = recognizer.PredictTiles(data);
        // A key member of an in-memory row holds the class index: ML.NET adds one (0 is a missing key).
        var rows = predictions.Select((p, i) => new ScoredRow
        {
            Label = (uint)recognizer.Classes.ToList().IndexOf(data.GetCharacter(i)),
            Score = p.Probabilities.ToArray(),
            PredictedLabel = (uint)recognizer.Classes.ToList().IndexOf(p.Character),
        }).ToList();
        SchemaDefinition definition = SchemaDefinition.Create(typeof(ScoredRow));
        definition[nameof(ScoredRow.Label)].ColumnType = new KeyDataViewType(typeof(uint), classes);
        definition[nameof(ScoredRow.Score)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, classes);
        definition[nameof(ScoredRow.PredictedLabel)].ColumnType = new KeyDataViewType(typeof(uint), classes);
        var metrics = ml.MulticlassClassification.Evaluate(ml.Data.LoadFromEnumerable(rows, definition));
        return new RecognizerEvaluation(metrics, recognizer.Classes.ToArray(), expectedCalibrationError: double.NaN);
    }

    private sealed class ScoredRow
    {
        public uint Label { get; set; }

        public float[] Score { get; set; } = [];

        public uint PredictedLabel { get; set; }
    }

    private sealed class ImageRow
    {
        [ImageType(28, 28)]
        public MLImage? Image { get; set; }
    }

    /// <summary>One line: the SHA-256 of every probability's float bits, the predicted characters, and the top probabilities' bits.</summary>
    private static string Probabilities(string name, IReadOnlyList<char> classes, IEnumerable<float[]> rows)
    {
        var all = new List<float>();
        var argmax = new StringBuilder();
        var top = new StringBuilder();
        foreach (float[] row in rows)
        {
            all.AddRange(row);
            int best = 0;
            for (int i = 1; i < row.Length; i++)
            {
                if (row[i] > row[best])
                    best = i;
            }
            argmax.Append(classes[best]);
            top.Append(BitConverter.SingleToUInt32Bits(row[best]).ToString("x8", CultureInfo.InvariantCulture));
        }
        return $"{name}: count={argmax.Length} sha256={Sha(MemoryMarshal.AsBytes(all.ToArray().AsSpan()).ToArray())} argmax={argmax} top={top}";
    }

    private static string Metrics(string name, RecognizerEvaluation e)
    {
        int[,] confusion = e.ConfusionMatrix;
        byte[] counts = MemoryMarshal.AsBytes(confusion.Cast<int>().ToArray().AsSpan()).ToArray();
        return string.Create(CultureInfo.InvariantCulture,
            $"{name}: count={e.Count} accuracy={e.Accuracy:R} macro={e.MacroAccuracy:R} logloss={e.LogLoss:R} confusion={Sha(counts)}");
    }

    private static string Sha(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    /// <summary>
    /// What libtorch's float results depend on besides the code: the architecture, its widest vector instructions, and
    /// (on Linux) a hash of the CPU's feature flags, since CPUs that share the widest set still differ in the kernels
    /// oneDNN picks (VNNI, BF16, FP16, AMX).
    /// </summary>
    private static string Machine()
    {
        string kind = RuntimeInformation.ProcessArchitecture + (Avx512F.IsSupported ? " avx512" : Avx2.IsSupported ? " avx2" : Sse41.IsSupported ? " sse4.1" : "");
        const string CpuInfo = "/proc/cpuinfo";
        string? flags = File.Exists(CpuInfo) ? File.ReadLines(CpuInfo).FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal)) : null;
        if (flags is null)
            return kind;
        string sorted = string.Join(' ', flags[(flags.IndexOf(':', StringComparison.Ordinal) + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        return $"{kind} flags {Sha(Encoding.ASCII.GetBytes(sorted))[..12]}";
    }
}
