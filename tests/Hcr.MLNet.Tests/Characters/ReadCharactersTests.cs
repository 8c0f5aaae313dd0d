using Hcr.MLNet.Imaging;
using Hcr.MLNet.Tests.Imaging;
using Hcr.MLNet.Tests.TestSupport;
using SkiaSharp;
using Look = Hcr.MLNet.Tests.TestSupport.PaperPhoto.Look;

namespace Hcr.MLNet.Tests.Characters;

/// <summary><see cref="HandwritingRecognizer.ReadCharacters(string)"/>: every separated character, in reading order, boxed in the file's pixels.</summary>
public class ReadCharactersTests(RecognizerFixture fixture) : IClassFixture<RecognizerFixture>
{
    [SlowFact] // trains or reads for over half a minute on two cores: the slow tier keeps the default run short
    public void A_large_page_is_read_row_by_row_with_boxes_in_the_files_pixels()
    {
        // 3 × 4 cells of 700 px: 3150 × 2450 px, more than the page loader's working size, so boxes are scaled back.
        string[] rows = ["A7HT", "LEX1", "V4iA"];
        (byte[] photo, List<PaperPhoto.Glyph> glyphs) = CharacterSegmentationTests.GridPage(rows, cell: 700, ruled: true, new Random(4),
            new Look { Noise = 3, Format = SKEncodedImageFormat.Png });
        using var dir = new TempDirectory();
        string path = dir.File("page.png");
        File.WriteAllBytes(path, photo);

        IReadOnlyList<CharacterReading> found = fixture.Recognizer.ReadCharacters(path);
        Assert.True(glyphs.Count == found.Count, $"found {string.Join("; ", found)}; drawn {string.Join("; ", glyphs.Select(g => $"{g.Character} {PaperPhoto.InkBox(g)}"))}");
        for (int i = 0; i < found.Count; i++)
        {
            SKRect drawn = PaperPhoto.InkBox(glyphs[i]);
            (int x, int y, int w, int h) = found[i].Box;
            // The page is analysed at 1024 px: a pixel there is about three here.
            const int tolerance = 12;
            Assert.True(Math.Abs(x - drawn.Left) <= tolerance && Math.Abs(x + w - drawn.Right) <= tolerance
                && Math.Abs(y - drawn.Top) <= tolerance && Math.Abs(y + h - drawn.Bottom) <= tolerance,
                $"character {i}: found {found[i].Box}, drawn {drawn}");
            Assert.Equal(i / 4, found[i].Row);
            Assert.Equal(found[i].Prediction.Character, found[i].Character);
            Assert.InRange(found[i].Confidence, 0f, 1f);
            Assert.Equal(3, found[i].Top(3).Count);
        }

        // The other overloads read the same characters in the same boxes.
        IReadOnlyList<CharacterReading> fromBytes = fixture.Recognizer.ReadCharacters(photo, "page");
        using var stream = new MemoryStream(photo);
        IReadOnlyList<CharacterReading> fromStream = fixture.Recognizer.ReadCharacters(stream, "page");
        Assert.Equal(found.Select(c => (c.Box, c.Character)), fromBytes.Select(c => (c.Box, c.Character)));
        Assert.Equal(found.Select(c => (c.Box, c.Character)), fromStream.Select(c => (c.Box, c.Character)));
    }

    [Fact]
    public void A_blank_page_is_unusable_and_names_the_file()
    {
        byte[] blank = PaperPhoto.Render(300, 200, [], new Look { Noise = 3 }, new Random(1));
        var e = Assert.Throws<UnusableImageException>(() => fixture.Recognizer.ReadCharacters(blank, "blank.png"));
        Assert.Equal("blank.png", e.ImageSource);
        Assert.Throws<FileNotFoundException>(() => fixture.Recognizer.ReadCharacters("/no/such/page.png"));
    }

    [Fact]
    public void Two_characters_in_one_image_are_flagged_on_the_prediction()
    {
        var glyphs = new[] { new PaperPhoto.Glyph('A', new SKRect(30, 40, 90, 130), 6), new PaperPhoto.Glyph('7', new SKRect(110, 40, 170, 130), 6) };
        CharacterPrediction two = fixture.Recognizer.Predict(PaperPhoto.Render(200, 170, glyphs, new Look(), new Random(2)));
        CharacterPrediction one = fixture.Recognizer.Predict(PaperPhoto.Render(200, 170, glyphs[..1], new Look(), new Random(2)));
        Assert.Equal(2, two.InkGroups);
        Assert.True(two.SeveralInkGroups);
        Assert.Equal(1, one.InkGroups);
        Assert.False(one.SeveralInkGroups);
        Assert.Equal(1, fixture.Recognizer.PredictTile(new byte[784]).InkGroups);
    }
}
