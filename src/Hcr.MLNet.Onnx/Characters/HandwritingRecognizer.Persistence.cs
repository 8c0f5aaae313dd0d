using System.IO.Compression;
using System.Text.Json;
using Hcr.MLNet.Data;
using Hcr.MLNet.Imaging;
using Hcr.MLNet.IO;
using Hcr.MLNet.Native;
using Hcr.MLNet.Scoring;
using Microsoft.ML;

namespace Hcr.MLNet;

public sealed partial class HandwritingRecognizer
{
    /// <summary>The version of the file format <see cref="Save"/> writes and <see cref="Load"/> reads.</summary>
    public const int FormatVersion = ModelFormats.RecognizerVersion;

    private const string ManifestEntry = ModelArchive.ManifestEntry;
    private const string NetworkEntry = "network.hcrcnn";
    private const string LabelMappingEntry = "mlnet/label-mapping.zip";
    private const string NormalizationEntry = "mlnet/normalization.zip";

    /// <summary>
    /// The manifest. <paramref name="NetworkSha256"/> (lower-case hex SHA-256 of the network entry's bytes),
    /// <paramref name="TrainingData"/> (<see cref="HandwritingRecognizer.TrainingData"/>) and <paramref name="TestEvaluation"/>
    /// (<see cref="HandwritingRecognizer.TestEvaluation"/>) are absent from files written before they existed; readers that predate them ignore them (they change nothing about reading the rest), so, as
    /// <see cref="ModelFormats"/> has it, they did not change the format version.
    /// </summary>
    private sealed record Manifest(string Format, int FormatVersion, string Library, string Classes, string Architecture, string Created,
        InkNormalizationOptions? Preprocessing, string? NetworkSha256 = null, SelectionRecord? TrainingData = null,
        EvaluationRecord? TestEvaluation = null, double? ConfidenceTemperature = null) : IModelManifest;

    /// <summary>A <see cref="RecognizerEvaluation"/> as the manifest stores it: its figures and its confusion counts, rows by actual class.</summary>
    private sealed record EvaluationRecord(double Accuracy, double MacroAccuracy, double LogLoss, int[][] Confusion,
        double[]? TopKAccuracy = null, double? ExpectedCalibrationError = null)
    {
        /// <summary>Null when a figure is not finite, which JSON cannot hold (the recognizer is then saved without it).</summary>
        public static EvaluationRecord? Of(RecognizerEvaluation e)
        {
            if (!double.IsFinite(e.Accuracy) || !double.IsFinite(e.MacroAccuracy) || !double.IsFinite(e.LogLoss))
                return null;
            int[,] counts = e.ConfusionMatrix;
            int n = counts.GetLength(0);
            double[] topK = e.TopKAccuracy.ToArray();
            double? ece = e.ExpectedCalibrationError;
            return new(e.Accuracy, e.MacroAccuracy, e.LogLoss, Enumerable.Range(0, n).Select(a => Enumerable.Range(0, n).Select(p => counts[a, p]).ToArray()).ToArray(),
                topK.Length > 0 && topK.All(double.IsFinite) ? topK : null, ece is double v && double.IsFinite(v) ? v : null);
        }

        public RecognizerEvaluation ToEvaluation(char[] classes, string path)
        {
            int n = classes.Length;
            if (Confusion is null || Confusion.Length != n || Confusion.Any(row => row is null || row.Length != n || row.Any(c => c < 0))
                || !(Accuracy is >= 0 and <= 1) || !(MacroAccuracy is >= 0 and <= 1) || !double.IsFinite(LogLoss) || LogLoss < 0
                || (TopKAccuracy is not null && TopKAccuracy.Any(a => !(a is >= 0 and <= 1))) || (ExpectedCalibrationError is double ece && !(ece is >= 0 and <= 1)))
            {
                throw new ModelFormatException(path, $"the manifest's test evaluation is not {n}×{n} counts with figures in range; the file is corrupt.");
            }
            var confusion = new int[n, n];
            for (int a = 0; a < n; a++)
            {
                for (int p = 0; p < n; p++)
                    confusion[a, p] = Confusion[a][p];
            }
            return new RecognizerEvaluation(confusion, classes, Accuracy, MacroAccuracy, LogLoss, TopKAccuracy, ExpectedCalibrationError);
        }
    }

    /// <summary>An <see cref="EmnistSelection"/> as the manifest stores it: enums by name, so that a file says what it means.</summary>
    private sealed record SelectionRecord(string Directory, string Split, string Part, double? Holdout, int Seed)
    {
        public static SelectionRecord Of(EmnistSelection s) => new(s.Directory, s.Split.ToString(), s.Part.ToString(), s.Holdout, s.Seed);

        public EmnistSelection ToSelection(string path)
        {
            if (!Enum.TryParse(Split, out EmnistSplit split) || !Enum.IsDefined(split) || !Enum.TryParse(Part, out EmnistPart part) || !Enum.IsDefined(part)
                || string.IsNullOrEmpty(Directory))
            {
                throw new ModelFormatException(path, $"the manifest's training data ({Directory}, {Split}, {Part}) is not a valid EMNIST selection; the file is corrupt.");
            }
            try
            {
                return new EmnistSelection(Directory, split, part, Holdout, Seed);
            }
            catch (ArgumentException e)
            {
                throw new ModelFormatException(path, $"the manifest's training data is invalid ({e.Message}); the file is corrupt.", e);
            }
        }
    }

    /// <summary>
    /// Saves everything needed to predict in a fresh process (a zip: manifest with format version, classes and
    /// the network's checksum, the ML.NET steps as ML.NET model files, the network weights; sealed with the SHA-256 of the
    /// whole file as its comment), atomically: a crash
    /// never leaves a half-written file under <paramref name="path"/>. The pretrained recognizer writes the recognizer
    /// file it ships with.
    /// </summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using UsageGate.Lease lease = _gate.Enter(this);
        if (TorchNetwork is null && _pretrained)
        {
            ThrowIfRecalibrated();
            PretrainedModel.CopyTo(PretrainedModel.RecognizerResource, path);
            return;
        }
        ITorchCnn network = TorchNetwork ?? throw new NotSupportedException(
            "This recognizer was loaded from an ONNX file and has no TorchSharp network to save; keep the ONNX file itself.");
        // The network is serialized first because the manifest, written before it, carries its checksum.
        byte[] networkBytes;
        using (var buffer = new MemoryStream())
        {
            network.Save(buffer);
            networkBytes = buffer.ToArray();
        }
        ModelArchive.Write(path, zip =>
        {
            var manifest = new Manifest(ModelFormats.RecognizerFormatName, FormatVersion, ModelArchive.LibraryVersion, new string(_classes), network.ArchitectureName,
                DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture), Preprocessing, ModelArchive.Sha256(networkBytes),
                TrainingData is null ? null : SelectionRecord.Of(TrainingData), TestEvaluation is null ? null : EvaluationRecord.Of(TestEvaluation),
                ConfidenceTemperature == 1 ? null : ConfidenceTemperature);
            using (Stream entry = zip.CreateEntry(ManifestEntry).Open())
                JsonSerializer.Serialize(entry, manifest);
            using (Stream entry = zip.CreateEntry(LabelMappingEntry).Open())
                _ml.Model.Save(_labelMapping, _ml.Data.LoadFromEnumerable(new List<RecognizerChain.LabelRow>()).Schema, entry);
            using (Stream entry = zip.CreateEntry(NormalizationEntry).Open())
                _ml.Model.Save(_normalization, RecognizerChain.EmptyPixels(_ml).Schema, entry);
            using (Stream entry = zip.CreateEntry(NetworkEntry).Open())
                entry.Write(networkBytes);
        });
    }

    /// <summary>
    /// Checks now that <see cref="Save"/> could write <paramref name="path"/> (its folder exists or can be created and
    /// takes a new file; the target is not touched), so that a bad output path fails before a long training run
    /// rather than after it.
    /// </summary>
    /// <exception cref="IOException">The path is a folder, or its folder cannot be created or written; the message names the path.</exception>
    public static void CheckSavePath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.CheckWritable(path);
    }

    /// <summary>
    /// Loads a recognizer saved with <see cref="Save"/>. The whole file is held to its checksum (its seal: a flipped bit
    /// anywhere is refused; files written before seals load without one), every entry to the size such an entry can have
    /// before and while it is inflated, the network to the checksum in the manifest and to finite weights, and the
    /// preprocessing settings to their valid ranges.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ModelFormatException">
    /// The path is a directory, or the file is not a recognizer, is truncated, damaged (a checksum mismatch, weights that
    /// are not finite, invalid settings) or oversized, or has another format version. The message names the file.
    /// </exception>
    /// <exception cref="TorchRuntimeException">The application does not have the Hcr.MLNet package, whose TorchSharp reads the network.</exception>
    public static HandwritingRecognizer Load(string path, ComputeDevice device = ComputeDevice.Auto)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ModelFormats.RequireFile(path, "recognizer file");
        using FileStream stream = File.OpenRead(path);
        return LoadStream(stream, path, device);
    }

    /// <summary>
    /// What the recognizer file in <paramref name="stream"/> records as its training data, read from its manifest alone
    /// (the pretrained recognizer scored on ONNX Runtime takes it from its recognizer file, whose network it never loads).
    /// </summary>
    internal static EmnistSelection? ReadTrainingData(Stream stream, string path)
    {
        try
        {
            using ZipArchive zip = ModelArchive.OpenRead(stream, path, "recognizer");
            return ReadManifest(zip, path).TrainingData?.ToSelection(path);
        }
        catch (InvalidDataException e)
        {
            throw new ModelFormatException(path, $"not a readable recognizer file ({e.Message}).", e);
        }
    }

    /// <summary>
    /// <see cref="Load(string, ComputeDevice)"/> from a stream (the pretrained recognizer embedded in this assembly);
    /// <paramref name="path"/> names it in errors.
    /// </summary>
    internal static HandwritingRecognizer LoadStream(Stream stream, string path, ComputeDevice device)
    {
        ITorchCnn? network = null;
        try
        {
            using ZipArchive zip = ModelArchive.OpenRead(stream, path, "recognizer");
            Manifest manifest = ReadManifest(zip, path);
            // The network first: it is the entry that can be large, and a bad one is refused before ML.NET loads anything.
            network = ReadNetwork(zip, manifest, path, device);
            if (new string(RecognizerChain.ClassesOf(network.ClassNames)) != manifest.Classes)
                throw new ModelFormatException(path, "the network's classes differ from the manifest's; the file is corrupt.");
            var ml = new MLContext(seed: 1);
            ITransformer labelMapping = ReadMLNet(ml, zip, LabelMappingEntry, path);
            ITransformer normalization = ReadMLNet(ml, zip, NormalizationEntry, path);
            return new HandwritingRecognizer(ml, labelMapping, normalization, network, manifest.Preprocessing ?? new InkNormalizationOptions())
            {
                TrainingData = manifest.TrainingData?.ToSelection(path),
                TestEvaluation = manifest.TestEvaluation?.ToEvaluation(manifest.Classes.ToCharArray(), path),
                ConfidenceTemperature = CheckTemperature(manifest.ConfidenceTemperature ?? 1, path),
            };
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            network?.Dispose();
            if (e is EndOfStreamException)
                throw BoundedRead.Truncated(path, e);
            throw new ModelFormatException(path, $"not a readable recognizer file ({e.Message}).", e);
        }
        catch
        {
            network?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The network alone of the recognizer file in <paramref name="stream"/>, held to the same checks as
    /// <see cref="LoadStream"/> (manifest, sizes, checksum, finite weights) but without its ML.NET steps.
    /// </summary>
    internal static ITorchCnn LoadNetwork(Stream stream, string path, ComputeDevice device)
    {
        try
        {
            using ZipArchive zip = ModelArchive.OpenRead(stream, path, "recognizer");
            return ReadNetwork(zip, ReadManifest(zip, path), path, device);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            if (e is EndOfStreamException)
                throw BoundedRead.Truncated(path, e);
            throw new ModelFormatException(path, $"not a readable recognizer file ({e.Message}).", e);
        }
    }

    /// <summary>
    /// A copy of this recognizer (same weights, classes and preprocessing, a network of its own: dispose both) that scores
    /// with other test-time rotations (see <c>HandwritingCnnTransformer.WithTestTimeRotations</c>): <c>[]</c> reads
    /// each image alone, about three times as fast, for about 0.3 points of macro accuracy. Save or export the copy to keep them.
    /// </summary>
    /// <param name="rotations">Angles in degrees, as <c>HandwritingCnnOptions.TestTimeRotations</c> takes them.</param>
    /// <exception cref="NotSupportedException">A recognizer that scores on ONNX Runtime: its graph holds the rotations; export again from the <c>.hcr</c>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Too many angles, or one that is zero or too large.</exception>
    public HandwritingRecognizer WithTestTimeRotations(IReadOnlyList<double> rotations)
    {
        using UsageGate.Lease lease = _gate.Enter(this);
        ITorchCnn network = TorchNetwork ?? throw new NotSupportedException(
            "This recognizer scores on ONNX Runtime, whose graph holds its test-time rotations; load its .hcr file (for the pretrained one, " +
            "LoadPretrained(ComputeDevice)) and export that with other rotations.");
        ITorchCnn copy = network.CopyWithTestTimeRotations(rotations);
        try
        {
            HandwritingRecognizer turned = FromNetwork(copy, Preprocessing);
            // The same network's calibration is the closest there is; averaging views makes it a little less sure (calibrate again to fit).
            turned.ConfidenceTemperature = ConfidenceTemperature;
            return turned;
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }

    /// <summary>A recognizer around a network trained or loaded elsewhere, with the standard label mapping and normalization.</summary>
    internal static HandwritingRecognizer FromNetwork(ITorchCnn network, InkNormalizationOptions? preprocessing = null)
    {
        var ml = new MLContext(seed: 1);
        char[] classes = RecognizerChain.ClassesOf(network.ClassNames);
        return new HandwritingRecognizer(ml, RecognizerChain.FitLabelMapping(ml, classes), RecognizerChain.FitNormalization(ml),
            network, preprocessing ?? new InkNormalizationOptions());
    }

    /// <summary>A stored <see cref="ConfidenceTemperature"/>, refused as corrupt outside the range a fit can give.</summary>
    private static double CheckTemperature(double temperature, string path) =>
        temperature is >= TemperatureScaling.MinTemperature and <= TemperatureScaling.MaxTemperature ? temperature
            : throw new ModelFormatException(path, $"its confidence temperature {temperature} is outside {TemperatureScaling.MinTemperature} to {TemperatureScaling.MaxTemperature}; the file is corrupt.");

    private static Manifest ReadManifest(ZipArchive zip, string path)
    {
        Manifest manifest = ModelArchive.ReadManifest<Manifest>(zip, path, ModelFormats.RecognizerFormatName, FormatVersion, "recognizer");
        if (string.IsNullOrEmpty(manifest.Classes))
            throw new ModelFormatException(path, "the manifest names no classes; the file is corrupt.");
        if (manifest.Preprocessing is { } preprocessing)
            ModelArchive.RequireValidSettings(path, "preprocessing settings", preprocessing.Validate);
        return manifest;
    }

    private static ITorchCnn ReadNetwork(ZipArchive zip, Manifest manifest, string path, ComputeDevice device)
    {
        using MemoryStream bytes = BoundedRead.ZipEntry(Entry(zip, NetworkEntry, path), ModelFormats.MaxNetworkBytes, path);
        if (manifest.NetworkSha256 is string expected)
        {
            string actual = ModelArchive.Sha256(bytes.GetBuffer().AsSpan(0, (int)bytes.Length));
            if (!string.Equals(expected, actual, StringComparison.OrdinalIgnoreCase))
            {
                throw new ModelFormatException(path,
                    $"checksum mismatch: the network entry's SHA-256 is {actual} but the manifest records {expected}; the file is damaged.");
            }
        }
        return TorchModels.Require<ITorchCnnLoader>().LoadCnn(bytes, device, $"{path} ({NetworkEntry})");
    }

    private static ITransformer ReadMLNet(MLContext ml, ZipArchive zip, string entry, string path)
    {
        using MemoryStream buffered = BoundedRead.ZipEntry(Entry(zip, entry, path), ModelFormats.MaxMLNetStepBytes, path);
        try
        {
            // ML.NET inflates the model's own entries without limits; they are checked here first.
            BoundedRead.NestedZip(buffered, ModelFormats.MaxMLNetStepBytes, path, $"its ML.NET step {entry}");
            return ml.Model.Load(buffered, out _);
        }
        // FileLoadException and the like (an IOException): a damaged step in a file written before the seal escaped as one.
        catch (Exception e) when (e is InvalidOperationException or FormatException or InvalidDataException or ArgumentException or IOException)
        {
            throw new ModelFormatException(path, $"its ML.NET step {entry} cannot be read ({e.Message}).", e);
        }
    }

    private static ZipArchiveEntry Entry(ZipArchive zip, string entry, string path) => ModelArchive.Entry(zip, entry, path, "recognizer");
}
