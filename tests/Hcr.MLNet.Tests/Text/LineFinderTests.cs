using Hcr.MLNet.Imaging;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Text;

namespace Hcr.MLNet.Tests.Text;

/// <summary>
/// Words drawn from block glyphs with what makes line finding hard: an i whose dot floats above it, a g whose
/// descender reaches below the line, a flat c far smaller than its neighbours, and tall a's.
/// </summary>
internal static class GlyphPageWords
{
    public const string Letters = "abcig";
    private const int Height = 64, LetterWidth = 20;

    /// <summary>The word drawn dark on white.</summary>
    public static PageWord Draw(string text)
    {
        var image = new GreyImage(LetterWidth * text.Length + 8, Height);
        Array.Fill(image.Data, 255f);
        void Fill(int x0, int y0, int x1, int y1)
        {
            for (int y = y0; y < y1; y++)
            {
                for (int x = x0; x < x1; x++)
                    image[x, y] = 25;
            }
        }
        for (int i = 0; i < text.Length; i++)
        {
            int x = 4 + i * LetterWidth;
            switch (text[i])
            {
                case 'a': // an ascender
                    Fill(x + 8, 8, x + 12, 44);
                    break;
                case 'b': // a hollow box on the body
                    Fill(x + 3, 20, x + 17, 24);
                    Fill(x + 3, 40, x + 17, 44);
                    Fill(x + 3, 20, x + 7, 44);
                    Fill(x + 13, 20, x + 17, 44);
                    break;
                case 'c': // a flat stroke on the base line
                    Fill(x + 3, 38, x + 17, 44);
                    break;
                case 'i': // a stem with its dot apart, above
                    Fill(x + 8, 24, x + 12, 44);
                    Fill(x + 8, 13, x + 12, 17);
                    break;
                default: // g: a box with a descender
                    Fill(x + 3, 20, x + 17, 24);
                    Fill(x + 3, 40, x + 17, 44);
                    Fill(x + 3, 20, x + 7, 44);
                    Fill(x + 13, 20, x + 17, 58);
                    break;
            }
        }
        return TextPages.Word(image);
    }

    /// <summary>A page of <paramref name="lines"/> lines of 2 to 4 random words, each of 2 to 6 letters, at least one dotted i and one g in each line.</summary>
    public static TextPage Page(int lines, Random random) => TextPages.Compose(
        Enumerable.Range(0, lines).Select(_ => (IReadOnlyList<PageWord>)Enumerable.Range(0, random.Next(2, 5))
            .Select(w => Draw((w == 0 ? "ig" : "") + new string(Enumerable.Range(0, random.Next(2, 5)).Select(_ => Letters[random.Next(Letters.Length)]).ToArray())))
            .ToList()).ToList(),
        random, pitch: height => height * (1.0 + 0.3 * random.NextDouble()), minimumGap: 24, maximumGap: 48);
}

public class LineFinderTests
{
    [Theory]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(4, 3)]
    [InlineData(5, 4)]
    [InlineData(3, 5)]
    [InlineData(4, 6)]
    public void GlyphPagesComeApartIntoTheirLines(int lines, int seed)
    {
        TextPage page = GlyphPageWords.Page(lines, new Random(seed));
        AssertLinesFound(page, LineFinder.Find(page.Page));
    }

    [Fact]
    public void OneWordOrOneLineIsOneLine()
    {
        Assert.Equal(1, LineFinder.Find(GlyphPageWords.Draw("igabcg").Image).Count);
        TextPage line = GlyphPageWords.Page(1, new Random(3));
        Assert.Equal(1, LineFinder.Find(line.Page).Count);
    }

    [Fact]
    public void ABlankPageHasNoLines()
    {
        var blank = new GreyImage(300, 200);
        Array.Fill(blank.Data, 235f);
        Assert.Equal(0, LineFinder.Find(blank).Count);
    }

    [Fact]
    public void ACutOutLineKeepsItsOwnInkAndLosesItsNeighbours()
    {
        TextPage page = GlyphPageWords.Page(3, new Random(7));
        PageLines found = LineFinder.Find(page.Page);
        Assert.Equal(3, found.Count);
        GreyImage cut = found.CutOut(1, out InkBox region);
        InkBox ink = TextPages.InkBounds(cut);
        var onPage = InkBox.FromEdges(ink.Left + region.Left, ink.Top + region.Top, ink.Right + region.Left, ink.Bottom + region.Top);
        Assert.True(TextPage.IoU(onPage, page.Lines[1]) >= 0.9, $"{onPage} against {page.Lines[1]}");
    }

    /// <summary>
    /// As many lines as the page has, each found line's box over its true one (IoU at least 0.5) and holding no word of
    /// another line (less than half of any other line's word inside it).
    /// </summary>
    internal static void AssertLinesFound(TextPage page, PageLines found)
    {
        Assert.Equal(page.Words.Count, found.Count);
        for (int i = 0; i < found.Count; i++)
        {
            InkBox box = found.PageBox(i);
            double iou = TextPage.IoU(box, page.Lines[i]);
            Assert.True(iou >= 0.5, $"Line {i}: found {box}, true {page.Lines[i]}, IoU {iou:F2}");
            for (int j = 0; j < page.Words.Count; j++)
            {
                if (j == i)
                    continue;
                foreach (InkBox word in page.Words[j])
                {
                    double inside = TextPage.Overlap(box, word) / ((double)word.Width * word.Height);
                    Assert.True(inside < 0.5, $"Line {i} ({box}) holds {inside:P0} of line {j}'s word {word}");
                }
            }
        }
    }
}
