using Hcr.MLNet.Data;

namespace Hcr.MLNet.Tests.TestSupport;

/// <summary>The real data sets in <c>../shared/data</c> beside the checkout that some tests read.</summary>
public enum SharedDataSet
{
    /// <summary>EMNIST test parts (ByMerge, ByClass, MNIST) in <c>../shared/data/emnist</c>, or <c>HCR_EMNIST_DIR</c>.</summary>
    Emnist,

    /// <summary>DHSD word images in <c>../shared/data/dhsd</c>, or <c>HCR_DHSD_DIR</c>.</summary>
    Dhsd,

    /// <summary>SSE-letters photos in <c>../shared/data/sse-letters/frames</c>, or <c>HCR_SSE_LETTERS_DIR</c>.</summary>
    SseLetters,

    /// <summary>Handwriting fonts (<c>*.ttf</c>) in <c>../shared/data/fonts</c>, or <c>HCR_FONTS_DIR</c>.</summary>
    Fonts,
}

/// <summary>
/// Locates the real data sets beside the checkout (or in the folder a variable names). A test that needs one says so with
/// <see cref="DataFactAttribute"/>: it is skipped, with <see cref="MissingMessage(SharedDataSet, string)"/> as the reason,
/// when the data is absent and not required (<see cref="TestRun"/>); when it is required, the properties below throw that
/// message and the test fails with it.
/// </summary>
public static class SharedData
{
    public static string EmnistDirectory => Require(SharedDataSet.Emnist);

    public static string DhsdDirectory => Require(SharedDataSet.Dhsd);

    /// <summary>The folder of SSE-letters photos (5×3 grids of handwritten capitals, <c>*.jpg</c>).</summary>
    public static string SseLettersFrames => Require(SharedDataSet.SseLetters);

    /// <summary>The folder of handwriting fonts (<c>*.ttf</c>, SIL OFL or Apache 2.0) for synthetic text.</summary>
    public static string FontsDirectory => Require(SharedDataSet.Fonts);

    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Hcr.MLNet.sln")))
                    return dir.FullName;
            }
            throw new InvalidOperationException($"Hcr.MLNet.sln not found above {AppContext.BaseDirectory}.");
        }
    }

    /// <summary>Where <paramref name="set"/> is looked for: the folder its variable names, else its place in <c>../shared/data</c>.</summary>
    public static string Location(SharedDataSet set, Func<string, string?> variable)
    {
        (string name, string[] folders) = set switch
        {
            SharedDataSet.Emnist => ("HCR_EMNIST_DIR", new[] { "emnist" }),
            SharedDataSet.Dhsd => ("HCR_DHSD_DIR", ["dhsd"]),
            SharedDataSet.SseLetters => ("HCR_SSE_LETTERS_DIR", ["sse-letters", "frames"]),
            SharedDataSet.Fonts => ("HCR_FONTS_DIR", ["fonts"]),
            _ => throw new ArgumentOutOfRangeException(nameof(set), set, null),
        };
        string? overridden = variable(name);
        return !string.IsNullOrEmpty(overridden)
            ? Path.GetFullPath(overridden)
            : Path.GetFullPath(Path.Combine([RepositoryRoot, "..", "shared", "data", .. folders]));
    }

    /// <summary>What is missing of <paramref name="set"/> in this run's location and how to get it; null when it is all there.</summary>
    public static string? Missing(SharedDataSet set) => MissingMessage(set, Location(set, Environment.GetEnvironmentVariable));

    /// <summary>What is missing of <paramref name="set"/> in <paramref name="path"/> and how to get it, in one line; null when the tests' files are all there.</summary>
    public static string? MissingMessage(SharedDataSet set, string path) => set switch
    {
        SharedDataSet.Emnist => MissingEmnist(path),
        SharedDataSet.Dhsd => File.Exists(Path.Combine(path, "data.csv")) ? null
            : $"This test needs the DHSD word images, which are not in {path} (no data.csv). Get them from Zenodo, " +
              $"{DhsdSource} (CC BY 4.0; the tests expect writers 1 to 29, 4,711 images), into ../shared/data/dhsd beside the checkout " +
              $"(data.csv and german_hw_data/), or set HCR_DHSD_DIR to a folder that has them. {FastTier}",
        SharedDataSet.SseLetters => Directory.Exists(path) && Directory.EnumerateFiles(path, "*.jpg").Any() ? null
            : $"This test needs the SSE-letters photos (*.jpg), which are not in {path}. They are the frames of the VU CharWizard " +
              "data set (SSE-letters, Leonid Ivanov, 2025, MIT licence): put them, as JPEG files, in ../shared/data/sse-letters/frames " +
              $"beside the checkout, or set HCR_SSE_LETTERS_DIR to a folder of them. {FastTier}",
        SharedDataSet.Fonts => Directory.Exists(path) && Directory.EnumerateFiles(path, "*.ttf").Any() ? null
            : $"This test needs handwriting fonts (*.ttf), which are not in {path}. Any handwriting fonts with Latin-1 will do " +
              "(the tests were written for 36 Google Fonts families under the SIL OFL or Apache 2.0, such as Caveat, Kalam and Patrick Hand): " +
              $"put them in ../shared/data/fonts beside the checkout, or set HCR_FONTS_DIR to a folder of them. {FastTier}",
        _ => throw new ArgumentOutOfRangeException(nameof(set), set, null),
    };

    private const string DhsdSource = "https://doi.org/10.5281/zenodo.18743313";

    private const string FastTier = "The fast tier, dotnet test --filter \"Category!=Slow\", needs none of them.";

    /// <summary>The EMNIST parts the tests read: checked together, so that one message lists everything missing.</summary>
    private static readonly (EmnistSplit Split, EmnistPart Part)[] Needed =
        [(EmnistSplit.ByMerge, EmnistPart.Test), (EmnistSplit.ByClass, EmnistPart.Test), (EmnistSplit.Mnist, EmnistPart.Test)];

    private static string? MissingEmnist(string path)
    {
        string[] missing = Needed.SelectMany(n => EmnistDataset.MissingFiles(path, n.Split, n.Part)).Distinct().ToArray();
        return missing.Length == 0 ? null
            : $"This test needs the real EMNIST files, which are not in {path} (missing: {string.Join(", ", missing)}). " +
              $"Get them from NIST's archive {EmnistDownloadOptions.DefaultArchiveUri} (about 560 MB; its gzip/ folder holds them under these names) " +
              $"into ../shared/data/emnist beside the checkout, or set HCR_EMNIST_DIR to a folder that has them. {FastTier}";
    }

    private static string Require(SharedDataSet set)
    {
        string path = Location(set, Environment.GetEnvironmentVariable);
        // Reached only where the data is required (or the test is not marked): the test fails with what to do.
        if (MissingMessage(set, path) is string message)
            throw new InvalidOperationException(message);
        return path;
    }
}
