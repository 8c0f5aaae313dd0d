using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using Hcr.MLNet.Benchmarks.Native;
using Hcr.MLNet.Data;
using Hcr.MLNet.Networks;
using Hcr.MLNet.Native;
using Hcr.MLNet.Training;
using Microsoft.ML;
using TorchSharp;
using static TorchSharp.torch;

namespace Hcr.MLNet.Benchmarks.Training;

/// <summary>
/// The cost of the ML.NET trainer around the network: one epoch of the seed CNN (batch 256, Adam,
/// no augmentation, all cores) over the same 10,240 real EMNIST images, once through
/// <see cref="HandwritingCnnTrainer.Fit"/> (reading the IDataView, building tensors, the training
/// loop) and once as a bare TorchSharp loop over ready-made tensors. Op/s is training images per second.
/// </summary>
[Config(typeof(Config))]
public class TrainerOverheadBenchmarks
{
    private const int BatchSize = 256;
    private const int Batches = 40;
    private const int Images = BatchSize * Batches;

    private MLContext _ml = null!;
    private IDataView _view = null!;
    private Tensor[] _images = [];
    private Tensor[] _labels = [];
    private int _classCount;

    [GlobalSetup]
    public void Setup()
    {
        TorchRuntime.EnsureInitialized();
        var data = EmnistDataset.Load(BenchmarkData.EmnistDirectory, EmnistSplit.ByMerge, EmnistPart.Test)
            .Subset(Enumerable.Range(0, Images).ToArray());
        _classCount = data.ClassCount;
        _ml = new MLContext(seed: 1);
        IDataView raw = data.ToDataView(_ml);
        var preprocessing = _ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(_ml.Transforms.Expression("Pixels", "x => x / 255", "Pixels"))
            .Fit(raw);
        // Cached so that both sides start from decoded, scaled pixels in memory.
        _view = _ml.Data.Cache(preprocessing.Transform(raw));
        (_images, _labels) = AllocatorTuningBenchmarks.Batch(data, BatchSize, Batches);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Images)]
    public void BareTorchSharpLoop()
    {
        TorchRuntime.SetThreads(null);
        torch.manual_seed(1);
        using var network = CnnArchitecture.Seed.CreateNetwork(_classCount);
        network.train();
        using var optimizer = optim.Adam(network.parameters(), lr: 1e-3);
        for (int b = 0; b < Batches; b++)
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(network.call(_images[b]), _labels[b]);
            loss.backward();
            optimizer.step();
        }
    }

    [Benchmark(OperationsPerInvoke = Images)]
    public void HandwritingCnnTrainer()
    {
        HandwritingCnnOptions options = HandwritingCnnOptions.SeedRecipe();
        options.Epochs = 1;
        options.BatchSize = BatchSize;
        options.ValidationFraction = 0;
        options.Device = ComputeDevice.Cpu;
        using HandwritingCnnTransformer model = _ml.MulticlassClassification.Trainers.HandwritingCnn(options).Fit(_view);
    }

    internal sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1)
                .WithWarmupCount(1).WithIterationCount(5).WithInvocationCount(1).WithUnrollFactor(1));
            AddColumn(StatisticColumn.OperationsPerSecond);
        }
    }
}
