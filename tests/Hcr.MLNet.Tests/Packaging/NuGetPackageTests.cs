using Hcr.MLNet.Tests.TestSupport;

namespace Hcr.MLNet.Tests.Packaging;

/// <summary>
/// The packages as users meet them: packed to a local folder and added to new console apps outside this repository.
/// Hcr.MLNet, in an app that already references ML.NET, reads a photo of a handwritten letter with the pretrained
/// recognizer inside it, then trains a tiny model on data it makes and predicts with it. Hcr.MLNet.Onnx alone predicts
/// with the pretrained models and an exported ONNX file in a small output with no TorchSharp or libtorch (and no training
/// assembly), and says which package to add when asked to load a TorchSharp model file. Each package holds its own
/// assembly and depends on what it says.
/// </summary>
public class NuGetPackageTests(NuGetPackageTests.PackedFeed feed) : IClassFixture<NuGetPackageTests.PackedFeed>
{
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(8);

    /// <summary>The most an Hcr.MLNet.Onnx app's build output for one runtime identifier may weigh (issue: under 150 MB).</summary>
    private const long SlimOutputLimitBytes = 150L * 1000 * 1000;

    /// <summary>The ML.NET version the library is built against (Directory.Packages.props).</summary>
    private const string MLNetVersion = "6.0.0";

    /// <summary>A sample photo (samples/images) the app reads with the pretrained recognizer; its name is the letter written.</summary>
    private const string Photo = "A.jpg";

    private const string AppProgram = """
        using Hcr.MLNet;
        using Hcr.MLNet.Data;
        using Hcr.MLNet.Networks;

        // The recognizer shipped in the package: nothing to download or train.
        using (HandwritingRecognizer pretrained = HandwritingRecognizer.LoadPretrained())
        {
            CharacterPrediction photo = pretrained.Predict("A.jpg");
            Console.WriteLine($"pretrained read {photo.Character} ({photo.Confidence:P0}) from {pretrained.Classes.Count} classes");
        }

        // The text reader shipped in the package reads a handwritten word photo.
        using (HandwritingTextReader reader = HandwritingTextReader.LoadPretrained())
            Console.WriteLine($"pretrained reader read [{reader.Read("word.png").Text}]");

        // Two classes the app draws itself: a horizontal and a vertical bar, jittered.
        var random = new Random(1);
        EmnistDataset Make(int count)
        {
            var pixels = new byte[count * 784];
            var labels = new int[count];
            for (int i = 0; i < count; i++)
            {
                labels[i] = i % 2;
                int offset = random.Next(-4, 5);
                for (int k = 6; k < 22; k++)
                {
                    int r = labels[i] == 0 ? 14 + offset : k, c = labels[i] == 0 ? k : 14 + offset;
                    pixels[i * 784 + r * 28 + c] = 255;
                }
            }
            return EmnistDataset.Create(pixels, labels, ['-', '|']);
        }

        using HandwritingRecognizer recognizer = HandwritingRecognizer.Create()
            .WithData(Make(200), Make(40))
            .WithArchitecture(CnnArchitecture.Seed)
            .WithEpochs(2)
            .WithTrainerOptions(o => { o.ValidationFraction = 0; o.BatchSize = 20; })
            .Train();
        EmnistDataset probe = Make(2);
        CharacterPrediction first = recognizer.PredictTile(probe.GetImage(0));
        CharacterPrediction second = recognizer.PredictTile(probe.GetImage(1));
        Console.WriteLine($"predicted {first.Character}{second.Character} accuracy {recognizer.TestEvaluation!.Accuracy:F3}");
        return first.Character == '-' && second.Character == '|' ? 0 : 3;
        """;

    private const string SlimAppProgram = """
        using Hcr.MLNet;

        using (HandwritingRecognizer pretrained = HandwritingRecognizer.LoadPretrained())
            Console.WriteLine($"pretrained read {pretrained.Predict("A.jpg").Character}");
        using (HandwritingRecognizer exported = HandwritingRecognizer.LoadOnnx("exported.onnx"))
            Console.WriteLine($"exported read {exported.Predict("A.jpg").Character}");
        using (HandwritingTextReader reader = HandwritingTextReader.LoadPretrained())
            Console.WriteLine($"pretrained reader read [{reader.Read("word.png").Text}]");
        try
        {
            HandwritingRecognizer.Load("emnist47.hcr");
            return 3;
        }
        catch (Hcr.MLNet.Native.TorchRuntimeException e)
        {
            Console.WriteLine($"load-hcr: {e.Message}");
        }
        return 0;
        """;

    [SlowFact]
    public void Package_alone_trains_and_predicts_in_a_new_console_app()
    {
        using var dir = new TempDirectory();
        string app = CreateApp(dir, AppProgram, runtimeIdentifier: null);

        // An app that already uses ML.NET 6 adds the package: no downgrade, no version conflict.
        var addMl = ChildProcess.Run("dotnet", ["add", "package", "Microsoft.ML", "--version", MLNetVersion], app, Step);
        Assert.True(addMl.ExitCode == 0, addMl.Output + addMl.Error);
        var add = ChildProcess.Run("dotnet", ["add", "package", "Hcr.MLNet", "--version", feed.Version], app, Step);
        Assert.True(add.ExitCode == 0, add.Output + add.Error);
        var build = ChildProcess.Run("dotnet", ["build", "-c", "Release"], app, Step);
        Assert.True(build.ExitCode == 0, build.Output + build.Error);
        foreach (string conflict in (string[])["NU1605", "NU1608", "NU1109", "NU1107", "downgrade"])
            Assert.DoesNotContain(conflict, build.Output + build.Error, StringComparison.OrdinalIgnoreCase);
        var run = ChildProcess.Run("dotnet", ["run", "-c", "Release", "--no-build"], app, Step);
        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Contains("predicted -|", run.Output);
        Assert.Contains($"pretrained read {Photo[0]} ", run.Output);
        Assert.Contains("from 47 classes", run.Output);
        Assert.Matches(@"pretrained reader read \[[^\]]*Stra", run.Output);
    }

    [SlowFact]
    public void Onnx_package_alone_predicts_in_a_small_output_without_TorchSharp()
    {
        using var dir = new TempDirectory();
        // One runtime identifier, as README advises: without one, NuGet copies ONNX Runtime's and SkiaSharp's native
        // files for every platform they support.
        string runtime = System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier;
        string app = CreateApp(dir, SlimAppProgram, runtime);
        string pretrained = Path.Combine(SharedData.RepositoryRoot, "src", "Hcr.MLNet.Onnx", "Pretrained");
        File.Copy(Path.Combine(pretrained, "emnist47.onnx"), Path.Combine(app, "exported.onnx"));
        File.Copy(Path.Combine(pretrained, "emnist47.hcr"), Path.Combine(app, "emnist47.hcr"));

        var add = ChildProcess.Run("dotnet", ["add", "package", "Hcr.MLNet.Onnx", "--version", feed.Version], app, Step);
        Assert.True(add.ExitCode == 0, add.Output + add.Error);
        var build = ChildProcess.Run("dotnet", ["build", "-c", "Release"], app, Step);
        Assert.True(build.ExitCode == 0, build.Output + build.Error);

        string output = Path.Combine(app, "bin", "Release", "net10.0", runtime);
        FileInfo[] files = new DirectoryInfo(output).GetFiles("*", SearchOption.AllDirectories);
        Assert.Contains(files, f => f.Name == "Hcr.MLNet.Onnx.dll");
        Assert.DoesNotContain(files, f => f.Name == "Hcr.MLNet.dll");
        Assert.DoesNotContain(files, f => f.Name.Contains("torch", StringComparison.OrdinalIgnoreCase) || f.Name.StartsWith("libc10", StringComparison.Ordinal));
        long bytes = files.Sum(f => f.Length);
        Assert.True(bytes < SlimOutputLimitBytes, $"The build output weighs {bytes / 1e6:F0} MB.");

        var run = ChildProcess.Run("dotnet", ["run", "-c", "Release", "--no-build"], app, Step);
        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Contains($"pretrained read {Photo[0]}", run.Output);
        Assert.Contains($"exported read {Photo[0]}", run.Output);
        Assert.Matches(@"pretrained reader read \[[^\]]*Stra", run.Output);
        Assert.Contains($"dotnet add package {Hcr.MLNet.Native.TorchRuntime.TrainingPackage}", run.Output);
    }

    [SlowFact]
    public void Each_package_holds_its_own_assembly_and_only_the_training_package_depends_on_TorchSharp()
    {
        (string[] onnxFiles, string onnxNuspec) = Contents("Hcr.MLNet.Onnx");
        (string[] fullFiles, string fullNuspec) = Contents("Hcr.MLNet");

        Assert.Contains("lib/net10.0/Hcr.MLNet.Onnx.dll", onnxFiles);
        Assert.DoesNotContain(onnxFiles, f => f.EndsWith("/Hcr.MLNet.dll", StringComparison.Ordinal));
        Assert.Contains("buildTransitive/Hcr.MLNet.Onnx.targets", onnxFiles);
        Assert.DoesNotContain("id=\"TorchSharp", onnxNuspec, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"Hcr.MLNet\"", onnxNuspec, StringComparison.Ordinal);

        Assert.Contains("lib/net10.0/Hcr.MLNet.dll", fullFiles);
        Assert.DoesNotContain(fullFiles, f => f.EndsWith("/Hcr.MLNet.Onnx.dll", StringComparison.Ordinal));
        foreach (string dependency in (string[])["Hcr.MLNet.Onnx", "TorchSharp-cpu", "TorchSharp.PyBridge"])
            Assert.Contains($"id=\"{dependency}\"", fullNuspec, StringComparison.Ordinal);
        Assert.Contains($"id=\"Hcr.MLNet.Onnx\" version=\"{feed.Version}\"", fullNuspec, StringComparison.Ordinal);
    }

    /// <summary>The entries of a packed package and its nuspec.</summary>
    private (string[] Files, string Nuspec) Contents(string id)
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(Path.Combine(feed.Directory, $"{id}.{feed.Version}.nupkg"));
        string[] files = zip.Entries.Select(e => e.FullName).ToArray();
        using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName == $"{id}.nuspec").Open());
        return (files, nuspec.ReadToEnd());
    }

    /// <summary>A new console app in <paramref name="dir"/> that restores from the packed feed, with the sample photos beside it.</summary>
    private string CreateApp(TempDirectory dir, string program, string? runtimeIdentifier)
    {
        string app = dir.File("app");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed.Directory}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        string runtime = runtimeIdentifier is null ? "" : $"<RuntimeIdentifier>{runtimeIdentifier}</RuntimeIdentifier><SelfContained>false</SelfContained>";
        File.WriteAllText(Path.Combine(app, "SmokeApp.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                {runtime}
              </PropertyGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), program);
        File.Copy(Path.Combine(SharedData.RepositoryRoot, "samples", "images", Photo), Path.Combine(app, Photo));
        File.Copy(Path.Combine(SharedData.RepositoryRoot, "samples", "text", "word.png"), Path.Combine(app, "word.png"));
        return app;
    }

    /// <summary>
    /// Both packages packed once for the class, at a version of their own, so that the global package cache never serves
    /// an older build of them; removed from that cache afterwards. Packed by the first test that asks, so that skipped
    /// tests (the slow tier) cost nothing.
    /// </summary>
    public sealed class PackedFeed : IDisposable
    {
        private readonly TempDirectory _dir = new();
        private readonly string _version = $"0.0.0-smoke.{Guid.NewGuid():N}"[..27];
        private readonly Lazy<string> _packed;

        public PackedFeed() => _packed = new(Pack);

        public string Version
        {
            get
            {
                _ = _packed.Value; // only a packed version may be asked for
                return _version;
            }
        }

        /// <summary>The folder that holds both packages.</summary>
        public string Directory => _packed.Value;

        private string Pack()
        {
            string directory = _dir.File("feed");
            foreach ((string project, string id) in (ReadOnlySpan<(string, string)>)[("Hcr.MLNet.Onnx", "Hcr.MLNet.Onnx"), ("Hcr.MLNet", "Hcr.MLNet")])
            {
                string path = Path.Combine(SharedData.RepositoryRoot, "src", project, project + ".csproj");
                var pack = ChildProcess.Run("dotnet", ["pack", path, "-c", "Release", "-o", directory, $"-p:Version={_version}"], SharedData.RepositoryRoot, Step);
                Assert.True(pack.ExitCode == 0, pack.Output + pack.Error);
                Assert.True(File.Exists(Path.Combine(directory, $"{id}.{_version}.nupkg")), $"{id}.{_version}.nupkg was not written.");
            }
            Assert.True(File.Exists(Path.Combine(directory, $"Hcr.MLNet.Onnx.{_version}.snupkg")));
            Assert.True(File.Exists(Path.Combine(directory, $"Hcr.MLNet.{_version}.snupkg")));
            return directory;
        }

        public void Dispose()
        {
            string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            foreach (string id in (string[])["hcr.mlnet", "hcr.mlnet.onnx"])
            {
                string cached = Path.Combine(cache, id, _version);
                if (System.IO.Directory.Exists(cached))
                    System.IO.Directory.Delete(cached, recursive: true);
            }
            _dir.Dispose();
        }
    }
}
