using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using Hcr.MLNet.Native;
using Hcr.MLNet.Onnx;
using Hcr.MLNet.Scoring;
using Hcr.MLNet.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hcr.MLNet.Benchmarks.Onnx;

/// <summary>
/// Batch inference of the same Standard network on 1,024 real EMNIST images: TorchSharp (libtorch)
/// against ONNX Runtime, each through its batch API and through an ML.NET <c>Transform</c> whose
/// <c>Score</c> column is read to the end (TorchSharp scores 256-row batches there; ML.NET's
/// OnnxTransformer runs the model row by row). Op/s is images per second.
/// </summary>
[Config(typeof(Config))]
public class OnnxBatchInferenceBenchmarks
{
    private HandwritingCnnTransformer _torch = null!;
    private OnnxCnnModel _onnx = null!;
    private float[] _pixels = [];
    private float[] _probabilities = [];
    private IDataView _rows = null!;

    [GlobalSetup]
    public void Setup()
    {
        (_torch, _onnx, _pixels) = OnnxBenchmarkModel.Load();
        _probabilities = new float[OnnxBenchmarkModel.Images * _torch.ClassCount];
        var ml = new MLContext(seed: 1);
        _rows = ml.Data.LoadFromEnumerable(Enumerable.Range(0, OnnxBenchmarkModel.Images)
            .Select(i => new Row { Pixels = _pixels[(i * 784)..((i + 1) * 784)] }).ToArray());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _torch.Dispose();
        _onnx.Dispose();
    }

    [Benchmark(OperationsPerInvoke = OnnxBenchmarkModel.Images, Description = "TorchSharp, batch API")]
    public void TorchSharpBatch() => ((IBatchScorer)_torch).Score(_pixels, OnnxBenchmarkModel.Images, _probabilities);

    [Benchmark(OperationsPerInvoke = OnnxBenchmarkModel.Images, Description = "ONNX Runtime, batch API")]
    public void OnnxRuntimeBatch() => _onnx.Score(_pixels, OnnxBenchmarkModel.Images, _probabilities);

    [Benchmark(OperationsPerInvoke = OnnxBenchmarkModel.Images, Description = "TorchSharp, ML.NET Transform")]
    public float TorchSharpTransform() => ReadScores(_torch.Transform(_rows));

    [Benchmark(OperationsPerInvoke = OnnxBenchmarkModel.Images, Description = "ONNX Runtime, ML.NET Transform")]
    public float OnnxRuntimeTransform() => ReadScores(_onnx.Transform(_rows));

    private static float ReadScores(IDataView scored)
    {
        DataViewSchema.Column score = scored.Schema["Score"];
        using DataViewRowCursor cursor = scored.GetRowCursor([score]);
        ValueGetter<VBuffer<float>> get = cursor.GetGetter<VBuffer<float>>(score);
        VBuffer<float> value = default;
        float sum = 0;
        while (cursor.MoveNext())
        {
            get(ref value);
            sum += value.GetValues()[0];
        }
        return sum;
    }

    private sealed class Row
    {
        [VectorType(784)]
        public float[] Pixels { get; set; } = [];
    }

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            // Each invocation scores 1,024 images (tenths of a second to seconds): a few iterations suffice.
            AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1)
                .WithWarmupCount(2).WithIterationCount(8).WithInvocationCount(1).WithUnrollFactor(1));
            AddColumn(StatisticColumn.OperationsPerSecond);
        }
    }
}

/// <summary>
/// Latency of one image through each runtime's single-image API: the interactive (recognizer) case.
/// Both runtimes use all cores by default; the extra TorchSharp case runs libtorch on one thread (each
/// case runs in its own process, so the process-wide setting stays there).
/// </summary>
[Config(typeof(Config))]
public class OnnxLatencyBenchmarks
{
    private HandwritingCnnTransformer _torch = null!;
    private OnnxCnnModel _onnx = null!;
    private float[] _image = [];

    [GlobalSetup(Targets = [nameof(TorchSharpSingleImage), nameof(OnnxRuntimeSingleImage)])]
    public void Setup()
    {
        float[] pixels;
        (_torch, _onnx, pixels) = OnnxBenchmarkModel.Load();
        _image = pixels[..784];
    }

    [GlobalSetup(Target = nameof(TorchSharpSingleImageOneThread))]
    public void SetupOneThread()
    {
        Setup();
        TorchRuntime.SetThreads(1);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _torch.Dispose();
        _onnx.Dispose();
    }

    [Benchmark(Description = "TorchSharp, one image")]
    public float[] TorchSharpSingleImage() => _torch.Score(_image);

    [Benchmark(Description = "ONNX Runtime, one image")]
    public float[] OnnxRuntimeSingleImage() => _onnx.Score(_image);

    [Benchmark(Description = "TorchSharp, one image, 1 thread")]
    public float[] TorchSharpSingleImageOneThread() => _torch.Score(_image);

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            // A fixed 256 calls per iteration (a tenth of a second or more): the pilot stage is easily
            // misled by one slow TorchSharp call on a busy machine.
            AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(12).WithInvocationCount(256).WithUnrollFactor(1));
            AddColumn(StatisticColumn.OperationsPerSecond);
        }
    }
}
