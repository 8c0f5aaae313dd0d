using Hcr.MLNet.Networks;
using Hcr.MLNet.Native;
using Hcr.MLNet.Onnx;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;

namespace Hcr.MLNet.Tests.Onnx;

/// <summary>
/// The ONNX Runtime session behind <see cref="OnnxCnnModel"/>: one per model, made from
/// <see cref="OnnxScoringOptions"/>, serving the batch API and ML.NET alike. This machine's ONNX Runtime
/// is the CPU-only package, so the GPU providers are tested for their plumbing and their errors.
/// </summary>
public sealed class OnnxSessionTests : IDisposable
{
    private const int Classes = 10;

    private readonly TempDirectory _dir = new();
    private readonly string _model;

    public OnnxSessionTests()
    {
        TorchRuntime.EnsureInitialized();
        _model = _dir.File("model.onnx");
        // Untrained weights give almost uniform probabilities; tripled in each of the four layers, the logits
        // spread enough for the probabilities to depend on the image. The rotations put Gather, Concat and
        // ReduceMean in the graph, so the optimisation levels have more than a plain chain to rewrite.
        var weights = CnnArchitecture.Seed.CreateNetwork(Classes);
        using (torch.no_grad())
        {
            foreach (TorchSharp.Modules.Parameter parameter in weights.parameters())
                parameter.mul_(3);
        }
        using HandwritingCnnTransformer network = OnnxTestSupport.Wrap(weights, CnnArchitecture.Seed, Classes, [-5, 5]);
        network.ExportOnnx(_model);
    }

    public void Dispose() => _dir.Dispose();

    private sealed class Row
    {
        [VectorType(784)]
        public float[] Pixels { get; set; } = [];
    }

    /// <summary>Images with ink where a character would be: the first <paramref name="count"/> synthetic glyphs.</summary>
    private static float[] Images(int count) => OnnxTestSupport.Pixels(SyntheticGlyphs.Create((count + 3) / 4, seed: 11), count);

    [Fact]
    public void Options_reach_the_session_options()
    {
        var options = new OnnxScoringOptions { IntraOpThreads = 1, OptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using (SessionOptions session = options.CreateSessionOptions())
        {
            Assert.Equal(1, session.IntraOpNumThreads);
            Assert.Equal(GraphOptimizationLevel.ORT_DISABLE_ALL, session.GraphOptimizationLevel);
            Assert.Equal(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL, session.LogSeverityLevel);
        }
        using (SessionOptions session = (options with { IntraOpThreads = 2, OptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC }).CreateSessionOptions())
        {
            Assert.Equal(2, session.IntraOpNumThreads);
            Assert.Equal(GraphOptimizationLevel.ORT_ENABLE_BASIC, session.GraphOptimizationLevel);
        }
        // The defaults leave ONNX Runtime's thread count alone (0: its own choice) and optimise fully.
        using (SessionOptions session = OnnxScoringOptions.Default.CreateSessionOptions())
        {
            Assert.Equal(0, session.IntraOpNumThreads);
            Assert.Equal(GraphOptimizationLevel.ORT_ENABLE_ALL, session.GraphOptimizationLevel);
            Assert.Equal(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL, session.LogSeverityLevel);
        }

        using OnnxCnnModel model = OnnxCnnModel.Load(_model, options: options);
        Assert.Same(options, model.ScoringOptions);
        using OnnxCnnModel byDefault = OnnxCnnModel.Load(_model);
        Assert.Equal(OnnxScoringOptions.Default, byDefault.ScoringOptions);
    }

    [Fact]
    public void Bad_option_values_are_refused_where_they_are_set()
    {
        Assert.Equal("DeviceId", Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxScoringOptions { DeviceId = -1 }).ParamName);
        Assert.Equal("IntraOpThreads", Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxScoringOptions { IntraOpThreads = 0 }).ParamName);
        Assert.Equal("ExecutionProvider", Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxScoringOptions { ExecutionProvider = (OnnxExecutionProvider)7 }).ParamName);
        Assert.Equal("OptimizationLevel", Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxScoringOptions { OptimizationLevel = (GraphOptimizationLevel)42 }).ParamName);
        Assert.Null(new OnnxScoringOptions { IntraOpThreads = null }.IntraOpThreads);
    }

    [Fact]
    public void Non_default_CPU_options_score_the_same_probabilities_through_the_batch_API_and_ML_NET()
    {
        const int count = 40;
        float[] pixels = Images(count);
        using OnnxCnnModel byDefault = OnnxCnnModel.Load(_model);
        using OnnxCnnModel tuned = OnnxCnnModel.Load(_model, options: new OnnxScoringOptions
        {
            IntraOpThreads = 1,
            OptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL,
        });
        var expected = new float[count * Classes];
        var actual = new float[count * Classes];
        byDefault.Score(pixels, count, expected);
        tuned.Score(pixels, count, actual);

        // The comparison means something only if the probabilities depend on the image.
        double spread = Enumerable.Range(0, expected.Length).Max(i => Math.Abs(expected[i] - expected[i % Classes]));
        Assert.True(spread > 0.01, $"The probabilities hardly depend on the image (spread {spread}); the comparison would prove little.");
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-5, $"probability {i}: {expected[i]} by default, {actual[i]} with one thread and no graph optimisation");

        // ML.NET's rows (scored one at a time) go through the same session as the batch API's single images.
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, count).Select(i => new Row { Pixels = pixels[(i * 784)..((i + 1) * 784)] }));
        float[][] rows = tuned.Transform(data).GetColumn<float[]>("Score").ToArray();
        for (int i = 0; i < count; i++)
            Assert.Equal(tuned.Score(pixels.AsSpan(i * 784, 784)), rows[i]);
    }

    [Fact]
    public void Transform_scores_on_the_model_s_own_session_which_Dispose_closes()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable([new Row { Pixels = Images(1) }]);
        OnnxCnnModel model = OnnxCnnModel.Load(_model, ml);
        IDataView scored = model.Transform(data);
        Assert.Single(scored.GetColumn<float[]>("Score"));
        model.Dispose();
        // Scoring a row after Dispose reaches the disposed model: no other session is left to answer.
        Assert.Throws<ObjectDisposedException>(() => scored.GetColumn<float[]>("Score").ToArray());
    }

    [Fact]
    public void Asking_for_CUDA_without_the_GPU_package_names_the_package_and_the_providers_found()
    {
        string[] available = OrtEnv.Instance().GetAvailableProviders();
        Assert.True(!available.Contains("CUDAExecutionProvider"), "This test needs the CPU-only ONNX Runtime package; this one has CUDA.");
        var cuda = new OnnxScoringOptions { ExecutionProvider = OnnxExecutionProvider.Cuda, DeviceId = 1 };

        var e = Assert.Throws<ExecutionProviderUnavailableException>(() => OnnxCnnModel.Load(_model, options: cuda));
        Assert.Equal(OnnxExecutionProvider.Cuda, e.Provider);
        Assert.Equal(available, e.AvailableProviders);
        Assert.Contains("CPUExecutionProvider", e.AvailableProviders);
        Assert.Contains("CUDA device 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu package, version 1.32.0", e.Message, StringComparison.Ordinal);
        Assert.Contains("<PackageReference Include=\"Microsoft.ML.OnnxRuntime\" ExcludeAssets=\"all\" />", e.Message, StringComparison.Ordinal);
        Assert.Contains($"(it has: {string.Join(", ", available)})", e.Message, StringComparison.Ordinal);

        // The recognizer passes its options down; the error is the same.
        var fromRecognizer = Assert.Throws<ExecutionProviderUnavailableException>(() => HandwritingRecognizer.LoadOnnx(_model, cuda));
        Assert.Equal(e.Message.Replace(_model, "", StringComparison.Ordinal), fromRecognizer.Message.Replace(_model, "", StringComparison.Ordinal));
    }

    [Fact]
    public void Asking_for_DirectML_without_its_package_names_it()
    {
        var e = Assert.Throws<ExecutionProviderUnavailableException>(() =>
            OnnxCnnModel.Load(_model, options: new OnnxScoringOptions { ExecutionProvider = OnnxExecutionProvider.DirectML }));
        Assert.Equal(OnnxExecutionProvider.DirectML, e.Provider);
        Assert.Contains("Microsoft.ML.OnnxRuntime.DirectML", e.Message, StringComparison.Ordinal);
        Assert.Contains("Windows", e.Message, StringComparison.Ordinal);
        Assert.Contains("CPUExecutionProvider", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_provider_ONNX_Runtime_lists_but_cannot_start_is_the_same_typed_error_with_ONNX_Runtime_s_reason()
    {
        // Told that CUDA is there, the CPU-only library's refusal to append it is what a GPU build without
        // CUDA's libraries gives: ONNX Runtime's exception, wrapped with what the provider needs.
        var cuda = new OnnxScoringOptions { ExecutionProvider = OnnxExecutionProvider.Cuda };
        var e = Assert.Throws<ExecutionProviderUnavailableException>(() => cuda.CreateSessionOptions(["CUDAExecutionProvider", "CPUExecutionProvider"]));
        Assert.NotNull(e.InnerException);
        Assert.Contains("could not start CUDA device 0", e.Message, StringComparison.Ordinal);
        Assert.Contains(e.InnerException.Message, e.Message, StringComparison.Ordinal);
        Assert.Contains("cuDNN", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_options_the_ML_NET_context_s_GPU_choice_applies_as_in_ApplyOnnxModel()
    {
        var gpu = new MLContext(seed: 1) { GpuDeviceId = 0 };
        Assert.Equal(OnnxExecutionProvider.Cuda, Assert.Throws<ExecutionProviderUnavailableException>(() => OnnxCnnModel.Load(_model, gpu)).Provider);

        var orCpu = new MLContext(seed: 1) { GpuDeviceId = 0, FallbackToCpu = true };
        using (OnnxCnnModel model = OnnxCnnModel.Load(_model, orCpu))
        {
            Assert.Equal(OnnxExecutionProvider.Cpu, model.ScoringOptions.ExecutionProvider);
            Assert.Equal(1f, model.Score(Images(1)).Sum(), 4);
        }

        // Options given explicitly win over the context, and FallbackToCpu does not soften them.
        Assert.Throws<ExecutionProviderUnavailableException>(() =>
            OnnxCnnModel.Load(_model, orCpu, options: new OnnxScoringOptions { ExecutionProvider = OnnxExecutionProvider.Cuda }));
        using (OnnxCnnModel model = OnnxCnnModel.Load(_model, gpu, options: OnnxScoringOptions.Default))
            Assert.Equal(OnnxExecutionProvider.Cpu, model.ScoringOptions.ExecutionProvider);
    }

    [Fact]
    public void Load_Transform_and_Dispose_write_nothing_to_the_temporary_folder()
    {
        // A child process with a private temp folder: anything in it was written by loading and scoring the
        // model (ML.NET's OnnxTransformer copies a model it gets as a stream into a temp file), except what the
        // runtimes write for themselves: .NET's diagnostics socket (turned off here) and ONNX Runtime's '.ses'
        // file, a telemetry session id its environment writes at start-up, before any model is read (only on
        // some machines: an empty folder is the other normal outcome).
        using var temp = new TempDirectory();
        OnnxProbe.Result result = OnnxProbe.Run(_model, environment: new Dictionary<string, string>
        {
            ["TMPDIR"] = temp.Path + Path.DirectorySeparatorChar,
            ["DOTNET_EnableDiagnostics"] = "0",
        });
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(result["predicted"], result["mlnet-predicted"]);
        Assert.Empty(Written(result["temp-entries-while-loaded"]));
        Assert.Empty(Written(result["temp-entries-after-dispose"]));
        Assert.Empty(Written(string.Join(", ", Directory.EnumerateFileSystemEntries(temp.Path).Select(Path.GetFileName))));

        static string[] Written(string entries) =>
            entries.Split(", ", StringSplitOptions.RemoveEmptyEntries).Where(e => e is not ("none" or ".ses")).ToArray();
    }
}
