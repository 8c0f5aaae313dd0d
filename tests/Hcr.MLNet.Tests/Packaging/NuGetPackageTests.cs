using Hcr.MLNet.Tests.TestSupport;

namespace Hcr.MLNet.Tests.Packaging;

/// <summary>
/// The package as users meet it: packed to a local folder, added to a new console app outside this
/// repository that already references ML.NET, which reads a photo of a handwritten letter with the pretrained
/// recognizer inside the package, then trains a tiny model on data it makes and predicts with it.
/// </summary>
[Trait(TestTier.Category, TestTier.Slow)]
public class NuGetPackageTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(8);

    /// <summary>The ML.NET version the library is built against (Directory.Packages.props).</summary>
    private const string MLNetVersion = "6.0.0";

    /// <summary>A sample photo (samples/images) the app reads with the pretrained recognizer; its name is the letter written.</summary>
    private const string Photo = "A.jpg";

    private const string AppProgram = """
        using Hcr.MLNet;
        using Hcr.MLNet.Data;
        using Hcr.MLNet.Models;

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

    [Fact]
    public void Package_alone_trains_and_predicts_in_a_new_console_app()
    {
        using var dir = new TempDirectory();
        // A version of its own, so that the global package cache never serves an older build of it.
        string version = $"0.0.0-smoke.{Guid.NewGuid():N}"[..27];
        string feed = dir.File("feed"), app = dir.File("app");
        string project = Path.Combine(SharedData.RepositoryRoot, "src", "Hcr.MLNet", "Hcr.MLNet.csproj");
        try
        {
            var pack = ChildProcess.Run("dotnet", ["pack", project, "-c", "Release", "-o", feed, $"-p:Version={version}"], SharedData.RepositoryRoot, Step);
            Assert.True(pack.ExitCode == 0, pack.Output + pack.Error);
            Assert.True(File.Exists(Path.Combine(feed, $"Hcr.MLNet.{version}.nupkg")));
            Assert.True(File.Exists(Path.Combine(feed, $"Hcr.MLNet.{version}.snupkg")));

            Directory.CreateDirectory(app);
            File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="local" value="{feed}" />
                    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
                  </packageSources>
                </configuration>
                """);
            File.WriteAllText(Path.Combine(app, "SmokeApp.csproj"), """
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <Nullable>enable</Nullable>
                  </PropertyGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(app, "Program.cs"), AppProgram);
            File.Copy(Path.Combine(SharedData.RepositoryRoot, "samples", "images", Photo), Path.Combine(app, Photo));
            File.Copy(Path.Combine(SharedData.RepositoryRoot, "samples", "text", "word.png"), Path.Combine(app, "word.png"));

            // An app that already uses ML.NET 6 adds the package: no downgrade, no version conflict.
            var addMl = ChildProcess.Run("dotnet", ["add", "package", "Microsoft.ML", "--version", MLNetVersion], app, Step);
            Assert.True(addMl.ExitCode == 0, addMl.Output + addMl.Error);
            var add = ChildProcess.Run("dotnet", ["add", "package", "Hcr.MLNet", "--version", version], app, Step);
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
        finally
        {
            string cached = Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"), "hcr.mlnet", version);
            if (Directory.Exists(cached))
                Directory.Delete(cached, recursive: true);
        }
    }
}
