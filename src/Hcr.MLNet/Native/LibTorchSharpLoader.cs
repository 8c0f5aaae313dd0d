using System.Runtime.InteropServices;
using TorchSharp;

namespace Hcr.MLNet.Native;

/// <summary>
/// Makes TorchSharp's native shim loadable on Linux systems whose libraries lack a symbol version
/// the shim asks for but never uses (TorchSharp 0.107 on Debian 12 / Ubuntu 22.04: GLIBCXX_3.4.32).
/// </summary>
internal static class LibTorchSharpLoader
{
    private const ushort WeakFlag = 0x2;

    /// <summary>
    /// Compares the versions the shim needs with those the process's libraries define. When all are
    /// there, returns the shim unchanged; otherwise returns a cached copy with the missing, unused
    /// versions marked weak (an error if a missing version is really used).
    /// </summary>
    public static (string Path, IReadOnlyList<string> Weakened) Prepare(string shimPath, string cacheDirectory)
    {
        byte[] bytes = File.ReadAllBytes(shimPath);
        ElfFile shim = ElfFile.Parse(bytes, shimPath);
        var missing = new List<(string File, string Version)>();
        foreach (IGrouping<string, ElfFile.VersionNeed> needs in shim.VersionNeeds.GroupBy(n => n.File))
        {
            // A library that cannot be found at all is reported by the dynamic loader itself, by name.
            string? provider = LoadedLibraries.FindBySoName(needs.Key);
            if (provider is null)
                continue;
            var defined = ElfFile.Parse(File.ReadAllBytes(provider), provider).VersionDefinitions.ToHashSet(StringComparer.Ordinal);
            missing.AddRange(needs.Where(n => (n.Flags & WeakFlag) == 0 && !defined.Contains(n.Version)).Select(n => (n.File, n.Version)));
        }
        if (missing.Count == 0)
            return (shimPath, []);

        byte[] patched = ElfVersionPatcher.WeakenUnusedVersions(bytes, shimPath, missing);
        string path = PatchedLibraryCache.Store(cacheDirectory, Path.GetFileName(shimPath), patched);
        return (path, missing.Select(m => $"{m.Version} ({m.File})").ToList());
    }

    /// <summary>
    /// Loads libtorch from where TorchSharp will look for it, then the patched shim. TorchSharp's own
    /// by-name load of "LibTorchSharp" then finds the patched copy already loaded under the shim's
    /// SONAME, and its P/Invokes resolve to it through the resolver set here.
    /// </summary>
    public static void LoadPatched(LibTorchLocation location, string patchedShim)
    {
        // The same files TorchSharp will load: a second copy of libtorch_cpu from elsewhere would
        // register its operators twice and abort the process.
        foreach (string? library in new[] { location.TorchCpu, location.Torch, location.TorchCuda })
        {
            if (library is not null)
                Load(library);
        }
        IntPtr shim = Load(patchedShim);
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(torch).Assembly,
                (name, _, _) => name == "LibTorchSharp" ? shim : IntPtr.Zero);
        }
        catch (InvalidOperationException)
        {
            // The application already set a resolver for TorchSharp; the loaded SONAME still serves it.
        }
    }

    private static IntPtr Load(string path)
    {
        try
        {
            return NativeLibrary.Load(path);
        }
        catch (DllNotFoundException e)
        {
            throw new TorchRuntimeException($"Loading the native library {path} failed: {e.Message}", e);
        }
    }
}
