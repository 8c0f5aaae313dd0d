namespace Hcr.MLNet.Native;

/// <summary>What <see cref="TorchRuntime.EnsureInitialized"/> found and did, for logs and diagnostics.</summary>
public sealed record TorchRuntimeStatus
{
    // Built by TorchRuntime only: the status describes this process's runtime, not one a caller makes up.
    internal TorchRuntimeStatus(string libTorchDirectory, string shimPath, IReadOnlyList<string> weakenedVersions, AllocatorTuning allocator, bool cudaAvailable)
    {
        LibTorchDirectory = libTorchDirectory;
        ShimPath = shimPath;
        WeakenedVersions = weakenedVersions;
        Allocator = allocator;
        CudaAvailable = cudaAvailable;
    }

    /// <summary>The folder libtorch was loaded from.</summary>
    public string LibTorchDirectory { get; }

    /// <summary>
    /// The TorchSharp shim that was loaded: the package's file, or a patched copy. Internal: where the copy lives is
    /// this library's business; <see cref="ToString"/> shows it for diagnostics.
    /// </summary>
    internal string ShimPath { get; }

    /// <summary>Version requirements the patched copy of TorchSharp's shim marks weak; empty when the original loads as is.</summary>
    public IReadOnlyList<string> WeakenedVersions { get; }

    /// <summary>What the allocator tuning did.</summary>
    public AllocatorTuning Allocator { get; }

    /// <summary>Whether TorchSharp reports a usable CUDA device.</summary>
    public bool CudaAvailable { get; }

    /// <summary>The libtorch version TorchSharp reports, for example <c>2.10.0</c>; null when not known.</summary>
    public string? LibTorchVersion { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        $"libtorch {LibTorchVersion ?? "(version unknown)"} from {LibTorchDirectory}; shim {ShimPath}" +
        (WeakenedVersions.Count > 0 ? $" (patched: {string.Join(", ", WeakenedVersions)} marked weak)" : "") +
        $"; allocator tuning {Allocator}; CUDA {(CudaAvailable ? "available" : "not available")}";
}
