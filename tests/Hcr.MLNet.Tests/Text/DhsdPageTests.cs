using Hcr.MLNet.Imaging;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Text;
using Xunit.Abstractions;

namespace Hcr.MLNet.Tests.Text;

/// <summary>Line finding on real handwriting: pages composed of DHSD word images, and the single word images themselves.</summary>
public class DhsdPageTests(ITestOutputHelper output)
{
    /// <summary>
    /// Eight pages of 2 to 5 lines, each turned by up to ±3°: most come apart exactly into their lines. Not all yet:
    /// with the lines as tight as these (1 to 1.3 ink heights apart) and the page turned, a line's end can reach into
    /// the next line's band, and a page or two in eight comes out with a line split or two lines' words shared.
    /// </summary>
    [DataFact(SharedDataSet.Dhsd)]
    public void ComposedPagesComeApartIntoTheirLines()
    {
        WordImageSet set = WordImageSet.Load(SharedData.DhsdDirectory);
        int right = 0;
        foreach ((int lines, int seed) in new[] { (2, 1), (3, 2), (4, 3), (5, 4), (3, 5), (4, 6), (3, 7), (2, 8) })
        {
            TextPage page = Page(set, lines, new Random(seed));
            try
            {
                LineFinderTests.AssertLinesFound(page, LineFinder.Find(page.Page));
                right++;
            }
            catch (Xunit.Sdk.XunitException e)
            {
                output.WriteLine($"Page of {lines} lines (seed {seed}): {e.Message.ReplaceLineEndings(" ")}");
            }
        }
        output.WriteLine($"{right} of 8 pages came apart exactly into their lines.");
        Assert.True(right >= 5, $"Only {right} of 8 composed pages came apart into their lines.");
    }

    [DataFact(SharedDataSet.Dhsd)]
    public void AWordOnARuledLineIsOneLine()
    {
        // A word whose g touches the ruled line under it (writer 8's paper was ruled).
        string path = Path.Combine(SharedData.DhsdDirectory, "german_hw_data", "writer8", "8_132.png");
        GreyImage word = Load(path);
        Assert.True(TextPages.HasRuledLine(word));
        Assert.Equal(1, LineFinder.Find(word).Count);
    }

    [DataFact(SharedDataSet.Dhsd)]
    public void NearlyNoWordImageComesOutAsSeveralLines()
    {
        WordImageSet sample = WordImageSet.Load(SharedData.DhsdDirectory).Subset(400, seed: 11);
        var several = new List<string>();
        int ruled = 0;
        foreach (WordImage image in sample.Images)
        {
            GreyImage word = Load(image.Path);
            ruled += TextPages.HasRuledLine(word) ? 1 : 0;
            int count = LineFinder.Find(word).Count;
            if (count > 1)
                several.Add($"{Path.GetFileName(image.Path)} ({count} lines)");
        }
        output.WriteLine($"{several.Count} of {sample.Count} word images ({ruled} with a ruled line) came out as more than one line: {string.Join(", ", several)}");
        Assert.True(several.Count <= sample.Count / 100, string.Join(", ", several));
    }

    /// <summary>
    /// A page of <paramref name="lines"/> lines of 2 or 3 word images each, none with a ruled line (whose ink box is not
    /// the word's), written as with one pen on one paper, the lines at 1 to 1.3 times the taller one's ink height apart.
    /// </summary>
    internal static TextPage Page(WordImageSet set, int lines, Random random)
    {
        var words = new List<IReadOnlyList<PageWord>>();
        for (int i = 0; i < lines; i++)
        {
            var line = new List<PageWord>();
            while (line.Count < 2 + random.Next(2))
            {
                GreyImage word = Load(set.Images[random.Next(set.Count)].Path);
                if (!TextPages.HasRuledLine(word))
                {
                    line.Add(TextPages.Word(TextPages.AsOnePen(word)));
                }
            }
            words.Add(line);
        }
        return TextPages.Compose(words, random, pitch: height => height * (1.0 + 0.3 * random.NextDouble()), minimumGap: 25, maximumGap: 60);
    }

    private static GreyImage Load(string path)
    {
        using Microsoft.ML.Data.MLImage image = new CharacterImageLoader().Load(path);
        return GreyConversion.ToGrey(image);
    }
}
