using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Hcr.MLNet.Data;

namespace Hcr.MLNet.Benchmarks.Characters;

/// <summary>
/// The pretrained recognizer shipped in the package (<c>HandwritingRecognizer.LoadPretrained()</c>, ONNX Runtime):
/// how long loading it takes once the process has loaded it before (the first load of a process also pays for
/// JIT compilation and ONNX Runtime's start: the ONNX probe reports that one), and its batch throughput on 4,096 real
/// EMNIST tiles through <c>PredictTiles</c> (256 tiles to an ONNX Runtime call, each scored upright and at the
/// model's test-time rotations). Op/s of the batch benchmark is images per second.
/// </summary>
[Config(typeof(Config))]
public class PretrainedBenchmarks
{
    private const int Tiles = 4096;
    private HandwritingRecognizer _recognizer = null!;
    private EmnistDataset _tiles = null!;

    [GlobalSetup]
    public void Setup()
    {
        _recognizer = HandwritingRecognizer.LoadPretrained();
        // ByMerge test images (the pretrained model trained on them: only the speed is measured here).
        _tiles = EmnistDataset.Load(BenchmarkData.EmnistDirectory, EmnistSplit.ByMerge, EmnistPart.Test).Subset(Enumerable.Range(0, Tiles).ToArray());
        _recognizer.PredictTiles(_tiles.Subset([0]));
    }

    [GlobalCleanup]
    public void Cleanup() => _recognizer.Dispose();

    [Benchmark]
    public int LoadPretrained()
    {
        using HandwritingRecognizer recognizer = HandwritingRecognizer.LoadPretrained();
        return recognizer.Classes.Count;
    }

    [Benchmark(OperationsPerInvoke = Tiles)]
    public int PredictTilesBatch() => _recognizer.PredictTiles(_tiles).Count;

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default.WithWarmupCount(2).WithIterationCount(10));
            AddColumn(StatisticColumn.OperationsPerSecond);
        }
    }
}
