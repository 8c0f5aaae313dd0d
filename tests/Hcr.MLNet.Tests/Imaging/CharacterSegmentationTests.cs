using Hcr.MLNet.Imaging;
using Hcr.MLNet.Tests.TestSupport;
using Microsoft.ML.Data;
using SkiaSharp;
using Glyph = Hcr.MLNet.Tests.TestSupport.PaperPhoto.Glyph;
using Look = Hcr.MLNet.Tests.TestSupport.PaperPhoto.Look;
using Rule = Hcr.MLNet.Tests.TestSupport.PaperPhoto.Rule;

namespace Hcr.MLNet.Tests.Imaging;

/// <summary>Finding separated characters on a page (<see cref="CharacterSegmentation"/>) and telling one character from several (<see cref="InkGroups"/>).</summary>
public class CharacterSegmentationTests
{
    private readonly CharacterImageLoader _loader = new(new CharacterImageLoaderOptions { WorkingSize = 2048 });

    /// <summary>A page of <paramref name="rows"/> (each a string of characters) in a grid of printed cells, cell by cell.</summary>
    internal static (byte[] Photo, List<Glyph> Glyphs) GridPage(string[] rows, int cell, bool ruled, Random random, Look? look = null)
    {
        int columns = rows.Max(r => r.Length), margin = cell / 2;
        int width = 2 * margin + columns * cell, height = 2 * margin + rows.Length * cell;
        var glyphs = new List<Glyph>();
        for (int r = 0; r < rows.Length; r++)
        {
            for (int c = 0; c < rows[r].Length; c++)
            {
                // Placed loosely in its cell, a little above or below, left or right.
                float size = cell * (0.45f + 0.15f * (float)random.NextDouble());
                float left = margin + c * cell + (cell - size * 0.8f) / 2 + random.Next(-cell / 10, cell / 10 + 1);
                float top = margin + r * cell + (cell - size) / 2 + random.Next(-cell / 10, cell / 10 + 1);
                glyphs.Add(new Glyph(rows[r][c], new SKRect(left, top, left + size * 0.8f, top + size), cell / 18f));
            }
        }
        var rules = new List<Rule>();
        float line = Math.Max(2.5f, cell / 90f);
        if (ruled)
        {
            for (int r = 0; r <= rows.Length; r++)
                rules.Add(new Rule(new SKPoint(margin, margin + r * cell), new SKPoint(width - margin, margin + r * cell + 3), line));
            for (int c = 0; c <= columns; c++)
                rules.Add(new Rule(new SKPoint(margin + c * cell, margin), new SKPoint(margin + c * cell - 3, height - margin), line));
        }
        look ??= new Look { Noise = 3, Gradient = 0.2, Format = SKEncodedImageFormat.Jpeg, Quality = 88 };
        return (PaperPhoto.Render(width, height, glyphs, look, random, rules), glyphs);
    }

    private List<SegmentedCharacter> Find(byte[] photo)
    {
        using MLImage image = _loader.Load(photo, "page");
        return CharacterSegmentation.Find(GreyConversion.ToGrey(image), new InkNormalizationOptions(), "page");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Characters_in_a_grid_are_found_in_reading_order_with_their_boxes(bool ruled)
    {
        string[] rows = ["A7HT", "LEX1", "V4iA"];
        (byte[] photo, List<Glyph> glyphs) = GridPage(rows, cell: 90, ruled, new Random(3));
        List<SegmentedCharacter> found = Find(photo);

        Assert.Equal(glyphs.Count, found.Count);
        for (int i = 0; i < glyphs.Count; i++)
        {
            // Glyphs were drawn row by row, left to right: the order of reading.
            SKRect drawn = PaperPhoto.InkBox(glyphs[i]);
            InkBox box = found[i].Box;
            // Round caps and anti-aliasing reach a pixel or two past the strokes' ends.
            const int tolerance = 3;
            Assert.True(Math.Abs(box.Left - drawn.Left) <= tolerance && Math.Abs(box.Right - drawn.Right) <= tolerance
                && Math.Abs(box.Top - drawn.Top) <= tolerance && Math.Abs(box.Bottom - drawn.Bottom) <= tolerance,
                $"character {i} ('{glyphs[i].Character}'): found {box}, drawn {drawn}");
            Assert.Equal(i / rows[0].Length, found[i].Row);
        }
    }

    [Fact]
    public void A_blank_page_has_no_ink()
    {
        byte[] blank = PaperPhoto.Render(400, 300, [], new Look { Noise = 4, Format = SKEncodedImageFormat.Jpeg }, new Random(1));
        var e = Assert.Throws<UnusableImageException>(() => Find(blank));
        Assert.Equal("page", e.ImageSource);
    }

    [Fact]
    public void Reading_order_is_rows_then_left_to_right_even_when_a_row_is_uneven()
    {
        // Row one rises to the right; row two starts lower on the left.
        InkBox[] boxes = [InkBox.FromEdges(200, 10, 240, 60), InkBox.FromEdges(10, 30, 50, 80), InkBox.FromEdges(100, 20, 140, 70), InkBox.FromEdges(20, 120, 60, 170), InkBox.FromEdges(120, 110, 160, 160)];
        List<List<int>> rows = CharacterSegmentation.Rows(boxes);
        Assert.Equal([[1, 2, 0], [3, 4]], rows);
    }

    [Theory]
    [InlineData("A", 1)]
    [InlineData("H", 1)]
    [InlineData("i", 1)]
    [InlineData("A7", 2)]
    [InlineData("7A1", 3)]
    public void One_character_or_several_side_by_side(string characters, int groups)
    {
        var glyphs = characters.Select((c, k) => new Glyph(c, new SKRect(30 + k * 80, 40, 90 + k * 80, 130), 6)).ToList();
        byte[] photo = PaperPhoto.Render(60 + 80 * characters.Length, 170, glyphs, new Look { Noise = 3, Format = SKEncodedImageFormat.Jpeg }, new Random(2));
        using MLImage image = new CharacterImageLoader().Load(photo, characters);
        Assert.Equal(groups, new InkNormalizer().Normalize(image).InkGroups);
    }

    [Fact]
    public void A_broken_stroke_and_a_dot_stay_with_their_character()
    {
        // A stem broken in two (a gap of a tenth of its height), and a dot above another stem.
        InkBox[] pieces = [InkBox.FromEdges(10, 10, 18, 50), InkBox.FromEdges(10, 54, 18, 100), InkBox.FromEdges(60, 10, 68, 20), InkBox.FromEdges(60, 30, 68, 100), InkBox.FromEdges(120, 10, 128, 100)];
        List<List<int>> groups = InkGroups.Join(pieces.Select(p => (p, 100)).ToList());
        Assert.Equal([[0, 1], [2, 3], [4]], groups.Select(g => g.Order().ToList()).OrderBy(g => g[0]).ToList());
    }
}
