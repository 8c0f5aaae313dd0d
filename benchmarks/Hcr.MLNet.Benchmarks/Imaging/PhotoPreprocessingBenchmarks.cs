using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using Hcr.MLNet.Imaging;
using Microsoft.ML.Data;

namespace Hcr.MLNet.Benchmarks.Imaging;

/// <summary>
/// Turning photo files into EMNIST-style tiles: decoding at the working size (CharacterImageLoader),
/// then the ink normalisation (InkNormalizer), on 64 photo-like files (JPEG and PNG, 300–380 px).
/// Op/s is photos per second, on one thread.
/// </summary>
[Config(typeof(Config))]
[MemoryDiagnoser]
public class PhotoPreprocessingBenchmarks
{
    private const int Photos = 64;
    private readonly CharacterImageLoader _loader = new();
    private readonly InkNormalizer _normalizer = new();
    private string[] _paths = [];

    [GlobalSetup]
    public void Setup() => _paths = PhotoFiles.Get(Photos).Paths;

    [Benchmark(OperationsPerInvoke = Photos)]
    public int LoadPhotoFiles()
    {
        int pixels = 0;
        foreach (string path in _paths)
        {
            using MLImage image = _loader.Load(path);
            pixels += image.Width * image.Height;
        }
        return pixels;
    }

    [Benchmark(OperationsPerInvoke = Photos)]
    public int LoadAndNormalizePhotoFiles()
    {
        int ink = 0;
        foreach (string path in _paths)
        {
            using MLImage image = _loader.Load(path);
            ink += _normalizer.Normalize(image).Pixels[14 * 28 + 14];
        }
        return ink;
    }

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(StatisticColumn.OperationsPerSecond);
    }
}
