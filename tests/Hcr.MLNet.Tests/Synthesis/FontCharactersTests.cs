using Hcr.MLNet.Data;
using Hcr.MLNet.Imaging;
using Hcr.MLNet.Synthesis;
using Hcr.MLNet.Tests.TestSupport;
using Xunit.Abstractions;

namespace Hcr.MLNet.Tests.Synthesis;

/// <summary>Characters written in the handwriting fonts and photographed, as the recognizer's extra training images.</summary>
public class FontCharactersTests(ITestOutputHelper output)
{
    [Fact]
    public void A_merged_class_is_written_in_both_cases_and_a_class_of_its_own_in_one()
    {
        char[] classes = ['0', 'A', 'C', 'a'];
        Assert.Equal(["C", "c"], FontCharacters.Forms('C', classes));
        Assert.Equal(["A"], FontCharacters.Forms('A', classes)); // 'a' has its own class
        Assert.Equal(["a"], FontCharacters.Forms('a', classes));
        Assert.Equal(["0"], FontCharacters.Forms('0', classes));
    }

    [DataFact(SharedDataSet.Fonts)]
    public void Every_class_gets_its_tiles_with_ink_and_the_same_seed_draws_the_same()
    {
        using HandwritingFonts fonts = HandwritingFonts.Load(SharedData.FontsDirectory);
        char[] classes = ['4', 'G', 'O', 'b'];
        EmnistDataset tiles = FontCharacters.Render(fonts, classes, 12, new InkNormalizationOptions(), seed: 5);
        EmnistDataset again = FontCharacters.Render(fonts, classes, 12, new InkNormalizationOptions(), seed: 5);
        EmnistDataset other = FontCharacters.Render(fonts, classes, 12, new InkNormalizationOptions(), seed: 6);

        Assert.Equal(classes, tiles.Classes);
        Assert.InRange(tiles.Count, 44, 48); // a draw whose ink cannot be found is drawn again, rarely dropped
        Assert.All(tiles.CountPerClass(), n => Assert.InRange(n, 10, 12));
        for (int i = 0; i < tiles.Count; i++)
        {
            // Ink bright on black as in EMNIST: the border dark, some pixels at full ink.
            ReadOnlySpan<byte> tile = tiles.GetImage(i);
            Assert.Equal(255, tile.ToArray().Max());
            Assert.True(tile[0] < 40 && tile[^1] < 40, $"tile {i}: corners {tile[0]}, {tile[^1]}");
        }
        Assert.Equal(tiles.Pixels.ToArray(), again.Pixels.ToArray());
        Assert.NotEqual(tiles.Pixels.ToArray(), other.Pixels.ToArray());
        SavePicture(tiles, "font-characters.png");
    }

    /// <summary>
    /// The tiles are what a photo of the character becomes: the pretrained recognizer, trained on EMNIST alone, reads most
    /// of them right. A tile turned, mirrored, inverted or of another class's character would read at chance.
    /// </summary>
    [DataFact(SharedDataSet.Fonts)]
    public void The_pretrained_recognizer_reads_most_font_characters_as_their_class()
    {
        using HandwritingRecognizer pretrained = HandwritingRecognizer.LoadPretrained();
        using HandwritingFonts fonts = HandwritingFonts.Load(SharedData.FontsDirectory);
        EmnistDataset tiles = FontCharacters.Render(fonts, pretrained.Classes, 8, pretrained.Preprocessing, seed: 1);
        RecognizerEvaluation evaluation = pretrained.Evaluate(tiles);
        output.WriteLine($"{tiles.Count} font characters: {evaluation}");
        Assert.True(evaluation.Accuracy > 0.6, $"The pretrained recognizer reads {evaluation.Accuracy:P1} of the font characters.");
    }

    [Fact]
    public void Datasets_join_only_with_the_same_classes()
    {
        var a = EmnistDataset.Create(new byte[2 * EmnistDataset.PixelsPerImage], [0, 1], ['x', 'y'], "a");
        var b = EmnistDataset.Create(Enumerable.Repeat((byte)7, EmnistDataset.PixelsPerImage).ToArray(), [1], ['x', 'y'], "b");
        EmnistDataset joined = a.Concat(b);
        Assert.Equal([0, 1, 1], joined.Labels.ToArray());
        Assert.Equal(7, joined.GetImage(2)[0]);
        Assert.Equal(0, joined.GetImage(1)[0]);
        var other = EmnistDataset.Create(new byte[EmnistDataset.PixelsPerImage], [0], ['y', 'x'], "swapped");
        var e = Assert.Throws<ArgumentException>(() => a.Concat(other));
        Assert.Contains("swapped", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_font_folder_is_refused_when_named()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<DirectoryNotFoundException>(() => HandwritingRecognizer.Create().WithSyntheticFonts(dir.File("no-fonts")));
        Assert.Contains("no-fonts", e.Message, StringComparison.Ordinal);
    }

    /// <summary>With HCR_TEST_PICTURES set, writes the tiles there as one grid, a class per row, to look at them.</summary>
    private static void SavePicture(EmnistDataset tiles, string name)
    {
        if (Environment.GetEnvironmentVariable("HCR_TEST_PICTURES") is not { Length: > 0 } folder)
            return;
        const int side = EmnistDataset.ImageSize;
        int columns = tiles.CountPerClass().Max(), rows = tiles.ClassCount;
        var grey = new byte[rows * side * columns * side];
        var filled = new int[rows];
        for (int i = 0; i < tiles.Count; i++)
        {
            int row = tiles.GetLabel(i), column = filled[row]++;
            ReadOnlySpan<byte> tile = tiles.GetImage(i);
            for (int y = 0; y < side; y++)
                tile.Slice(y * side, side).CopyTo(grey.AsSpan(((row * side + y) * columns + column) * side, side));
        }
        File.WriteAllBytes(Path.Combine(folder, name), TestImages.Encode(TestImages.GreyToRgba(grey), columns * side, rows * side, SkiaSharp.SKEncodedImageFormat.Png));
    }
}
