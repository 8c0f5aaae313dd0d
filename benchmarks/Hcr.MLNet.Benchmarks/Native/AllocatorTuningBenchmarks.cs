using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using Hcr.MLNet.Data;
using Hcr.MLNet.Networks;
using Hcr.MLNet.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Hcr.MLNet.Benchmarks.Native;

/// <summary>
/// Training throughput of the seed CNN (batch 256, all cores) with glibc's default malloc settings
/// and with Hcr.MLNet's allocator tuning. BenchmarkDotNet runs each case in its own process, so the
/// process-wide setting of one cannot leak into the other. Op/s is training images per second.
/// </summary>
[Config(typeof(Config))]
public class AllocatorTuningBenchmarks
{
    private const int BatchSize = 256;
    private const int Batches = 8;

    private nn.Module<Tensor, Tensor> _network = null!;
    private optim.Optimizer _optimizer = null!;
    private Tensor[] _images = [];
    private Tensor[] _labels = [];

    [Params(false, true)]
    public bool TuneAllocator { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        TorchRuntime.Configure(new TorchRuntimeOptions { TuneAllocator = TuneAllocator });
        TorchRuntime.EnsureInitialized();
        TorchRuntime.SetThreads(null);
        torch.manual_seed(1);
        var data = EmnistDataset.Load(BenchmarkData.EmnistDirectory, EmnistSplit.Mnist, EmnistPart.Test);
        (_images, _labels) = Batch(data, BatchSize, Batches);
        _network = CnnArchitecture.Seed.CreateNetwork(data.ClassCount);
        _network.train();
        _optimizer = optim.Adam(_network.parameters(), lr: 1e-3);
    }

    [Benchmark(OperationsPerInvoke = BatchSize * Batches)]
    public void TrainSeedCnn()
    {
        for (int b = 0; b < Batches; b++)
        {
            using var scope = torch.NewDisposeScope();
            _optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(_network.call(_images[b]), _labels[b]);
            loss.backward();
            _optimizer.step();
        }
    }

    internal static (Tensor[] Images, Tensor[] Labels) Batch(EmnistDataset data, int batchSize, int batches)
    {
        var images = new Tensor[batches];
        var labels = new Tensor[batches];
        for (int b = 0; b < batches; b++)
        {
            var pixels = new float[batchSize * EmnistDataset.PixelsPerImage];
            var classes = new long[batchSize];
            for (int i = 0; i < batchSize; i++)
            {
                int index = (b * batchSize + i) % data.Count;
                ReadOnlySpan<byte> image = data.GetImage(index);
                for (int p = 0; p < image.Length; p++)
                    pixels[i * EmnistDataset.PixelsPerImage + p] = image[p] / 255f;
                classes[i] = data.GetLabel(index);
            }
            images[b] = torch.tensor(pixels, [batchSize, 1, 28, 28]).DetachFromDisposeScope();
            labels[b] = torch.tensor(classes).DetachFromDisposeScope();
        }
        return (images, labels);
    }

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            // Each invocation trains 2,048 images (seconds, not microseconds): a few iterations suffice.
            AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1)
                .WithWarmupCount(1).WithIterationCount(5).WithInvocationCount(1).WithUnrollFactor(1));
            AddColumn(StatisticColumn.OperationsPerSecond);
        }
    }
}
