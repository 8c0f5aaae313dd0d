using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Hcr.MLNet.Benchmarks.Imaging;
using Hcr.MLNet.Benchmarks.Onnx;
using Hcr.MLNet.Data;
using Hcr.MLNet.Native;

namespace Hcr.MLNet.Benchmarks.Characters;

/// <summary>
/// What an application sees: <c>HandwritingRecognizer.Predict(path)</c> latency for one photo file, and
/// <c>PredictBatch</c> throughput over 64 photo files (decode, ImageAnalytics + ink normalisation,
/// network), for the recognizer on TorchSharp and the same network loaded from ONNX. Op/s is photos per second.
/// </summary>
[Config(typeof(Config))]
public class RecognizerBenchmarks
{
    private const int Photos = 64;
    private HandwritingRecognizer _recognizer = null!;
    private string[] _paths = [];

    [Params("TorchSharp", "ONNX Runtime")]
    public string Engine { get; set; } = "TorchSharp";

    [GlobalSetup]
    public void Setup()
    {
        (string hcr, string onnx) = RecognizerFiles();
        _recognizer = Engine == "TorchSharp" ? HandwritingRecognizer.Load(hcr, ComputeDevice.Cpu) : HandwritingRecognizer.LoadOnnx(onnx);
        _paths = PhotoFiles.Get(Photos).Paths;
        _recognizer.Predict(_paths[0]); // first-call costs (engines, sessions) are not what is measured
    }

    [GlobalCleanup]
    public void Cleanup() => _recognizer.Dispose();

    [Benchmark]
    public char PredictOnePhotoFile() => _recognizer.Predict(_paths[1]).Character;

    [Benchmark(OperationsPerInvoke = Photos)]
    public int PredictBatchOfPhotoFiles() => _recognizer.PredictBatch(_paths).Count;

    /// <summary>A recognizer on the benchmark network (see <see cref="OnnxBenchmarkModel"/>), saved once in both formats.</summary>
    private static (string Hcr, string Onnx) RecognizerFiles()
    {
        string directory = Path.Combine(BenchmarkData.ArtifactsDirectory, "models");
        string hcr = Path.Combine(directory, "recognizer-bymerge-3000x2.hcr"), onnx = Path.ChangeExtension(hcr, ".onnx");
        if (!File.Exists(hcr) || !File.Exists(onnx))
        {
            var (train, _) = EmnistDataset.Load(BenchmarkData.EmnistDirectory, EmnistSplit.ByMerge, EmnistPart.Test).Split(0.9, seed: 2024);
            using HandwritingRecognizer trained = HandwritingRecognizer.Create()
                .WithData(train.Subset(Enumerable.Range(0, 3000).ToArray()))
                .WithEpochs(2).OnDevice(ComputeDevice.Cpu)
                .WithTrainerOptions(o => o.ValidationFraction = 0)
                .Train();
            Directory.CreateDirectory(directory);
            trained.Save(hcr);
            trained.ExportOnnx(onnx);
        }
        return (hcr, onnx);
    }

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default.WithWarmupCount(2).WithIterationCount(10));
            AddColumn(StatisticColumn.OperationsPerSecond);
        }
    }
}
