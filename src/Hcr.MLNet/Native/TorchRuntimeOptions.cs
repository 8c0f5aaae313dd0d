namespace Hcr.MLNet.Native;

/// <summary>Process-wide settings of the TorchSharp runtime, applied once, before the first TorchSharp call.</summary>
public sealed record TorchRuntimeOptions
{
    /// <summary>
    /// Tune glibc's malloc for libtorch on Linux (see <see cref="AllocatorTuning"/>). Default: true.
    /// It changes nothing where another allocator serves malloc, or outside Linux/glibc.
    /// </summary>
    public bool TuneAllocator { get; init; } = true;

    /// <summary>
    /// Folder for patched copies of TorchSharp's native shim. Default: null, meaning
    /// <c>$XDG_CACHE_HOME/hcr-mlnet/native</c> or <c>~/.cache/hcr-mlnet/native</c>.
    /// </summary>
    public string? NativeCacheDirectory { get; init; }

    /// <summary>
    /// Folders to look in for libtorch and TorchSharp's shim. Default: null, meaning where .NET itself
    /// looks for the application's native libraries (its <c>runtimes/&lt;rid&gt;/native</c> folders), then
    /// TorchSharp's own folder.
    /// </summary>
    public IReadOnlyList<string>? NativeSearchDirectories { get; init; }
}
