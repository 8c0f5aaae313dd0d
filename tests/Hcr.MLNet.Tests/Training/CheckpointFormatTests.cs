using Hcr.MLNet.IO;
using Hcr.MLNet.Networks;
using Hcr.MLNet.Native;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Hcr.MLNet.Tests.Training;

/// <summary>
/// Checkpoint files without training: a run's state (untrained networks, a fresh optimizer) saved and restored
/// directly, then damaged, aged or moved to other data.
/// </summary>
public sealed class CheckpointFormatTests : IDisposable
{
    private const int ClassCount = 3;

    private readonly TempDirectory _dir = new();

    public CheckpointFormatTests() => TorchRuntime.EnsureInitialized();

    public void Dispose() => _dir.Dispose();

    private sealed class Run : IDisposable
    {
        public Run(HandwritingCnnOptions options, ImageTensors train, string directory)
        {
            Network = options.Architecture.CreateNetwork(ClassCount);
            Optimizer = OptimizerFactory.Create(options, Network);
            Average = new WeightAverage(Network, options.Architecture.CreateNetwork(ClassCount), 0.9);
            Checkpoint = new TrainingCheckpoint(directory, TrainingCheckpoint.Fingerprint(options, ClassCount, train, null), options.Architecture, ClassCount);
        }

        public nn.Module<Tensor, Tensor> Network { get; }

        public TorchSharp.Modules.OptimizerHelper Optimizer { get; }

        public WeightAverage Average { get; }

        public RunState<EpochMetrics> State { get; } = new();

        public TrainingCheckpoint Checkpoint { get; }

        public bool TryRestore() => Checkpoint.TryRestore(Network, Optimizer, State, Average);

        public void Save() => Checkpoint.Save(Network, Optimizer, State, Average);

        public void Dispose()
        {
            State.Dispose();
            Optimizer.Dispose();
            Average.Dispose();
            Network.Dispose();
        }
    }

    private static HandwritingCnnOptions Options() => TrainerFixture.Quick(epochs: 3);

    private static ImageTensors Images(int seed, int count = 12)
    {
        var random = new Random(seed);
        float[] pixels = Enumerable.Range(0, count * 784).Select(_ => (float)random.NextDouble()).ToArray();
        long[] labels = Enumerable.Range(0, count).Select(i => (long)(i % ClassCount)).ToArray();
        return ImageTensors.Create(pixels, labels, ClassCount, torch.CPU);
    }

    private Run SavedRun(ImageTensors train)
    {
        var run = new Run(Options(), train, _dir.Path);
        run.State.History.Add(new EpochMetrics(1, 1.5, 0.4, null, null, null, 0.002, TimeSpan.FromSeconds(3), 100, 1 << 20));
        run.State.KeepWeights(run.Network);
        run.State.BestEpoch = 1;
        run.Average.Steps = 7;
        run.Save();
        return run;
    }

    [Fact]
    public void A_checkpoint_restores_the_state_it_saved()
    {
        using ImageTensors train = Images(1);
        using Run saved = SavedRun(train);
        using var restored = new Run(Options(), train, _dir.Path);

        Assert.True(restored.TryRestore());

        Assert.Equal(saved.State.History, restored.State.History);
        Assert.Equal(1, restored.State.BestEpoch);
        Assert.Equal(7, restored.Average.Steps);
        Dictionary<string, Tensor> expected = saved.Network.state_dict();
        Assert.All(restored.Network.state_dict(), p => Assert.True(p.Value.eq(expected[p.Key]).all().item<bool>(), p.Key));
        Assert.All(restored.State.BestWeights!, p => Assert.True(p.Value.eq(expected[p.Key]).all().item<bool>(), p.Key));
        Assert.Equal("HCR-CKP\n"u8.ToArray(), File.ReadAllBytes(saved.Checkpoint.FilePath)[..8]);
    }

    [Fact]
    public void A_checkpoint_with_4KB_overwritten_is_refused_not_resumed()
    {
        using ImageTensors train = Images(1);
        using (SavedRun(train)) { }
        string path = Path.Combine(_dir.Path, "checkpoint.hcrckpt");
        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 3 * 4096);
        bytes.AsSpan(bytes.Length / 2, 4096).Fill(0xFF);
        File.WriteAllBytes(path, bytes);

        using var run = new Run(Options(), train, _dir.Path);
        var e = Assert.Throws<ModelFormatException>(() => run.TryRestore());
        Assert.Contains("checksum mismatch", e.Message);
        Assert.Contains(path, e.Message);
        Assert.Empty(run.State.History);
    }

    [Fact]
    public void Weights_that_are_not_finite_are_refused_even_with_a_valid_checksum()
    {
        using ImageTensors train = Images(1);
        var run = new Run(Options(), train, _dir.Path);
        (string name, Tensor weight) = run.Network.state_dict().First(p => p.Value.is_floating_point());
        using (torch.no_grad())
            weight.view(-1)[0].fill_(float.PositiveInfinity);
        run.Save();
        run.Dispose();

        using var restored = new Run(Options(), train, _dir.Path);
        var e = Assert.Throws<ModelFormatException>(() => restored.TryRestore());
        Assert.Contains($"'{name}'", e.Message);
        Assert.Contains("NaN or infinite", e.Message);
    }

    [Fact]
    public void A_checkpoint_of_the_same_size_but_other_data_is_refused()
    {
        using ImageTensors train = Images(1);
        using ImageTensors other = Images(2);
        using (SavedRun(train)) { }

        using var run = new Run(Options(), other, _dir.Path);
        var e = Assert.Throws<InvalidDataException>(() => run.TryRestore());
        Assert.Contains("other data", e.Message);
        Assert.Contains("CheckpointDirectory", e.Message);
    }

    [Fact]
    public void Checkpoints_of_the_older_format_are_refused_with_a_way_forward()
    {
        // The start of a format 2 checkpoint: its magic as a length-prefixed string, then the version.
        string path = Path.Combine(_dir.Path, "checkpoint.hcrckpt");
        using (var writer = new BinaryWriter(File.Create(path)))
        {
            writer.Write("HCR-CHECKPOINT");
            writer.Write(2);
            writer.Write("fingerprint");
        }
        using ImageTensors train = Images(1);
        using var run = new Run(Options(), train, _dir.Path);

        var e = Assert.Throws<ModelFormatException>(() => run.TryRestore());
        Assert.Contains(path, e.Message);
        Assert.Contains("older version", e.Message);
        Assert.Contains("restart training", e.Message);
    }

    [Fact]
    public void Foreign_truncated_and_newer_checkpoints_are_format_errors()
    {
        using ImageTensors train = Images(1);
        using (SavedRun(train)) { }
        string path = Path.Combine(_dir.Path, "checkpoint.hcrckpt");
        byte[] good = File.ReadAllBytes(path);
        using var run = new Run(Options(), train, _dir.Path);

        File.WriteAllBytes(path, good[..(good.Length / 2)]);
        Assert.Contains("checksum mismatch", Assert.Throws<ModelFormatException>(() => run.TryRestore()).Message);

        File.WriteAllBytes(path, good[..10]);
        Assert.Contains("truncated", Assert.Throws<ModelFormatException>(() => run.TryRestore()).Message);

        File.WriteAllText(path, "something else entirely");
        Assert.Contains("not an Hcr.MLNet training checkpoint", Assert.Throws<ModelFormatException>(() => run.TryRestore()).Message);

        byte[] newer = (byte[])good.Clone();
        newer[8] = 9;
        File.WriteAllBytes(path, newer);
        Assert.Contains("format version 9", Assert.Throws<ModelFormatException>(() => run.TryRestore()).Message);
    }
}
