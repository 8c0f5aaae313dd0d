using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json.Nodes;
using Hcr.MLNet.IO;
using Hcr.MLNet.Native;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Training;
using TorchSharp;

namespace Hcr.MLNet.Tests.IO;

/// <summary>
/// Damaged and hostile network files: every one is refused with a <see cref="ModelFormatException"/> that names
/// the file (and the tensor, where there is one), never with an overflow, an I/O error or a model of NaNs.
/// Untrained networks stand in for trained ones: only the layout matters.
/// </summary>
public class NetworkFileHardeningTests
{
    [Fact]
    public void Saved_network_loads_with_the_same_weights()
    {
        using var dir = new TempDirectory();
        using HandwritingCnnTransformer network = ModelFiles.UntrainedNetwork();
        string path = dir.File("net.hcrcnn");
        network.Save(path);

        using HandwritingCnnTransformer loaded = HandwritingCnnTransformer.Load(path, ComputeDevice.Cpu);

        Dictionary<string, torch.Tensor> expected = network.Network.state_dict();
        Assert.Equal(expected.Keys, loaded.Network.state_dict().Keys);
        Assert.All(loaded.Network.state_dict(), p => Assert.True(p.Value.eq(expected[p.Key]).all().item<bool>(), p.Key));
    }

    [Fact]
    public void A_tensor_of_absurd_rank_is_refused_naming_file_and_tensor()
    {
        using var dir = new TempDirectory();
        using HandwritingCnnTransformer network = ModelFiles.UntrainedNetwork();
        byte[] good = ModelFiles.Bytes(network);
        (string tensor, int rankAt) = ModelFiles.FirstTensor(good);
        string path = dir.File("net.hcrcnn");
        // Rank 2^32 - 1 as TorchSharp encodes it (LEB128); TorchSharp allocates an array of that many sizes.
        File.WriteAllBytes(path, ModelFiles.Splice(good, rankAt, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F));

        var e = Assert.Throws<ModelFormatException>(() => HandwritingCnnTransformer.Load(path, ComputeDevice.Cpu));
        Assert.Contains(path, e.Message);
        Assert.Contains(tensor, e.Message);
        Assert.Contains("4294967295 dimensions", e.Message);
    }

    [Fact]
    public void Sizes_whose_product_overflows_and_overlong_numbers_are_refused()
    {
        using var dir = new TempDirectory();
        using HandwritingCnnTransformer network = ModelFiles.UntrainedNetwork();
        byte[] good = ModelFiles.Bytes(network);
        (string tensor, int rankAt) = ModelFiles.FirstTensor(good);
        string path = dir.File("net.hcrcnn");

        // Rank 2 with sizes 2^62 each: the element count overflows a long.
        byte[] huge = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40];
        File.WriteAllBytes(path, ModelFiles.Splice(good, rankAt, 1, [0x02, .. huge, .. huge]));
        var e = Assert.Throws<ModelFormatException>(() => HandwritingCnnTransformer.Load(path, ComputeDevice.Cpu));
        Assert.Contains(tensor, e.Message);
        Assert.Contains("shape", e.Message);

        // A number of ten bytes would not fit a long without turning negative.
        File.WriteAllBytes(path, ModelFiles.Splice(good, rankAt, 1, [.. Enumerable.Repeat((byte)0xFF, 9), 0x01]));
        e = Assert.Throws<ModelFormatException>(() => HandwritingCnnTransformer.Load(path, ComputeDevice.Cpu));
        Assert.Contains("not a valid number", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void A_negative_string_length_is_refused_naming_the_file()
    {
        using var dir = new TempDirectory();
        using HandwritingCnnTransformer network = ModelFiles.UntrainedNetwork();
        byte[] good = ModelFiles.Bytes(network);
        string path = dir.File("net.hcrcnn");
        // -1 as BinaryWriter's 7-bit encoding writes it, in place of the first class name's length.
        File.WriteAllBytes(path, ModelFiles.Splice(good, ModelFiles.FirstClassNameOffset(good), 1, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F));

        var e = Assert.Throws<ModelFormatException>(() => HandwritingCnnTransformer.Load(path, ComputeDevice.Cpu));
        Assert.Contains(path, e.Message);
        Assert.Contains("class 0", e.Message);
    }

    [Fact]
    public void Weights_that_are_not_finite_are_refused_naming_the_tensor()
    {
        using var dir = new TempDirectory();
        using HandwritingCnnTransformer network = ModelFiles.UntrainedNetwork();
        (string name, torch.Tensor weight) = network.Network.state_dict().Last(p => p.Value.is_floating_point());
        using (torch.no_grad())
            weight.view(-1)[0].fill_(float.NaN);
        string path = dir.File("net.hcrcnn");
        network.Save(path);

        var e = Assert.Throws<ModelFormatException>(() => HandwritingCnnTransformer.Load(path, ComputeDevice.Cpu));
        Assert.Contains(path, e.Message);
        Assert.Contains($"'{name}'", e.Message);
        Assert.Contains("NaN or infinite", e.Message);
    }

    [Fact]
    public void A_directory_is_not_reported_as_missing()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<ModelFormatException>(() => HandwritingCnnTransformer.Load(dir.Path));
        Assert.Contains("is a directory", e.Message);
        Assert.Throws<FileNotFoundException>(() => HandwritingCnnTransformer.Load(dir.File("absent.hcrcnn")));
    }
}

/// <summary>
/// Damaged and hostile <c>.hcr</c> files: checksum, memory bombs, invalid settings, directories. The recognizer is
/// built around an untrained network (saving and loading do not depend on what it learned).
/// </summary>
public sealed class RecognizerFileHardeningTests : IDisposable
{
    private const string Network = "network.hcrcnn";
    private const string Manifest = "manifest.json";
    private const long MaxAllocation = 64L << 20;
    private static readonly TimeSpan Quickly = TimeSpan.FromSeconds(20);

    private readonly TempDirectory _dir = new();
    private readonly byte[] _good;

    public RecognizerFileHardeningTests()
    {
        using HandwritingRecognizer recognizer = HandwritingRecognizer.FromNetwork(ModelFiles.UntrainedNetwork());
        string path = _dir.File("good.hcr");
        recognizer.Save(path);
        _good = File.ReadAllBytes(path);
    }

    public void Dispose() => _dir.Dispose();

    private string Write(byte[] content, string name = "model.hcr")
    {
        string path = _dir.File(name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private byte[] WithManifest(Action<JsonObject> change)
    {
        JsonObject manifest = JsonNode.Parse(ModelFiles.ReadEntry(_good, Manifest))!.AsObject();
        change(manifest);
        return ModelFiles.ReplaceEntry(_good, Manifest, System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString()));
    }

    [Fact]
    public void The_manifest_records_the_networks_checksum_and_the_file_loads()
    {
        JsonObject manifest = JsonNode.Parse(ModelFiles.ReadEntry(_good, Manifest))!.AsObject();
        string expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(ModelFiles.ReadEntry(_good, Network)));
        Assert.Equal(expected, (string?)manifest["NetworkSha256"]);
        Assert.Equal(1, (int?)manifest["FormatVersion"]);
        using HandwritingRecognizer loaded = HandwritingRecognizer.Load(Write(_good), ComputeDevice.Cpu);
        Assert.Equal(ModelFiles.Classes, new string(loaded.Classes.ToArray()));
    }

    [Fact]
    public void A_flipped_bit_in_the_network_is_a_checksum_mismatch()
    {
        byte[] network = ModelFiles.ReadEntry(_good, Network);
        network[^1] ^= 0x01; // the lowest bit of the last weight: still a finite number, and a valid zip entry
        string path = Write(ModelFiles.ReplaceEntry(_good, Network, network));

        var e = Assert.Throws<ModelFormatException>(() => HandwritingRecognizer.Load(path, ComputeDevice.Cpu));
        Assert.Contains("checksum mismatch", e.Message);
        Assert.Contains(path, e.Message);
    }

    /// <summary>
    /// A flipped bit anywhere in the file (the ML.NET steps, the manifest, the zip's records, the seal) is a
    /// ModelFormatException naming the file. Before the whole-file seal, 22 of 40 flips in the ML.NET steps loaded
    /// silently and one escaped as FileLoadException.
    /// </summary>
    [Fact]
    public void A_flipped_bit_anywhere_is_refused_as_damage()
    {
        Assert.StartsWith("hcr-sha256:", System.Text.Encoding.ASCII.GetString(_good[^75..]), StringComparison.Ordinal);
        var random = new Random(27);
        const int Flips = 48;
        for (int i = 0; i < Flips; i++)
        {
            // Spread over the whole file, the last bytes (end record and seal) always among them.
            int at = i < 8 ? _good.Length - 1 - i * 11 : random.Next(_good.Length);
            byte[] flipped = (byte[])_good.Clone();
            flipped[at] ^= (byte)(1 << random.Next(8));
            string path = Write(flipped, $"flip-{i}.hcr");
            Exception? thrown = Record.Exception(() => HandwritingRecognizer.Load(path, ComputeDevice.Cpu).Dispose());
            Assert.True(thrown is ModelFormatException, $"a bit flipped at byte {at} of {_good.Length}: {thrown?.GetType().Name ?? "loaded silently"} {thrown?.Message}");
            Assert.Contains(path, thrown!.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Two_entries_of_one_name_are_refused()
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (string name in new[] { Manifest, Manifest, Network })
            {
                using Stream entry = zip.CreateEntry(name).Open();
                entry.Write(ModelFiles.ReadEntry(_good, name));
            }
        }
        string path = Write(ModelArchive.Seal(output.ToArray()));
        var e = Assert.Throws<ModelFormatException>(() => HandwritingRecognizer.Load(path, ComputeDevice.Cpu));
        Assert.Contains($"2 entries named '{Manifest}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Files_written_before_checksums_still_load()
    {
        // What format 1 files of earlier versions hold: the same manifest without NetworkSha256.
        string path = Write(WithManifest(m => m.Remove("NetworkSha256")));
        using HandwritingRecognizer loaded = HandwritingRecognizer.Load(path, ComputeDevice.Cpu);
        Assert.Equal(ModelFiles.Classes, new string(loaded.Classes.ToArray()));
    }

    [Fact]
    public void A_network_entry_declaring_more_than_a_network_holds_is_refused_before_inflating()
    {
        // 300 MB of zeros (more than MaxNetworkBytes) compress to a few hundred KB.
        long size = ModelFormats.MaxNetworkBytes + (44L << 20);
        string path = Write(ModelFiles.RewriteEntry(_good, Network, s => ModelFiles.WriteZeros(s, size), CompressionLevel.SmallestSize));
        Assert.True(new FileInfo(path).Length < 2 << 20, $"{new FileInfo(path).Length:N0} bytes");

        ModelFormatException e = LoadRefusedQuicklyAndCheaply(path);
        Assert.Contains("declares", e.Message);
        Assert.Contains(Network, e.Message);
    }

    [Fact]
    public void A_network_entry_that_inflates_past_its_declared_size_is_stopped_while_inflating()
    {
        byte[] bomb = ModelFiles.RewriteEntry(_good, Network, s => ModelFiles.WriteZeros(s, 300L << 20), CompressionLevel.SmallestSize);
        string path = Write(ModelFiles.WithDeclaredSize(bomb, Network, 4096));

        LoadRefusedQuicklyAndCheaply(path);
    }

    [Fact]
    public void An_MLNet_step_that_inflates_to_more_than_a_step_holds_is_refused()
    {
        using var nested = new MemoryStream();
        using (var zip = new ZipArchive(nested, ZipArchiveMode.Create, leaveOpen: true))
        {
            using Stream entry = zip.CreateEntry("TransformerChain/Model.key", CompressionLevel.SmallestSize).Open();
            ModelFiles.WriteZeros(entry, ModelFormats.MaxMLNetStepBytes + (4L << 20));
        }
        string path = Write(ModelFiles.ReplaceEntry(_good, "mlnet/normalization.zip", nested.ToArray()));

        ModelFormatException e = LoadRefusedQuicklyAndCheaply(path);
        Assert.Contains("mlnet/normalization.zip", e.Message);
    }

    private static ModelFormatException LoadRefusedQuicklyAndCheaply(string path)
    {
        TorchRuntime.EnsureInitialized();
        var clock = Stopwatch.StartNew();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ModelFormatException>(() => HandwritingRecognizer.Load(path, ComputeDevice.Cpu));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < MaxAllocation, $"{allocated:N0} bytes allocated refusing {path}: {e.Message}");
        Assert.True(clock.Elapsed < Quickly, $"{clock.Elapsed} to refuse {path}");
        Assert.Contains(path, e.Message);
        return e;
    }

    [Theory]
    [InlineData("AnalysisSize", 1, "AnalysisSize")]
    [InlineData("Polarity", 7, "Polarity")]
    [InlineData("Centering", -3, "Centering")]
    public void Preprocessing_settings_out_of_range_are_a_format_error(string setting, int value, string named)
    {
        string path = Write(WithManifest(m => m["Preprocessing"]![setting] = value));

        var e = Assert.Throws<ModelFormatException>(() => HandwritingRecognizer.Load(path, ComputeDevice.Cpu));
        Assert.Contains(path, e.Message);
        Assert.Contains(named, e.Message);
    }

    [Fact]
    public void A_refused_file_leaves_no_network_behind()
    {
        TorchRuntime.EnsureInitialized();
        // Invalid settings (today refused before the network loads) and a damaged ML.NET step (read after it).
        string[] refused =
        [
            Write(WithManifest(m => m["Preprocessing"]!["AnalysisSize"] = 1), "settings.hcr"),
            Write(ModelFiles.ReplaceEntry(_good, "mlnet/label-mapping.zip", "not a zip"u8.ToArray()), "step.hcr"),
        ];
        string good = Write(_good, "good-copy.hcr");
        foreach (string path in refused)
            Assert.Throws<ModelFormatException>(() => HandwritingRecognizer.Load(path, ComputeDevice.Cpu)); // warm-up: one-time allocations
        using (HandwritingRecognizer.Load(good, ComputeDevice.Cpu)) { }

        // TorchSharp's count keeps a few tensors of every network created, disposed or not; a network left undisposed keeps all of its own.
        long before = LiveTensors();
        long held;
        using (HandwritingRecognizer.Load(good, ComputeDevice.Cpu))
            held = LiveTensors() - before;
        long disposed = LiveTensors() - before;
        Assert.True(held > disposed, $"held {held}, disposed {disposed}");

        foreach (string path in refused)
        {
            long start = LiveTensors();
            Assert.Throws<ModelFormatException>(() => HandwritingRecognizer.Load(path, ComputeDevice.Cpu));
            Assert.True(LiveTensors() - start <= disposed, $"{path}: {LiveTensors() - start} tensors left, a disposed network leaves {disposed}");
        }
    }

    private static long LiveTensors() => DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

    [Fact]
    public void A_directory_is_not_reported_as_missing()
    {
        var e = Assert.Throws<ModelFormatException>(() => HandwritingRecognizer.Load(_dir.Path));
        Assert.Contains("is a directory", e.Message);
        Assert.Contains(_dir.Path, e.Message);
        Assert.Throws<FileNotFoundException>(() => HandwritingRecognizer.Load(_dir.File("absent.hcr")));
    }
}
