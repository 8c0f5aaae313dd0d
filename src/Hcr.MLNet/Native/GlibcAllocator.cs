using System.Runtime.InteropServices;

namespace Hcr.MLNet.Native;

/// <summary>What the allocator tuning did in this process.</summary>
public enum AllocatorTuning
{
    /// <summary>Not attempted: turned off in <see cref="TorchRuntimeOptions"/>.</summary>
    Disabled,

    /// <summary>glibc malloc now keeps freed memory for reuse instead of returning it to the OS on every free.</summary>
    Applied,

    /// <summary>Not Linux with glibc (Windows, macOS, musl): nothing to tune.</summary>
    NotGlibc,

    /// <summary>Another allocator (for example jemalloc through LD_PRELOAD) serves malloc: left alone.</summary>
    OtherAllocator,

    /// <summary>glibc refused a setting; the defaults stay.</summary>
    Refused,
}

/// <summary>
/// Tunes glibc's malloc for libtorch. By default every large activation buffer is a fresh
/// <c>mmap</c> that is unmapped on free, so each training step page-faults its buffers in again;
/// measured here, that costs more than the arithmetic (seed CNN: about 190 → 1,330 training
/// images/s). Turning off mmap for large blocks and raising the trim threshold lets freed buffers
/// be reused. The price is that the process keeps its peak heap instead of returning it.
/// </summary>
internal static unsafe class GlibcAllocator
{
    private const int TrimThreshold = -1; // M_TRIM_THRESHOLD
    private const int MmapMax = -4;        // M_MMAP_MAX

    public static AllocatorTuning Tune()
    {
        if (!OperatingSystem.IsLinux()
            || !NativeLibrary.TryLoad("libc.so.6", out IntPtr libc)
            || !NativeLibrary.TryGetExport(libc, "gnu_get_libc_version", out _)
            || !NativeLibrary.TryGetExport(libc, "malloc", out IntPtr libcMalloc)
            || !NativeLibrary.TryGetExport(libc, "mallopt", out IntPtr malloptAddress))
        {
            return AllocatorTuning.NotGlibc;
        }

        NativeLibrary.TryGetExport(NativeLibrary.GetMainProgramHandle(), "malloc", out IntPtr globalMalloc);
        if (ServedByOtherAllocator(libcMalloc, globalMalloc))
            return AllocatorTuning.OtherAllocator;

        var mallopt = (delegate* unmanaged<int, int, int>)malloptAddress;
        bool ok = mallopt(MmapMax, 0) == 1;
        ok &= mallopt(TrimThreshold, int.MaxValue) == 1;
        return ok ? AllocatorTuning.Applied : AllocatorTuning.Refused;
    }

    /// <summary>
    /// True when the malloc that the process's global scope resolves to (an LD_PRELOADed jemalloc or
    /// tcmalloc comes first there) is not glibc's: then glibc's settings would govern nothing.
    /// </summary>
    internal static bool ServedByOtherAllocator(IntPtr libcMalloc, IntPtr globalMalloc) =>
        globalMalloc != IntPtr.Zero && globalMalloc != libcMalloc;
}
