using System.Globalization;
using Hcr.MLNet.Imaging;

namespace Hcr.MLNet.Tests.Imaging;

/// <summary>The one box, of the public API and of the ink analyses (it was a tuple on characters, an InkBox on text, and an internal edge-based region in the analyses).</summary>
public class InkBoxTests
{
    [Fact]
    public void Exclusive_edges_become_width_and_height_and_back()
    {
        InkBox box = InkBox.FromEdges(10, 20, 40, 70);
        Assert.Equal(new InkBox(10, 20, 30, 50), box);
        Assert.Equal((10, 20, 40, 70), (box.Left, box.Top, box.Right, box.Bottom));
        Assert.Equal((25.0, 45.0, 50), (box.CenterX, box.CenterY, box.LongSide));
    }

    [Fact]
    public void A_box_and_a_character_reading_print_corner_and_size_whatever_the_culture()
    {
        CultureInfo saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            var box = new InkBox(12, 40, 30, 52);
            Assert.Equal("(12, 40) 30x52", box.ToString());
            var reading = new CharacterReading(new CharacterPrediction(['A', 'B'], [0.9f, 0.1f], new byte[784]), 2, box);
            Assert.Equal("'A' (90.0%) at (12, 40) 30x52, row 2", reading.ToString());
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void A_union_holds_every_box_and_no_boxes_have_none()
    {
        Assert.Equal(new InkBox(5, 2, 25, 18), InkBox.Union([new InkBox(10, 2, 20, 8), new InkBox(5, 10, 4, 10)]));
        Assert.Throws<ArgumentException>(() => InkBox.Union([]));
    }
}
