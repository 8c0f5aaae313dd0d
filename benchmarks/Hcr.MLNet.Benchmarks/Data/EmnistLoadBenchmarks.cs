using BenchmarkDotNet.Attributes;
using Hcr.MLNet.Data;

namespace Hcr.MLNet.Benchmarks.Data;

/// <summary>
/// Loading the 116,323-image ByMerge test part (29 MB gzipped, 91 MB of pixels). The allocated
/// column shows that memory stays near the size of the pixels.
/// </summary>
[MemoryDiagnoser]
public class EmnistLoadBenchmarks
{
    private string _directory = "";

    [GlobalSetup]
    public void Setup() => _directory = BenchmarkData.EmnistDirectory;

    [Benchmark]
    public int LoadByMergeTest() => EmnistDataset.Load(_directory, EmnistSplit.ByMerge, EmnistPart.Test).Count;
}
