using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Google.Protobuf;
using Hcr.MLNet.Native;
using Hcr.MLNet.Text;

namespace Hcr.MLNet.Benchmarks.Text;

/// <summary>
/// A text reader scored by ONNX Runtime (<c>HandwritingTextReader.LoadOnnx</c>) reading one DHSD word, a 256×64 PNG,
/// the whole way: decoding the file, ink analysis and the 32-pixel strip, the network, greedy CTC decoding with boxes
/// and confidences. The target is at most 20 ms a word. The network is the line network's default design with the
/// DHSD alphabet, freshly initialised: its weights do not change its cost.
/// </summary>
[Config(typeof(Config))]
public class TextOnnxBenchmarks
{
    private HandwritingTextReader _reader = null!;
    private byte[] _word = null!;

    [GlobalSetup]
    public void Setup()
    {
        WordImageSet dhsd = WordImageSet.Load(BenchmarkData.DhsdDirectory);
        var alphabet = TextAlphabet.FromTexts(dhsd.Images.Select(i => i.Text));
        TorchRuntime.EnsureInitialized();
        string path = Path.Combine(BenchmarkData.ArtifactsDirectory, "text-reader-benchmark.onnx");
        Directory.CreateDirectory(BenchmarkData.ArtifactsDirectory);
        using (var network = new TextLineNetwork(TextSequenceModel.Convolution, alphabet.ClassCount))
            File.WriteAllBytes(path, TextOnnxExport.Export(network, alphabet, new TextTrainingOptions().MaxWidth).ToByteArray());
        _reader = HandwritingTextReader.LoadOnnx(path);
        _word = File.ReadAllBytes(dhsd.Images[0].Path);
        _reader.Read(_word);
    }

    [GlobalCleanup]
    public void Cleanup() => _reader.Dispose();

    [Benchmark]
    public int ReadOneWord() => _reader.Read(_word).Text.Length;

    private sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(10));
    }
}
