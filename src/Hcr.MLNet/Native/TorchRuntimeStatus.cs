namespace Hcr.MLNet.Native;

/// <summary>What <see cref="TorchRuntime.EnsureInitialized"/> found and did, for logs and diagnostics.</summary>
/// <param name="LibTorchDirectory">The folder libtorch was loaded from.</param>
/// <param name="ShimPath">The TorchSharp shim that was loaded: the package's file, or a patched copy.</param>
/// <param name="WeakenedVersions">Version requirements the patched copy marks weak; empty when the original loads as is.</param>
/// <param name="Allocator">What the allocator tuning did.</param>
/// <param name="CudaAvailable">Whether TorchSharp reports a usable CUDA device.</param>
public sealed record TorchRuntimeStatus(
    string LibTorchDirectory,
    string ShimPath,
    IReadOnlyList<string> WeakenedVersions,
    AllocatorTuning Allocator,
    bool CudaAvailable)
{
    /// <summary>The libtorch version TorchSharp reports, for example <c>2.10.0</c>; null when not known.</summary>
    public string? LibTorchVersion { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        $"libtorch {LibTorchVersion ?? "(version unknown)"} from {LibTorchDirectory}; shim {ShimPath}" +
        (WeakenedVersions.Count > 0 ? $" (patched: {string.Join(", ", WeakenedVersions)} marked weak)" : "") +
        $"; allocator tuning {Allocator}; CUDA {(CudaAvailable ? "available" : "not available")}";
}
