using System.Reflection;
using Hcr.MLNet.Tests.TestSupport;

namespace Hcr.MLNet.Tests.Demo;

/// <summary>Runs the built demo (<c>hcr-demo</c>) as users do: a child process with redirected output.</summary>
internal static class DemoProcess
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(6);

    public static ChildProcess.Result Run(string workingDirectory, params string[] arguments) =>
        Run(workingDirectory, null, arguments);

    public static ChildProcess.Result Run(string workingDirectory, (string Name, string Value)? environment, params string[] arguments)
    {
        string directory = typeof(DemoProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "ConsoleDemoDirectory").Value!;
        string demo = Path.Combine(directory, "hcr-demo.dll");
        Assert.True(File.Exists(demo), $"The demo is not built at {demo}.");
        return ChildProcess.Run("dotnet", [demo, .. arguments], workingDirectory, Limit, environment);
    }

    /// <summary>A failure as the demo reports every failure: one line on stderr, "error: …", a non-zero exit, no stack trace.</summary>
    public static void AssertOneLineError(ChildProcess.Result result, string expected)
    {
        Assert.NotEqual(0, result.ExitCode);
        string[] lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"one line on stderr expected:\n{result.Error}");
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(expected, lines[0]);
        Assert.DoesNotContain("   at ", result.Output + result.Error);
    }
}
