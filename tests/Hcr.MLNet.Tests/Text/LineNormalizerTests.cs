using Hcr.MLNet.Imaging;
using Hcr.MLNet.Text;

namespace Hcr.MLNet.Tests.Text;

/// <summary>The line's lighting window: on the scale of the line's height, so that a long line costs what its length does.</summary>
public class LineNormalizerTests
{
    [Fact]
    public void A_word_keeps_the_character_pipelines_window()
    {
        var word = new GreyImage(256, 64);
        Assert.Equal(BackgroundCorrection.Window(word, new InkNormalizationOptions().BackgroundWindow, 3), LineNormalizer.BackgroundWindow(word, 3));
    }

    [Fact]
    public void A_long_line_is_judged_on_its_height_not_its_length()
    {
        var line = new GreyImage(2000, 64);
        var longer = new GreyImage(4000, 64);
        Assert.True(BackgroundCorrection.Window(line, new InkNormalizationOptions().BackgroundWindow, 3) > 64 * 4, "the character window grows with the length");
        Assert.Equal(64, LineNormalizer.BackgroundWindow(line, 3));
        Assert.Equal(64, LineNormalizer.BackgroundWindow(longer, 3));
        // Still at least three strokes, so that a stroke fits in the window and is not taken for paper.
        Assert.Equal(90, LineNormalizer.BackgroundWindow(line, 30));
    }
}
