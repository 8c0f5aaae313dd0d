using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Hcr.MLNet.Tests.TestSupport;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Emit;

namespace Hcr.MLNet.Tests.Packaging;

/// <summary>
/// The C# in the documentation compiles, and the snippets marked to run do: every <c>```csharp</c> block of README.md,
/// docs/**/*.md and the packages' PACKAGE.md files is compiled against the library as a console program with .NET's
/// implicit usings, as a user who pastes it into <c>dotnet new console</c> would. A block is a complete program by
/// default; the HTML comment on the line before its fence may say more:
/// <list type="bullet">
/// <item><c>&lt;!-- snippet: run --&gt;</c>: the program is also run, from a folder holding a copy of the repository's
/// <c>samples/</c> (so <c>samples/images/A.jpg</c> is there and what it writes lands in a temporary folder), and must
/// exit with 0 and print something. Only blocks that need no <c>../shared</c> data and finish in seconds are marked.</item>
/// <item><c>&lt;!-- snippet: assumes ILogger logger, IDataView data --&gt;</c>: a fragment that uses variables the text
/// around it describes; each is declared (<c>ILogger logger = default!;</c>) after the block's using directives.
/// Prefer a complete program; use this where making one would bury the point.</item>
/// </list>
/// Any other fence that holds C# (<c>```cs</c>, <c>```c#</c>, a fence without a language) fails the suite, so no C# can
/// escape compilation; every fence names its language.
/// </summary>
public partial class ReadmeSnippetTests
{
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

    /// <summary>The languages a fence may name; C# is compiled, the others are not C#.</summary>
    private static readonly string[] FenceLanguages = ["csharp", "bash", "xml", "python", "text", "json"];

    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    [GeneratedRegex(@"^(?<indent>[ \t]*)```(?<lang>[^\s`]*)[ \t]*$")]
    private static partial Regex FenceOpen();

    [GeneratedRegex(@"^[ \t]*```[ \t]*$")]
    private static partial Regex FenceClose();

    [GeneratedRegex(@"^\s*<!--\s*snippet:\s*(?<directive>.*?)\s*-->\s*$")]
    private static partial Regex SnippetDirective();

    /// <summary>A fenced block of a Markdown file: where it is, its language, its text, and the snippet directive before it.</summary>
    public sealed record CodeBlock(string File, int Line, string Language, string Code, string? Directive)
    {
        public string Location => $"{File}:{Line}";

        public bool Runs => Directive == "run";

        /// <summary>The declarations of an <c>assumes</c> directive, split at the top-level commas.</summary>
        public string[] Assumed => Directive is { } d && d.StartsWith("assumes ", StringComparison.Ordinal) ? SplitTopLevel(d["assumes ".Length..]) : [];
    }

    /// <summary>README.md, docs/**/*.md and src/*/PACKAGE.md, as paths relative to the repository root with '/'.</summary>
    public static IEnumerable<string> DocumentationFiles()
    {
        string root = SharedData.RepositoryRoot;
        IEnumerable<string> files = [Path.Combine(root, "README.md"),
            .. Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories),
            .. Directory.EnumerateFiles(Path.Combine(root, "src"), "PACKAGE.md", SearchOption.AllDirectories)];
        return files.Select(f => Path.GetRelativePath(root, f).Replace('\\', '/')).Where(f => !f.Contains("/bin/") && !f.Contains("/obj/")).Order(StringComparer.Ordinal);
    }

    /// <summary>Every fenced block of <paramref name="file"/>, in order.</summary>
    public static List<CodeBlock> BlocksOf(string file)
    {
        string[] lines = File.ReadAllText(Path.Combine(SharedData.RepositoryRoot, file)).ReplaceLineEndings("\n").Split('\n');
        var blocks = new List<CodeBlock>();
        for (int i = 0; i < lines.Length; i++)
        {
            Match open = FenceOpen().Match(lines[i]);
            if (!open.Success)
                continue;
            int indent = open.Groups["indent"].Length;
            int end = i + 1;
            while (end < lines.Length && !FenceClose().IsMatch(lines[end]))
                end++;
            Assert.True(end < lines.Length, $"{file}:{i + 1}: the code block is not closed.");
            string code = string.Join("\n", lines[(i + 1)..end].Select(l => l.Length >= indent && string.IsNullOrWhiteSpace(l[..indent]) ? l[indent..] : l.TrimStart()));
            int previous = i - 1;
            while (previous >= 0 && string.IsNullOrWhiteSpace(lines[previous]))
                previous--;
            Match directive = previous >= 0 ? SnippetDirective().Match(lines[previous]) : Match.Empty;
            blocks.Add(new CodeBlock(file, i + 1, open.Groups["lang"].Value, code + "\n", directive.Success ? directive.Groups["directive"].Value : null));
            i = end;
        }
        return blocks;
    }

    public static TheoryData<string> CSharpBlocks()
    {
        var data = new TheoryData<string>();
        foreach (string file in DocumentationFiles())
            foreach (CodeBlock block in BlocksOf(file).Where(b => b.Language == "csharp"))
                data.Add(block.Location);
        return data;
    }

    public static TheoryData<string> RunnableBlocks()
    {
        var data = new TheoryData<string>();
        foreach (string file in DocumentationFiles())
            foreach (CodeBlock block in BlocksOf(file).Where(b => b.Language == "csharp" && b.Runs))
                data.Add(block.Location);
        return data;
    }

    private static CodeBlock Find(string location)
    {
        int colon = location.LastIndexOf(':');
        string file = location[..colon];
        int line = int.Parse(location[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        return BlocksOf(file).Single(b => b.Line == line);
    }

    [Theory]
    [MemberData(nameof(CSharpBlocks))]
    public void Csharp_block_compiles(string location)
    {
        CodeBlock block = Find(location);
        Assert.True(block.Directive is null or "run" || block.Assumed.Length > 0,
            $"{location}: unknown snippet directive '{block.Directive}' (known: 'run', 'assumes <type> <name>, …').");
        Assert.False(block.Runs && block.Assumed.Length > 0, $"{location}: a block that assumes variables cannot run.");
        (CSharpCompilation compilation, _) = Compile(block);
        Diagnostic[] errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.True(errors.Length == 0, $"{location} does not compile:\n{string.Join("\n", errors.Select(e => e.ToString()))}\n---\n{block.Code}");
    }

    [Theory]
    [MemberData(nameof(RunnableBlocks))]
    public void Runnable_block_runs_and_prints(string location)
    {
        CodeBlock block = Find(location);
        (CSharpCompilation compilation, _) = Compile(block);
        // The program runs beside the tests, whose deps.json and runtime configuration resolve the library, its
        // dependencies and their native files; it is named so that it cannot collide with them, and removed after.
        string name = $"doc-snippet-{Guid.NewGuid():N}";
        string dll = Path.Combine(AppContext.BaseDirectory, name + ".dll");
        using var work = new TempDirectory();
        CopyDirectory(Path.Combine(SharedData.RepositoryRoot, "samples"), Path.Combine(work.Path, "samples"), skip: ["ConsoleDemo"]);
        try
        {
            EmitResult emitted;
            using (FileStream stream = File.Create(dll))
                emitted = compilation.WithAssemblyName(name).Emit(stream);
            Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
            string tests = Path.Combine(AppContext.BaseDirectory, typeof(ReadmeSnippetTests).Assembly.GetName().Name!);
            var run = ChildProcess.Run("dotnet", ["exec", "--depsfile", tests + ".deps.json", "--runtimeconfig", tests + ".runtimeconfig.json", dll],
                work.Path, RunTimeout);
            Assert.True(run.ExitCode == 0, $"{location} exited with {run.ExitCode}:\n{run.Output}\n{run.Error}\n---\n{block.Code}");
            Assert.False(string.IsNullOrWhiteSpace(run.Output), $"{location} printed nothing.\n{run.Error}");
        }
        finally
        {
            File.Delete(dll);
        }
    }

    [Fact]
    public void Every_fence_names_a_language_and_csharp_is_written_csharp()
    {
        var problems = new List<string>();
        int csharp = 0;
        foreach (string file in DocumentationFiles())
        {
            foreach (CodeBlock block in BlocksOf(file))
            {
                if (block.Language == "csharp")
                    csharp++;
                else if (!FenceLanguages.Contains(block.Language))
                    problems.Add($"{block.Location}: fence language '{block.Language}' (use one of {string.Join(", ", FenceLanguages)}; C# is 'csharp', which is compiled)");
                else if (block.Directive is not null)
                    problems.Add($"{block.Location}: a snippet directive on a '{block.Language}' block");
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.True(csharp >= 20, $"Only {csharp} C# blocks found in the documentation: is the parser still reading the fences?");
    }

    [Fact]
    public void The_readme_hello_worlds_need_only_using_Hcr_MLNet_and_run()
    {
        CodeBlock[] runnable = BlocksOf("README.md").Where(b => b.Language == "csharp" && b.Runs).ToArray();
        Assert.True(runnable.Length >= 2, $"README.md has {runnable.Length} runnable C# blocks; the hello worlds for characters and for text expected.");
        Assert.Contains(runnable, b => b.Code.Contains("HandwritingRecognizer.LoadPretrained()", StringComparison.Ordinal));
        Assert.Contains(runnable, b => b.Code.Contains("HandwritingTextReader.LoadPretrained()", StringComparison.Ordinal));
        foreach (CodeBlock block in runnable)
        {
            // Using directives only, not using declarations ("using var x = …").
            string[] usings = CSharpSyntaxTree.ParseText(block.Code).GetCompilationUnitRoot().Usings.Select(u => u.ToString()).ToArray();
            Assert.Equal(["using Hcr.MLNet;"], usings);
        }
    }

    [Fact]
    public void Every_relative_link_and_image_in_the_documentation_resolves()
    {
        var problems = new List<string>();
        foreach (string file in DocumentationFiles())
        {
            string text = File.ReadAllText(Path.Combine(SharedData.RepositoryRoot, file));
            string withoutCode = Regex.Replace(text.ReplaceLineEndings("\n"), @"^[ \t]*```.*?^[ \t]*```[ \t]*$", "", RegexOptions.Singleline | RegexOptions.Multiline);
            withoutCode = Regex.Replace(withoutCode, "`[^`\n]*`", "");
            foreach (Match link in Regex.Matches(withoutCode, @"\]\((?<target>[^)\s]+)\)"))
            {
                string target = link.Groups["target"].Value;
                if (Regex.IsMatch(target, "^[a-z]+:", RegexOptions.IgnoreCase))
                    continue;
                string[] parts = target.Split('#', 2);
                string path = parts[0].Length == 0 ? Path.Combine(SharedData.RepositoryRoot, file)
                    : Path.GetFullPath(Path.Combine(SharedData.RepositoryRoot, Path.GetDirectoryName(file)!, Uri.UnescapeDataString(parts[0])));
                if (!File.Exists(path) && !Directory.Exists(path))
                {
                    problems.Add($"{file}: ({target}): {path} does not exist");
                    continue;
                }
                if (parts.Length == 2 && path.EndsWith(".md", StringComparison.Ordinal) && !Anchors(File.ReadAllText(path)).Contains(parts[1]))
                    problems.Add($"{file}: ({target}): no heading with the anchor #{parts[1]} in {Path.GetRelativePath(SharedData.RepositoryRoot, path)}");
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>The anchors GitHub gives a Markdown file's headings: lower case, punctuation dropped, spaces to hyphens, repeats numbered.</summary>
    private static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        bool inCode = false;
        foreach (string line in markdown.ReplaceLineEndings("\n").Split('\n'))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
                inCode = !inCode;
            Match heading = Regex.Match(line, @"^#{1,6}\s+(?<title>.+?)\s*#*\s*$");
            if (inCode || !heading.Success)
                continue;
            var slug = new StringBuilder();
            foreach (char c in heading.Groups["title"].Value.ToLowerInvariant())
            {
                if (char.IsLetterOrDigit(c) || c is '-' or '_')
                    slug.Append(c);
                else if (c == ' ')
                    slug.Append('-');
            }
            string anchor = slug.ToString();
            int count = seen.GetValueOrDefault(anchor);
            seen[anchor] = count + 1;
            anchors.Add(count == 0 ? anchor : $"{anchor}-{count}");
        }
        return anchors;
    }

    /// <summary>The block as a program: the implicit usings, then its using directives, its assumed variables and the rest.</summary>
    private static (CSharpCompilation Compilation, SyntaxTree Tree) Compile(CodeBlock block)
    {
        string code = block.Code;
        if (block.Assumed.Length > 0)
        {
            CompilationUnitSyntax root = CSharpSyntaxTree.ParseText(code).GetCompilationUnitRoot();
            int at = root.Usings.Count > 0 ? root.Usings.Last().FullSpan.End : 0;
            string declarations = string.Concat(block.Assumed.Select(d => $"{d} = default!;\n"));
            code = code[..at] + declarations + code[at..];
        }
        SyntaxTree tree = CSharpSyntaxTree.ParseText(code, path: block.Location);
        bool program = tree.GetCompilationUnitRoot().Members.OfType<GlobalStatementSyntax>().Any();
        CSharpCompilation compilation = CSharpCompilation.Create("DocSnippet",
            [CSharpSyntaxTree.ParseText(ImplicitUsings), tree], References.Value,
            new CSharpCompilationOptions(program ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable));
        return (compilation, tree);
    }

    /// <summary>Splits "A a, Dictionary&lt;string, int&gt; b" at the commas outside angle brackets.</summary>
    private static string[] SplitTopLevel(string text)
    {
        var parts = new List<string>();
        int depth = 0, start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] is '<' or '(' or '[')
                depth++;
            else if (text[i] is '>' or ')' or ']')
                depth--;
            else if (text[i] == ',' && depth == 0)
            {
                parts.Add(text[start..i].Trim());
                start = i + 1;
            }
        }
        parts.Add(text[start..].Trim());
        return parts.Where(p => p.Length > 0).ToArray();
    }

    private static void CopyDirectory(string from, string to, string[] skip)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.EnumerateFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (string dir in Directory.EnumerateDirectories(from).Where(d => !skip.Contains(Path.GetFileName(d))))
            CopyDirectory(dir, Path.Combine(to, Path.GetFileName(dir)), skip);
    }

    /// <summary>The framework's assemblies and the managed ones beside the tests (the library and its dependencies), once each.</summary>
    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string path in ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator))
            byName.TryAdd(Path.GetFileNameWithoutExtension(path), path);
        foreach (string path in Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll"))
        {
            if (Path.GetFileName(path).StartsWith("doc-snippet-", StringComparison.Ordinal))
                continue;
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
    });
}
