using BenchmarkDotNet.Attributes;
using Hcr.MLNet.Benchmarks.Native;
using Hcr.MLNet.Benchmarks.Training;
using Hcr.MLNet.Data;
using Hcr.MLNet.Networks;
using Hcr.MLNet.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hcr.MLNet.Benchmarks.Networks;

/// <summary>
/// What the <see cref="ChannelsLast"/> layer buys: training steps (batch 128, AdamW, all cores) and
/// batched inference of the Standard network on the same real EMNIST images, as built (channels-last
/// activations from the first convolution on) and with that one layer taken out (NCHW throughout).
/// Op/s is images per second.
/// </summary>
[Config(typeof(TrainerOverheadBenchmarks.Config))] // the same few long iterations as the trainer benchmark
public class ChannelsLastBenchmarks
{
    private const int BatchSize = 128;
    private const int Batches = 24;
    private const int Images = BatchSize * Batches;

    private Tensor[] _images = [];
    private Tensor[] _labels = [];
    private Tensor _all = null!;
    private int _classCount;

    /// <summary>Whether the network keeps its ChannelsLast layer.</summary>
    [Params(true, false)]
    public bool ChannelsLastLayer { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        TorchRuntime.EnsureInitialized();
        TorchRuntime.SetThreads(null);
        var data = EmnistDataset.Load(BenchmarkData.EmnistDirectory, EmnistSplit.ByMerge, EmnistPart.Test)
            .Subset(Enumerable.Range(0, Images).ToArray());
        _classCount = data.ClassCount;
        (_images, _labels) = AllocatorTuningBenchmarks.Batch(data, BatchSize, Batches);
        _all = torch.cat(_images, 0);
    }

    [Benchmark(OperationsPerInvoke = Images)]
    public void TrainingSteps()
    {
        torch.manual_seed(1);
        using nn.Module<Tensor, Tensor> network = Network();
        network.train();
        using var optimizer = optim.AdamW(network.parameters(), lr: 1e-3, weight_decay: 0.1);
        for (int b = 0; b < Batches; b++)
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            nn.functional.cross_entropy(network.call(_images[b]), _labels[b], label_smoothing: 0.1).backward();
            optimizer.step();
        }
    }

    [Benchmark(OperationsPerInvoke = Images)]
    public void Inference()
    {
        torch.manual_seed(1);
        using nn.Module<Tensor, Tensor> network = Network();
        network.eval();
        using var noGrad = torch.no_grad();
        for (long start = 0; start < Images; start += 1024)
        {
            using var scope = torch.NewDisposeScope();
            network.call(_all.narrow(0, start, Math.Min(1024, Images - start)));
        }
    }

    private nn.Module<Tensor, Tensor> Network()
    {
        var network = (Sequential)CnnArchitecture.Standard.CreateNetwork(_classCount);
        if (ChannelsLastLayer)
            return network;
        var layers = network.named_children().Where(c => c.module is not ChannelsLast)
            .Select(c => (c.name, (nn.Module<Tensor, Tensor>)c.module)).ToArray();
        return nn.Sequential(layers);
    }
}
