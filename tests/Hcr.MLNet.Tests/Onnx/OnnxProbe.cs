using System.Diagnostics;
using System.Reflection;

namespace Hcr.MLNet.Tests.Onnx;

/// <summary>
/// Runs tests/Hcr.MLNet.OnnxProbe (built beside the tests, deployed without TorchSharp or libtorch)
/// in a child process on a model file and parses its <c>key: value</c> report.
/// </summary>
internal static class OnnxProbe
{
    public static string Directory
    {
        get
        {
            string? directory = typeof(OnnxProbe).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .SingleOrDefault(a => a.Key == "OnnxProbeDirectory")?.Value;
            Assert.False(string.IsNullOrEmpty(directory), "The test assembly does not say where the ONNX probe is built (AssemblyMetadata OnnxProbeDirectory).");
            return directory;
        }
    }

    /// <param name="modelPath">The model file.</param>
    /// <param name="imagePath">An image for the recognizer, or null.</param>
    /// <param name="environment">Variables to set in the child's environment (TMPDIR, say).</param>
    public static Result Run(string modelPath, string? imagePath = null, IReadOnlyDictionary<string, string>? environment = null) =>
        RunWith(imagePath is null ? [modelPath] : [modelPath, imagePath], environment);

    /// <summary>Runs the probe's <c>--text</c> mode: a text reader's ONNX export reads <paramref name="imagePath"/>.</summary>
    public static Result RunTextReader(string modelPath, string imagePath) => RunWith(["--text", modelPath, imagePath], null);

    /// <summary>Runs the probe's <c>dispose-under-load</c> mode on <paramref name="modelPath"/>.</summary>
    public static Result RunDisposeUnderLoad(string modelPath) => RunWith(["dispose-under-load", modelPath], null);

    /// <summary>Runs the probe's <c>without-torch</c> mode: every entry point that needs TorchSharp, in an application without it.</summary>
    public static Result RunWithoutTorch(string recognizerPath, string readerPath) => RunWith(["without-torch", recognizerPath, readerPath], null);

    private static Result RunWith(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment)
    {
        string probe = Path.Combine(Directory, "Hcr.MLNet.OnnxProbe.dll");
        Assert.True(File.Exists(probe), $"The ONNX probe is not built at {probe}; build the solution (the test project builds it through a ProjectReference).");
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Directory,
        };
        start.ArgumentList.Add(probe);
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        // Nothing from this (TorchSharp-loaded) process may leak into the child's native library search.
        start.Environment.Remove("LD_LIBRARY_PATH");
        start.Environment.Remove("LD_PRELOAD");
        start.Environment.Remove("DYLD_LIBRARY_PATH");
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;

        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"The ONNX probe did not finish within 2 minutes.\n{stdout.Result}\n{stderr.Result}");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The dotnet host running the tests (the SDK sets DOTNET_HOST_PATH), else dotnet from the PATH.</summary>
    private static string DotnetHost()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
            return host;
        string? current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }

    public sealed record Result(int ExitCode, string Output, string Error)
    {
        private IEnumerable<(string Key, string Value)> Lines => Output.Split('\n')
            .Select(l => l.TrimEnd('\r'))
            .Where(l => l.Contains(": ", StringComparison.Ordinal))
            .Select(l => (l[..l.IndexOf(": ", StringComparison.Ordinal)], l[(l.IndexOf(": ", StringComparison.Ordinal) + 2)..]));

        /// <summary>The single value reported under <paramref name="key"/>.</summary>
        public string this[string key]
        {
            get
            {
                string[] values = All(key);
                Assert.True(values.Length == 1, $"The probe reported {values.Length} '{key}' lines.\n{this}");
                return values[0];
            }
        }

        public string[] All(string key) => Lines.Where(l => l.Key == key).Select(l => l.Value).ToArray();

        public override string ToString() => $"exit code {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
    }
}
