using System.Reflection;
using TorchSharp;

namespace Hcr.MLNet.Native;

/// <summary>
/// Prepares TorchSharp's native runtime once per process, before the first TorchSharp call: finds
/// libtorch, makes TorchSharp's shim loadable where the system's C++ library is older than the one it
/// was built against, tunes the allocator, and chooses the compute device. Every Hcr.MLNet entry
/// point that touches TorchSharp calls <see cref="EnsureInitialized"/> first; an application that
/// uses TorchSharp directly before Hcr.MLNet should call it too.
/// </summary>
public static class TorchRuntime
{
    private static readonly Lock Gate = new();
    private static TorchRuntimeOptions _options = new();
    private static volatile TorchRuntimeStatus? _status;

    /// <summary>What initialization found and did; null until it has run.</summary>
    public static TorchRuntimeStatus? Status => _status;

    /// <summary>Sets the process-wide options. Call before anything else uses TorchSharp.</summary>
    /// <exception cref="InvalidOperationException">The runtime is already initialized with other options.</exception>
    public static void Configure(TorchRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        lock (Gate)
        {
            if (_status is not null && options != _options)
                throw new InvalidOperationException("The TorchSharp runtime is already initialized; configure it before the first training, model load or prediction.");
            _options = options;
        }
    }

    /// <summary>Initializes the runtime if that has not happened yet; safe to call from any thread, any number of times.</summary>
    /// <exception cref="TorchRuntimeException">libtorch is missing or cannot be loaded; the message says what to do.</exception>
    public static TorchRuntimeStatus EnsureInitialized()
    {
        if (_status is { } status)
            return status;
        lock (Gate)
        {
            return _status ??= Initialize(_options);
        }
    }

    /// <summary>The package that brings TorchSharp and libtorch (the core assembly alone ships in Hcr.MLNet.Onnx).</summary>
    public const string TrainingPackage = TorchModels.TrainingPackage;

    /// <summary>Turns a <see cref="ComputeDevice"/> choice into a TorchSharp device.</summary>
    /// <exception cref="TorchRuntimeException"><see cref="ComputeDevice.Cuda"/> was asked for where no CUDA device is usable.</exception>
    internal static torch.Device ResolveDevice(ComputeDevice device)
    {
        TorchRuntimeStatus status = EnsureInitialized();
        return device switch
        {
            ComputeDevice.Cpu => torch.CPU,
            ComputeDevice.Auto => status.CudaAvailable ? torch.CUDA : torch.CPU,
            ComputeDevice.Cuda when status.CudaAvailable => torch.CUDA,
            ComputeDevice.Cuda => throw new TorchRuntimeException(
                "ComputeDevice.Cuda was requested, but TorchSharp reports no usable CUDA device. Reference " +
                "'TorchSharp-cuda-linux' or 'TorchSharp-cuda-windows' (instead of the CPU backend) and check the " +
                "NVIDIA driver, or use ComputeDevice.Auto to fall back to the CPU."),
            _ => throw new ArgumentOutOfRangeException(nameof(device), device, "Unknown compute device."),
        };
    }

    /// <summary>Sets libtorch's intra-op thread count; null means one per logical core.</summary>
    public static void SetThreads(int? threads)
    {
        if (threads is <= 0)
            throw new ArgumentOutOfRangeException(nameof(threads), threads, "The thread count must be positive.");
        EnsureInitialized();
        torch.set_num_threads(threads ?? Environment.ProcessorCount);
    }

    internal static TorchRuntimeStatus Initialize(TorchRuntimeOptions options)
    {
        // Before libtorch allocates anything, so that its first buffers already follow the tuning.
        AllocatorTuning allocator = options.TuneAllocator ? GlibcAllocator.Tune() : AllocatorTuning.Disabled;

        IReadOnlyList<string> directories = options.NativeSearchDirectories ?? LibTorchLocation.DefaultSearchDirectories();
        LibTorchLocation location = LibTorchLocation.Find(directories);
        if (location.TorchCpu is null)
            throw new TorchRuntimeException(location.MissingBackendMessage());
        if (location.Shim is null)
        {
            throw new TorchRuntimeException(
                $"TorchSharp's native shim {LibTorchLocation.FileName("LibTorchSharp")} was not found in {string.Join(", ", directories)}; " +
                "the TorchSharp package's native files are missing from the application's output.");
        }

        string shim = location.Shim;
        IReadOnlyList<string> weakened = [];
        if (OperatingSystem.IsLinux())
        {
            try
            {
                (shim, weakened) = LibTorchSharpLoader.Prepare(location.Shim, options.NativeCacheDirectory ?? PatchedLibraryCache.DefaultDirectory);
            }
            catch (ElfFormatException e)
            {
                // The ELF reader is internal; callers catch the one runtime exception this method documents.
                throw new TorchRuntimeException($"TorchSharp's native shim could not be prepared: {e.Message}", e);
            }
            if (weakened.Count > 0)
                LibTorchSharpLoader.LoadPatched(location, shim);
        }

        string libTorchDirectory = Path.GetDirectoryName(location.TorchCpu)!;
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
        }
        catch (Exception e) when (e is TypeInitializationException or NotSupportedException or DllNotFoundException or EntryPointNotFoundException)
        {
            Exception cause = e;
            while (cause.InnerException is not null)
                cause = cause.InnerException;
            throw new TorchRuntimeException($"TorchSharp could not initialise libtorch from {libTorchDirectory}: {cause.Message}", e);
        }
        bool cuda = location.TorchCuda is not null && torch.cuda.is_available();
        return new TorchRuntimeStatus(libTorchDirectory, shim, weakened, allocator, cuda) { LibTorchVersion = torch.__version__ };
    }
}
