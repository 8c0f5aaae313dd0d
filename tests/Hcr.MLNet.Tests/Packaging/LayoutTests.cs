using Hcr.MLNet.Tests.TestSupport;

namespace Hcr.MLNet.Tests.Packaging;

/// <summary>
/// The layout the architecture page describes, kept by a check rather than by convention: <c>.ci/folder-deps</c> reads
/// the sources of both projects and fails when folders (per project) or namespaces (over both) use each other in a
/// cycle. It is a script so that it can also print the whole graph for a reader (docs/architecture.md).
/// </summary>
public class LayoutTests
{
    [PythonFact]
    public void Folders_and_namespaces_do_not_depend_on_each_other_in_a_cycle()
    {
        string script = Path.Combine(SharedData.RepositoryRoot, ".ci", "folder-deps");
        ChildProcess.Result result = ChildProcess.Run("python3", [script], SharedData.RepositoryRoot, TimeSpan.FromMinutes(2));
        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Contains("== namespaces of", result.Output);
        Assert.DoesNotContain("cycle among", result.Output);
    }
}
