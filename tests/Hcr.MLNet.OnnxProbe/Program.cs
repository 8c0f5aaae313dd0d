using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Hcr.MLNet.Onnx;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;

// Usage: dotnet Hcr.MLNet.OnnxProbe.dll <model.onnx> [image file]
//        dotnet Hcr.MLNet.OnnxProbe.dll --pretrained <image file>
//
// With --pretrained, loads the recognizer shipped inside Hcr.MLNet (HandwritingRecognizer.LoadPretrained), reports its
// load time, reads the image with it (step 3's recognizer part), and goes on to step 4: the pretrained recognizer
// predicts without TorchSharp or libtorch. Otherwise:
//
// 1. Creates ONNX Runtime's environment first, with a logging callback at the most verbose level,
//    so that every message ONNX Runtime logs in this process (its own sessions and ML.NET's) is seen.
// 2. Opens the model in a plain InferenceSession and reports its metadata, inputs and outputs.
// 3. Loads it with OnnxCnnModel and scores one image directly and one through ML.NET.
//    With an image file, also loads the model as a recognizer (HandwritingRecognizer.LoadOnnx) and
//    reads the image through the whole chain (loader, ImageAnalytics, ink normalisation, ONNX).
//    Lists the temp folder's entries while the model is loaded and after it is disposed.
// 4. Reports ONNX Runtime's log (message count, every warning or worse) and whether TorchSharp or
//    libtorch is loaded in the process (/proc/self/maps on Linux, the module list elsewhere) or
//    present in the application folder.
// Exit code 0: all done and no TorchSharp or libtorch anywhere; 1: usage; 2: an error; 3: torch found.
//
// Usage: dotnet Hcr.MLNet.OnnxProbe.dll dispose-under-load <model.onnx>
//
// Loads the model as a recognizer, predicts on four threads, and disposes the recognizer under them, a few
// rounds: disposing an ONNX Runtime session under a running call crashed the process (SIGSEGV), which only a
// child process can show. Exit code 0: every thread ended on ObjectDisposedException and nothing else; 2 otherwise.
//
// Usage: dotnet Hcr.MLNet.OnnxProbe.dll without-torch <model.hcr> <reader.hcrtext>
//
// Loads a .hcr and a .hcrtext file, whose networks need the training assembly (package Hcr.MLNet) and TorchSharp, which
// this application does not have, as an application that references only Hcr.MLNet.Onnx. (Training, fine-tuning and
// TorchSharp scoring are members of the training assembly, which such an application cannot even compile against.)
// Exit code 0: each stopped with a TorchRuntimeException naming the Hcr.MLNet package; 2 otherwise.
//
// Usage: dotnet Hcr.MLNet.OnnxProbe.dll --text <reader.onnx> <image file>
//
// Loads a text reader's ONNX export (HandwritingTextReader.LoadOnnx), reads the image (text-read, text-confidence),
// and goes on to step 4: a text reader loaded from ONNX reads without TorchSharp or libtorch.
if (args is ["dispose-under-load", string loadedModel])
    return Probe.DisposeUnderLoad(loadedModel);
if (args is ["without-torch", string recognizerFile, string readerFile])
    return Probe.WithoutTorch(recognizerFile, readerFile);
const string PretrainedFlag = "--pretrained";
const string TextFlag = "--text";
bool pretrained = args.Length == 2 && args[0] == PretrainedFlag;
bool text = args.Length == 3 && args[0] == TextFlag;
if (!text && (args.Length is not (1 or 2) || args.Length == 1 && args[0] == PretrainedFlag || args[0] == TextFlag))
{
    Console.Error.WriteLine($"usage: Hcr.MLNet.OnnxProbe <model.onnx> [image file] | {PretrainedFlag} <image file> | {TextFlag} <reader.onnx> <image file> | dispose-under-load <model.onnx>");
    return 1;
}
string modelPath = args[0];

var messages = new ConcurrentQueue<(OrtLoggingLevel Severity, string Category, string LogId, string Message)>();
Probe.Logger = (_, severity, category, logId, _, message) => messages.Enqueue((severity, category, logId, message));
var environment = new EnvironmentCreationOptions
{
    logId = "probe",
    logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_VERBOSE,
    loggingFunction = Probe.Logger,
};
OrtEnv.CreateInstanceWithOptions(ref environment);

try
{
    if (text)
    {
        using Hcr.MLNet.HandwritingTextReader reader = Hcr.MLNet.HandwritingTextReader.LoadOnnx(args[1]);
        Hcr.MLNet.TextReading reading = reader.Read(args[2]);
        Console.WriteLine($"text-read: {reading.Text}");
        Console.WriteLine($"text-confidence: {reading.Confidence.ToString("R", CultureInfo.InvariantCulture)}");
    }
    else if (pretrained)
    {
        var clock = Stopwatch.StartNew();
        using Hcr.MLNet.HandwritingRecognizer recognizer = Hcr.MLNet.HandwritingRecognizer.LoadPretrained();
        Console.WriteLine($"pretrained-load-ms: {clock.Elapsed.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture)}");
        Console.WriteLine($"classes: {recognizer.Classes.Count}");
        Hcr.MLNet.CharacterPrediction prediction = recognizer.Predict(args[1]);
        Console.WriteLine($"recognizer-predicted: {prediction.Character}");
        Console.WriteLine($"recognizer-probabilities: {string.Join(" ", prediction.Probabilities.Select(p => p.ToString("R", CultureInfo.InvariantCulture)))}");
    }
    else
    {
        ProbeModel(modelPath, args.Length == 2 ? args[1] : null);
    }
}
catch (Exception e)
{
    Console.WriteLine($"error: {e.GetType().FullName}: {e.Message}");
    return 2;
}

Console.WriteLine($"ort-messages: {messages.Count}");
var warnings = messages.Where(m => m.Severity >= OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING).ToList();
Console.WriteLine($"ort-warnings: {warnings.Count}");
foreach (var w in warnings)
    Console.WriteLine($"ort-warning: [{w.Severity}] [{w.LogId}] {w.Message}");

string[] torchAssemblies = AppDomain.CurrentDomain.GetAssemblies()
    .Select(a => a.GetName().Name ?? "")
    .Where(n => n.StartsWith("TorchSharp", StringComparison.OrdinalIgnoreCase))
    .ToArray();
Console.WriteLine($"torchsharp-assemblies: {(torchAssemblies.Length == 0 ? "none" : string.Join(", ", torchAssemblies))}");

IEnumerable<string> mapped = OperatingSystem.IsLinux()
    ? File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(f => f.Length >= 6).Select(f => f[5])
    : Process.GetCurrentProcess().Modules.Cast<ProcessModule>().Select(m => m.FileName);
string[] torchLibraries = mapped.Where(Probe.IsTorchLibrary).Distinct().ToArray();
Console.WriteLine($"onnxruntime-mapped: {mapped.Any(p => Path.GetFileName(p).Contains("onnxruntime", StringComparison.OrdinalIgnoreCase))}");
Console.WriteLine($"torch-libraries-mapped: {(torchLibraries.Length == 0 ? "none" : string.Join(", ", torchLibraries))}");

string[] torchFiles = Directory.EnumerateFiles(AppContext.BaseDirectory, "*", SearchOption.AllDirectories)
    .Where(f => Probe.IsTorchLibrary(f) || Path.GetFileName(f).StartsWith("TorchSharp", StringComparison.OrdinalIgnoreCase))
    .ToArray();
Console.WriteLine($"torch-files-in-app-folder: {(torchFiles.Length == 0 ? "none" : string.Join(", ", torchFiles))}");

return torchAssemblies.Length == 0 && torchLibraries.Length == 0 && torchFiles.Length == 0 ? 0 : 3;

// Steps 2 and 3 for a model file.
static void ProbeModel(string modelPath, string? imagePath)
{
    using (var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_VERBOSE, LogVerbosityLevel = 0, LogId = "probe-session" })
    using (var session = new InferenceSession(modelPath, options))
    {
        ModelMetadata metadata = session.ModelMetadata;
        Console.WriteLine($"producer: {metadata.ProducerName}");
        Console.WriteLine($"graph: {metadata.GraphName}");
        foreach ((string key, string value) in metadata.CustomMetadataMap.OrderBy(p => p.Key, StringComparer.Ordinal))
            Console.WriteLine($"metadata: {key}={value}");
        foreach ((string name, NodeMetadata node) in session.InputMetadata)
            Console.WriteLine($"input: {name} {node.ElementDataType} [{Dims(node)}]");
        foreach ((string name, NodeMetadata node) in session.OutputMetadata)
            Console.WriteLine($"output: {name} {node.ElementDataType} [{Dims(node)}]");
    }

    // A vertical bar, roughly what an 'I', 'l' or '1' looks like.
    var image = new float[784];
    for (int r = 4; r < 24; r++)
    {
        for (int c = 12; c < 16; c++)
            image[r * 28 + c] = 1f;
    }
    using (OnnxCnnModel model = OnnxCnnModel.Load(modelPath))
    {
        float[] probabilities = model.Score(image);
        int best = Array.IndexOf(probabilities, probabilities.Max());
        Console.WriteLine($"classes: {model.ClassCount}");
        Console.WriteLine($"predicted: {model.ClassNames[best]}");
        Console.WriteLine($"probability-sum: {probabilities.Sum().ToString("F4", CultureInfo.InvariantCulture)}");

        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable([new Probe.Row { Pixels = image }]);
        var toCharacter = ml.Transforms.Conversion.MapKeyToValue("Character", "PredictedLabel").Fit(model.Transform(data));
        string viaMLNet = toCharacter.Transform(model.Transform(data)).GetColumn<string>("Character").Single();
        Console.WriteLine($"mlnet-predicted: {viaMLNet}");
        // What the temp folder holds while the model is loaded and has been used through ML.NET (a test
        // gives the probe a private TMPDIR, so anything here was written by this process).
        Console.WriteLine($"temp-entries-while-loaded: {TempEntries()}");
    }
    Console.WriteLine($"temp-entries-after-dispose: {TempEntries()}");

    if (imagePath is not null)
    {
        using Hcr.MLNet.HandwritingRecognizer recognizer = Hcr.MLNet.HandwritingRecognizer.LoadOnnx(modelPath);
        Hcr.MLNet.CharacterPrediction prediction = recognizer.Predict(imagePath);
        Console.WriteLine($"recognizer-predicted: {prediction.Character}");
        Console.WriteLine($"recognizer-probabilities: {string.Join(" ", prediction.Probabilities.Select(p => p.ToString("R", CultureInfo.InvariantCulture)))}");
    }
}

static string TempEntries()
{
    string[] entries = Directory.EnumerateFileSystemEntries(Path.GetTempPath()).Select(e => Path.GetFileName(e)).Order(StringComparer.Ordinal).ToArray();
    return entries.Length == 0 ? "none" : string.Join(", ", entries);
}

static string Dims(NodeMetadata node) =>
    string.Join(", ", node.Dimensions.Select((d, i) => d >= 0 ? d.ToString(CultureInfo.InvariantCulture) : node.SymbolicDimensions[i] is { Length: > 0 } s ? s : "?"));

internal static class Probe
{
    /// <summary>Kept in a static field: ONNX Runtime calls it from native code for the whole process's life.</summary>
    public static DOrtLoggingFunction? Logger;

    public static bool IsTorchLibrary(string path)
    {
        string name = Path.GetFileName(path);
        return name.StartsWith("libtorch", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("torch", StringComparison.OrdinalIgnoreCase) && !name.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
            || name.Contains("LibTorchSharp", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("libc10", StringComparison.OrdinalIgnoreCase) || name.StartsWith("c10", StringComparison.OrdinalIgnoreCase);
    }

    public static int DisposeUnderLoad(string modelPath)
    {
        const int rounds = 5, threads = 4;
        var tile = new byte[784];
        for (int r = 4; r < 24; r++)
        {
            for (int c = 12; c < 16; c++)
                tile[r * 28 + c] = 255;
        }
        long predictions = 0;
        int refused = 0;
        var failures = new ConcurrentQueue<Exception>();
        for (int round = 0; round < rounds; round++)
        {
            Hcr.MLNet.HandwritingRecognizer recognizer = Hcr.MLNet.HandwritingRecognizer.LoadOnnx(modelPath);
            using var predicting = new CountdownEvent(threads);
            Thread[] workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
            {
                bool signalled = false;
                try
                {
                    while (true)
                    {
                        recognizer.PredictTile(tile);
                        Interlocked.Increment(ref predictions);
                        if (!signalled)
                        {
                            signalled = true;
                            predicting.Signal();
                        }
                    }
                }
                catch (ObjectDisposedException)
                {
                    Interlocked.Increment(ref refused);
                }
                catch (Exception e)
                {
                    failures.Enqueue(e);
                }
                if (!signalled)
                    predicting.Signal();
            })).ToArray();
            foreach (Thread worker in workers)
                worker.Start();
            predicting.Wait();
            Thread.Sleep(100);
            recognizer.Dispose();
            foreach (Thread worker in workers)
                worker.Join();
            try
            {
                recognizer.PredictTile(tile);
                failures.Enqueue(new InvalidOperationException("PredictTile after Dispose did not throw."));
            }
            catch (ObjectDisposedException)
            {
                // What every call after Dispose gets.
            }
        }
        Console.WriteLine($"dispose-rounds: {rounds}");
        Console.WriteLine($"dispose-predictions: {predictions}");
        Console.WriteLine($"dispose-refused: {refused}");
        Console.WriteLine($"dispose-failures: {failures.Count}");
        foreach (Exception e in failures)
            Console.WriteLine($"dispose-failure: {e.GetType().FullName}: {e.Message}");
        return failures.IsEmpty && refused == rounds * threads ? 0 : 2;
    }

    public static int WithoutTorch(string recognizerFile, string readerFile)
    {
        // Training, fine-tuning and TorchSharp scoring of the pretrained models are in the training assembly, which this
        // application cannot call: the compiler says so. Loading a model file is on the core's types, and the file's
        // network needs the training assembly at run time.
        (string Name, Action Call)[] entryPoints =
        [
            ("load-hcr", () => Hcr.MLNet.HandwritingRecognizer.Load(recognizerFile).Dispose()),
            ("load-hcrtext", () => Hcr.MLNet.HandwritingTextReader.Load(readerFile).Dispose()),
        ];
        int clear = 0;
        foreach ((string name, Action call) in entryPoints)
        {
            try
            {
                call();
                Console.WriteLine($"without-torch: {name}: no exception");
            }
            catch (Exception e)
            {
                bool named = e is Hcr.MLNet.Native.TorchRuntimeException && e.Message.Contains("'Hcr.MLNet'", StringComparison.Ordinal);
                clear += named ? 1 : 0;
                Console.WriteLine($"without-torch: {name}: {e.GetType().FullName}: {e.Message}");
            }
        }
        return clear == entryPoints.Length ? 0 : 2;
    }

    public sealed class Row
    {
        [VectorType(784)]
        public float[] Pixels { get; set; } = [];
    }
}
