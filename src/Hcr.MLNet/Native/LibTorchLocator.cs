using System.Runtime.InteropServices;
using TorchSharp;

namespace Hcr.MLNet.Native;

/// <summary>
/// Finds libtorch and TorchSharp's native shim where TorchSharp's own loader will look for them:
/// first the folders .NET probes for the application's native libraries, then TorchSharp's folder.
/// </summary>
internal sealed record LibTorchLocation(string? Shim, string? TorchCpu, string? Torch, string? TorchCuda, IReadOnlyList<string> Searched)
{
    public static IReadOnlyList<string> DefaultSearchDirectories()
    {
        var directories = new List<string>();
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string probed)
            directories.AddRange(probed.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        string? torchSharpDirectory = Path.GetDirectoryName(typeof(torch).Assembly.Location);
        if (!string.IsNullOrEmpty(torchSharpDirectory))
            directories.Add(torchSharpDirectory);
        return directories.Select(d => Path.TrimEndingDirectorySeparator(Path.GetFullPath(d))).Distinct().ToList();
    }

    public static LibTorchLocation Find(IReadOnlyList<string> directories) => new(
        FindFile(directories, "LibTorchSharp"),
        FindFile(directories, "torch_cpu"),
        FindFile(directories, "torch"),
        FindFile(directories, "torch_cuda"),
        directories);

    /// <summary>The platform's file name for a native library: <c>libX.so</c>, <c>libX.dylib</c> or <c>X.dll</c>.</summary>
    public static string FileName(string library) =>
        OperatingSystem.IsWindows() ? library + ".dll"
        : OperatingSystem.IsMacOS() ? "lib" + library + ".dylib"
        : "lib" + library + ".so";

    private static string? FindFile(IReadOnlyList<string> directories, string library) =>
        directories.Select(d => Path.Combine(d, FileName(library))).FirstOrDefault(File.Exists);

    public string MissingBackendMessage() =>
        $"No libtorch native library was found ({FileName("torch_cpu")} in {string.Join(", ", Searched)}). " +
        "Hcr.MLNet trains with TorchSharp, which needs a libtorch backend package: add 'TorchSharp-cpu' " +
        "for the CPU, or 'TorchSharp-cuda-linux' / 'TorchSharp-cuda-windows' for an NVIDIA GPU " +
        $"(for example: dotnet add package TorchSharp-cpu --version 0.107.0). Runtime: {RuntimeInformation.RuntimeIdentifier}.";
}
