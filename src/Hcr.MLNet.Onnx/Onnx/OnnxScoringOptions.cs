using System.Reflection;
using Microsoft.ML.OnnxRuntime;

namespace Hcr.MLNet.Onnx;

/// <summary>
/// How ONNX Runtime runs an exported model (<see cref="OnnxCnnModel.Load"/>,
/// <see cref="HandwritingRecognizer.LoadOnnx"/>): the execution provider and its device, the CPU threads of
/// one call, and the graph optimisation level. They make the one ONNX Runtime session a model scores
/// through, for the batch API and for ML.NET's <c>Transform</c> and <c>PredictionEngine</c> alike. The
/// defaults are ONNX Runtime's own, on the CPU.
/// </summary>
/// <example>
/// <code>
/// using var model = OnnxCnnModel.Load("hcr.onnx", options: new OnnxScoringOptions { ExecutionProvider = OnnxExecutionProvider.Cuda, DeviceId = 0 });
/// </code>
/// </example>
public sealed record OnnxScoringOptions
{
    /// <summary>ONNX Runtime's name of its CUDA provider, as <c>GetAvailableProviders</c> lists it.</summary>
    internal const string CudaProviderName = "CUDAExecutionProvider";

    /// <summary>ONNX Runtime's name of its DirectML provider.</summary>
    internal const string DirectMLProviderName = "DmlExecutionProvider";

    private readonly OnnxExecutionProvider _executionProvider = OnnxExecutionProvider.Cpu;
    private readonly int _deviceId;
    private readonly int? _intraOpThreads;
    private readonly GraphOptimizationLevel _optimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>The CPU, ONNX Runtime's default thread count and every graph optimisation.</summary>
    public static OnnxScoringOptions Default { get; } = new();

    /// <summary>
    /// Where the model runs. Default: <see cref="OnnxExecutionProvider.Cpu"/>. With a GPU provider, ONNX
    /// Runtime still runs on the CPU any node the provider has no kernel for. Loading a model fails with
    /// <see cref="ExecutionProviderUnavailableException"/> when the provider is not in the ONNX Runtime the
    /// application ships (see docs/gpu.md).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a member of <see cref="OnnxExecutionProvider"/>.</exception>
    public OnnxExecutionProvider ExecutionProvider
    {
        get => _executionProvider;
        init => _executionProvider = Enum.IsDefined(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(ExecutionProvider), value, "Not an OnnxExecutionProvider.");
    }

    /// <summary>The GPU to run on, for <see cref="OnnxExecutionProvider.Cuda"/> and <see cref="OnnxExecutionProvider.DirectML"/> (the CPU ignores it). Default: 0, the first.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public int DeviceId
    {
        get => _deviceId;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(DeviceId));
            _deviceId = value;
        }
    }

    /// <summary>
    /// Threads that share the work of one call on the CPU (ONNX Runtime's <c>intra_op_num_threads</c>; 1
    /// runs each call on the calling thread alone, which suits servers that score many requests at once).
    /// Default: null, ONNX Runtime's choice (one per physical core).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Zero or negative.</exception>
    public int? IntraOpThreads
    {
        get => _intraOpThreads;
        init
        {
            if (value is int threads)
                ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads, nameof(IntraOpThreads));
            _intraOpThreads = value;
        }
    }

    /// <summary>
    /// How far ONNX Runtime rewrites the graph before running it (constant folding, node fusions, layout
    /// changes). Default: <see cref="GraphOptimizationLevel.ORT_ENABLE_ALL"/>. Lower levels load faster and
    /// help tell an optimiser problem from a model problem; the probabilities agree to rounding.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a member of <see cref="GraphOptimizationLevel"/>.</exception>
    public GraphOptimizationLevel OptimizationLevel
    {
        get => _optimizationLevel;
        init => _optimizationLevel = Enum.IsDefined(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(OptimizationLevel), value, "Not a GraphOptimizationLevel.");
    }

    /// <summary>
    /// Whether a model must hold nothing but what Hcr.MLNet's exporter writes before ONNX Runtime sees it. Default:
    /// true. An ONNX file is code: ONNX Runtime allocates and computes whatever its graph says, and the checksum in
    /// the file proves nothing against whoever recomputed it. Strict validation admits only the exporter's operators
    /// and attributes, tensors of bounded size held in the file itself, and a graph whose every value, worked out for
    /// any batch size, stays within bounds per image, so that a hostile file fails at load with a
    /// <see cref="IO.ModelFormatException"/> naming the node. Load untrusted files only with strict validation; turn it
    /// off only for a model you trust as you would trust a program, such as one edited by ONNX tools on purpose.
    /// </summary>
    public bool StrictValidation { get; init; } = true;

    /// <summary>The ONNX Runtime session options these settings make, for the ONNX Runtime loaded in this process.</summary>
    /// <exception cref="ExecutionProviderUnavailableException">That ONNX Runtime lacks the provider, or cannot start it.</exception>
    internal SessionOptions CreateSessionOptions() => CreateSessionOptions(OrtEnv.Instance().GetAvailableProviders());

    /// <summary>The ONNX Runtime session options these settings make, given the providers ONNX Runtime says it has.</summary>
    /// <exception cref="ExecutionProviderUnavailableException">The provider is not among <paramref name="availableProviders"/>, or ONNX Runtime cannot start it.</exception>
    internal SessionOptions CreateSessionOptions(IReadOnlyList<string> availableProviders)
    {
        // Checked first: appending a provider the native library lacks fails with a message that names no package.
        string? required = ProviderName(ExecutionProvider);
        if (required is not null && !availableProviders.Contains(required, StringComparer.Ordinal))
            throw new ExecutionProviderUnavailableException(ExecutionProvider, availableProviders, NotInThisBuild(availableProviders));

        // ONNX Runtime's session log goes to the console; errors reach the caller as exceptions instead.
        var options = new SessionOptions
        {
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
            GraphOptimizationLevel = OptimizationLevel,
        };
        try
        {
            if (IntraOpThreads is int threads)
                options.IntraOpNumThreads = threads;
            switch (ExecutionProvider)
            {
                case OnnxExecutionProvider.Cuda:
                    options.AppendExecutionProvider_CUDA(DeviceId);
                    break;
                case OnnxExecutionProvider.DirectML:
                    // DirectML supports neither memory patterns nor parallel execution: ONNX Runtime refuses the session otherwise.
                    options.EnableMemoryPattern = false;
                    options.ExecutionMode = ExecutionMode.ORT_SEQUENTIAL;
                    options.AppendExecutionProvider_DML(DeviceId);
                    break;
            }
            return options;
        }
        catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            options.Dispose();
            throw new ExecutionProviderUnavailableException(ExecutionProvider, availableProviders,
                $"ONNX Runtime could not start {Describe()} ({e.Message}). {Requirements()}", e);
        }
        catch
        {
            options.Dispose();
            throw;
        }
    }

    /// <summary>The provider and device, for messages: "CUDA device 0".</summary>
    internal string Describe() => ExecutionProvider switch
    {
        OnnxExecutionProvider.Cuda => $"CUDA device {DeviceId}",
        OnnxExecutionProvider.DirectML => $"DirectML device {DeviceId}",
        _ => "the CPU",
    };

    /// <summary>What the provider needs besides its package.</summary>
    internal string Requirements() => ExecutionProvider switch
    {
        OnnxExecutionProvider.Cuda =>
            "ONNX Runtime's CUDA provider needs an NVIDIA GPU, its driver, and the CUDA and cuDNN versions that ONNX Runtime release was built for, on the library path " +
            "(ONNX Runtime's own log names a library it could not load).",
        OnnxExecutionProvider.DirectML => "ONNX Runtime's DirectML provider needs Windows 10 1903 or later and a DirectX 12 GPU.",
        _ => "",
    };

    private static string? ProviderName(OnnxExecutionProvider provider) => provider switch
    {
        OnnxExecutionProvider.Cuda => CudaProviderName,
        OnnxExecutionProvider.DirectML => DirectMLProviderName,
        _ => null,
    };

    private string NotInThisBuild(IReadOnlyList<string> availableProviders)
    {
        string found = availableProviders.Count == 0 ? "none" : string.Join(", ", availableProviders);
        // The GPU packages replace the CPU one (each ships a native library named onnxruntime, and the one copied
        // last is loaded), so the CPU package's native assets have to be left out where Hcr.MLNet brings them in.
        const string exclude = "and leave out the CPU-only native library of Microsoft.ML.OnnxRuntime, which Hcr.MLNet brings in: " +
            "<PackageReference Include=\"Microsoft.ML.OnnxRuntime\" ExcludeAssets=\"all\" /> (see docs/gpu.md).";
        return ExecutionProvider switch
        {
            OnnxExecutionProvider.Cuda =>
                $"{Describe()} was asked for, but the ONNX Runtime loaded in this process has no CUDA provider (it has: {found}). " +
                $"Reference the Microsoft.ML.OnnxRuntime.Gpu package, version {OnnxRuntimeVersion}, in the application {exclude} {Requirements()}",
            _ =>
                $"{Describe()} was asked for, but the ONNX Runtime loaded in this process has no DirectML provider (it has: {found}). " +
                $"DirectML runs on Windows only: reference the Microsoft.ML.OnnxRuntime.DirectML package, version {OnnxRuntimeVersion}, in the application {exclude} {Requirements()}",
        };
    }

    /// <summary>The version of ONNX Runtime's managed API in use, which a native package must match: "1.32.0".</summary>
    private static string OnnxRuntimeVersion
    {
        get
        {
            string? version = typeof(SessionOptions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
            return version is { Length: > 0 } ? version.Split('+')[0] : typeof(SessionOptions).Assembly.GetName().Version?.ToString(3) ?? "?";
        }
    }
}
