using Hcr.MLNet.Imaging;
using Hcr.MLNet.Tests.TestSupport;
using SkiaSharp;

namespace Hcr.MLNet.Tests.Imaging;

/// <summary>
/// A blank image is refused alike on every road that looks for ink: one character, a page of characters, a line of
/// text. Each names the image and gives the one problem text (issue 24: it was written out three times).
/// </summary>
public class NoInkTests
{
    private static readonly byte[] Blank = TestImages.Encode(TestImages.GreyToRgba(Enumerable.Repeat((byte)230, 120 * 60).ToArray()), 120, 60,
        SKEncodedImageFormat.Png);

    [Fact]
    public void Character_page_and_text_refuse_a_blank_image_with_one_message()
    {
        using HandwritingRecognizer recognizer = HandwritingRecognizer.LoadPretrained();
        using HandwritingTextReader reader = HandwritingTextReader.LoadPretrained();
        UnusableImageException[] refused =
        [
            Assert.Throws<UnusableImageException>(() => recognizer.Predict(Blank, "blank.png")),
            Assert.Throws<UnusableImageException>(() => recognizer.ReadCharacters(Blank, "blank.png")),
            Assert.Throws<UnusableImageException>(() => reader.Read(Blank, sourceName: "blank.png")),
        ];

        Assert.All(refused, e =>
        {
            Assert.Equal("blank.png", e.ImageSource);
            Assert.StartsWith("no ink found: ", e.Problem, StringComparison.Ordinal);
            Assert.Equal(UnusableImageException.NoInkProblem, e.Problem);
            Assert.Equal("blank.png: " + UnusableImageException.NoInkProblem, e.Message);
        });
    }
}
