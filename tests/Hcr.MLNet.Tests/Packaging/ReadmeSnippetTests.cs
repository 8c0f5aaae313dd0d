using System.Reflection;
using System.Text.RegularExpressions;
using Hcr.MLNet.Tests.TestSupport;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Hcr.MLNet.Tests.Packaging;

/// <summary>
/// The README's C# snippets that follow a <c>&lt;!-- compiled by ReadmeSnippetTests --&gt;</c> line compile against the
/// library as a console program with .NET's implicit usings, so the first thing a new user copies cannot drift from the API.
/// </summary>
public partial class ReadmeSnippetTests
{
    private const string Marker = "<!-- compiled by ReadmeSnippetTests -->";

    /// <summary>What <c>dotnet new console</c> gives every file (ImplicitUsings).</summary>
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    [GeneratedRegex(@"<!-- compiled by ReadmeSnippetTests -->\s*```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex MarkedSnippet();

    [Fact]
    public void The_hello_world_needs_only_using_Hcr_MLNet_and_every_marked_snippet_compiles()
    {
        string readme = File.ReadAllText(Path.Combine(SharedData.RepositoryRoot, "README.md")).ReplaceLineEndings("\n");
        string[] snippets = MarkedSnippet().Matches(readme).Select(m => m.Groups["code"].Value).ToArray();
        Assert.True(snippets.Length >= 2, $"README.md has {snippets.Length} snippets after '{Marker}'; the hello world and the fluent configuration expected.");

        // Using directives only, not using declarations ("using var x = …").
        string[] helloUsings = CSharpSyntaxTree.ParseText(snippets[0]).GetCompilationUnitRoot().Usings.Select(u => u.ToString()).ToArray();
        Assert.Equal(["using Hcr.MLNet;"], helloUsings);

        MetadataReference[] references = References();
        for (int i = 0; i < snippets.Length; i++)
        {
            CSharpCompilation compilation = CSharpCompilation.Create($"ReadmeSnippet{i}",
                [CSharpSyntaxTree.ParseText(ImplicitUsings), CSharpSyntaxTree.ParseText(snippets[i], path: $"README snippet {i + 1}")],
                references, new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
            Diagnostic[] errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
            Assert.True(errors.Length == 0, $"README snippet {i + 1} does not compile:\n{string.Join("\n", errors.Select(e => e.ToString()))}\n---\n{snippets[i]}");
        }
    }

    /// <summary>The framework's assemblies and the managed ones beside the tests (the library and its dependencies), once each.</summary>
    private static MetadataReference[] References()
    {
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string path in ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator))
            byName.TryAdd(Path.GetFileNameWithoutExtension(path), path);
        foreach (string path in Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll"))
        {
            try
            {
                AssemblyName.GetAssemblyName(path);
                byName.TryAdd(Path.GetFileNameWithoutExtension(path), path);
            }
            catch (BadImageFormatException)
            {
                // A native library.
            }
        }
        return byName.Values.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToArray();
    }
}
