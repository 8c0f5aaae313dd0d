using Hcr.MLNet.Data;
using Hcr.MLNet.Tests.TestSupport;
using SkiaSharp;

namespace Hcr.MLNet.Benchmarks.Imaging;

/// <summary>
/// Photo-like image files of real handwriting (held-out ByMerge tiles drawn large with a pen of another
/// width on tinted paper, lighting gradient, noise, blur; JPEG and PNG), written once under
/// BenchmarkDotNet.Artifacts/photos, with the characters they show.
/// </summary>
internal static class PhotoFiles
{
    public static (string[] Paths, char[] Truth) Get(int count)
    {
        var (_, held) = EmnistDataset.Load(BenchmarkData.EmnistDirectory, EmnistSplit.ByMerge, EmnistPart.Test).Split(0.9, seed: 2024);
        string directory = Path.Combine(BenchmarkData.ArtifactsDirectory, "photos");
        Directory.CreateDirectory(directory);
        var random = new Random(7);
        var paths = new string[count];
        for (int i = 0; i < count; i++)
        {
            SKEncodedImageFormat format = i % 2 == 0 ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Png;
            byte[] encoded = PhotoRenderer.Render(held.GetImage(i), random, format);
            paths[i] = Path.Combine(directory, $"photo-{i:D4}.{(format == SKEncodedImageFormat.Jpeg ? "jpg" : "png")}");
            if (!File.Exists(paths[i]))
                File.WriteAllBytes(paths[i], encoded);
        }
        return (paths, Enumerable.Range(0, count).Select(held.GetCharacter).ToArray());
    }
}
