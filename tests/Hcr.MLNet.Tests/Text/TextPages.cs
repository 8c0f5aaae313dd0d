using Hcr.MLNet.Imaging;
using Hcr.MLNet.Tests.TestSupport;
using SkiaSharp;

namespace Hcr.MLNet.Tests.Text;

/// <summary>A word image to set on a page: its pixels (dark on white), its ink box and the mean row of its ink.</summary>
internal sealed record PageWord(GreyImage Image, InkBox Ink, double Centre);

/// <summary>A page of handwriting composed for tests: its grey pixels, and each line's words' ink boxes.</summary>
/// <param name="Page">Dark ink on white paper.</param>
/// <param name="Words">Per line, top first, the ink box of each of its words, in the page's pixels.</param>
internal sealed record TextPage(GreyImage Page, IReadOnlyList<IReadOnlyList<InkBox>> Words)
{
    /// <summary>Each line's ink box.</summary>
    public IReadOnlyList<InkBox> Lines => Words.Select(w => w.Aggregate(InkGroups.Union)).ToList();

    public byte[] Png()
    {
        byte[] grey = Array.ConvertAll(Page.Data, v => (byte)Math.Clamp(v, 0, 255));
        return TestImages.Encode(TestImages.GreyToRgba(grey), Page.Width, Page.Height, SKEncodedImageFormat.Png);
    }

    /// <summary>The area of the intersection of two boxes over that of their union.</summary>
    public static double IoU(InkBox a, InkBox b)
    {
        double overlap = Overlap(a, b);
        return overlap / ((double)a.Width * a.Height + (double)b.Width * b.Height - overlap);
    }

    /// <summary>The area the two boxes share.</summary>
    public static double Overlap(InkBox a, InkBox b) =>
        (double)Math.Max(0, Math.Min(a.Right, b.Right) - Math.Max(a.Left, b.Left)) * Math.Max(0, Math.Min(a.Bottom, b.Bottom) - Math.Max(a.Top, b.Top));
}

/// <summary>
/// Composes pages of a few lines from word images: words set side by side at random gaps, lines at random pitches
/// (tight enough that descenders reach into the next line's band), each line's words stepping up or down by up to half a
/// degree, ink darkest-wins where strokes overlap; then the page turned by up to ±3°.
/// </summary>
internal static class TextPages
{
    private const int Margin = 40;
    private const double MaxTiltDegrees = 3, MaxLineTiltDegrees = 0.5;

    /// <summary>
    /// A page of <paramref name="lines"/>, each a list of word images (dark on white) with the ink box inside each image;
    /// <paramref name="pitch"/> gives the distance from one line's ink centre to the next's, from the taller line's ink height.
    /// </summary>
    public static TextPage Compose(IReadOnlyList<IReadOnlyList<PageWord>> lines, Random random, Func<double, double> pitch,
        int minimumGap, int maximumGap)
    {
        // First the layout: where each word's ink box goes.
        var placed = new List<List<(GreyImage Image, InkBox Ink, int X, int Y)>>();
        double centre = Margin, previousHeight = 0;
        double pageTilt = (random.NextDouble() * 2 - 1) * MaxTiltDegrees;
        foreach (IReadOnlyList<PageWord> line in lines)
        {
            double lineHeight = line.Max(w => w.Ink.Height);
            centre += placed.Count == 0 ? lineHeight / 2 : pitch(Math.Max(lineHeight, previousHeight));
            previousHeight = lineHeight;
            double slope = Math.Tan((random.NextDouble() * 2 - 1) * MaxLineTiltDegrees * Math.PI / 180);
            int x = Margin + random.Next(0, 30);
            var words = new List<(GreyImage, InkBox, int, int)>();
            foreach ((GreyImage image, InkBox ink, double inkCentre) in line)
            {
                // The words' ink centres on the line, not their boxes: a capital or a descender moves a box, not the body.
                int y = (int)Math.Round(centre + slope * (x + ink.Width / 2.0) - (inkCentre - ink.Top));
                words.Add((image, ink, x, y));
                x += ink.Width + random.Next(minimumGap, maximumGap + 1);
            }
            placed.Add(words);
        }
        int top = placed.SelectMany(l => l).Min(w => w.Y);
        int shift = Margin - top; // tilted lines may rise above the first line's centre
        int width = placed.SelectMany(l => l).Max(w => w.X + w.Ink.Width) + Margin;
        int height = placed.SelectMany(l => l).Max(w => w.Y + shift + w.Ink.Height) + Margin;

        var page = new GreyImage(width, height);
        Array.Fill(page.Data, 255f);
        var boxes = new List<IReadOnlyList<InkBox>>();
        foreach (var line in placed)
        {
            var lineBoxes = new List<InkBox>();
            foreach ((GreyImage image, InkBox ink, int x, int y) in line)
            {
                int dx = x - ink.Left, dy = y + shift - ink.Top;
                for (int sy = 0; sy < image.Height; sy++)
                {
                    for (int sx = 0; sx < image.Width; sx++)
                    {
                        int px = sx + dx, py = sy + dy;
                        if (px >= 0 && py >= 0 && px < width && py < height)
                            page[px, py] = Math.Min(page[px, py], image[sx, sy]);
                    }
                }
                lineBoxes.Add(InkBox.FromEdges(x, y + shift, x + ink.Width, y + shift + ink.Height));
            }
            boxes.Add(lineBoxes);
        }
        return Rotate(new TextPage(page, boxes), pageTilt);
    }

    /// <summary>
    /// The page turned by <paramref name="degrees"/> about its centre (bilinear, white outside), as a photo taken a
    /// little askew; each word's box becomes the box around its turned corners.
    /// </summary>
    private static TextPage Rotate(TextPage page, double degrees)
    {
        GreyImage source = page.Page;
        double angle = degrees * Math.PI / 180, cos = Math.Cos(angle), sin = Math.Sin(angle);
        double cx = source.Width / 2.0, cy = source.Height / 2.0;
        var turned = new GreyImage(source.Width, source.Height);
        for (int y = 0; y < source.Height; y++)
        {
            for (int x = 0; x < source.Width; x++)
            {
                // Where this pixel comes from: the inverse turn.
                double sx = cos * (x - cx) + sin * (y - cy) + cx, sy = -sin * (x - cx) + cos * (y - cy) + cy;
                int x0 = (int)Math.Floor(sx), y0 = (int)Math.Floor(sy);
                double fx = sx - x0, fy = sy - y0;
                float At(int px, int py) => px >= 0 && py >= 0 && px < source.Width && py < source.Height ? source[px, py] : 255f;
                turned[x, y] = (float)((1 - fy) * ((1 - fx) * At(x0, y0) + fx * At(x0 + 1, y0)) + fy * ((1 - fx) * At(x0, y0 + 1) + fx * At(x0 + 1, y0 + 1)));
            }
        }
        InkBox Turn(InkBox box)
        {
            (double X, double Y)[] corners = [(box.Left, box.Top), (box.Right, box.Top), (box.Left, box.Bottom), (box.Right, box.Bottom)];
            var moved = corners.Select(c => (X: cos * (c.X - cx) - sin * (c.Y - cy) + cx, Y: sin * (c.X - cx) + cos * (c.Y - cy) + cy)).ToArray();
            return InkBox.FromEdges((int)Math.Floor(moved.Min(m => m.X)), (int)Math.Floor(moved.Min(m => m.Y)),
                (int)Math.Ceiling(moved.Max(m => m.X)), (int)Math.Ceiling(moved.Max(m => m.Y)));
        }
        return new TextPage(turned, page.Words.Select(line => (IReadOnlyList<InkBox>)line.Select(Turn).ToList()).ToList());
    }

    /// <summary>The box of the pixels at least <paramref name="contrast"/> darker than the image's median (its paper).</summary>
    public static InkBox InkBounds(GreyImage image, float contrast = 60) => Word(image, contrast).Ink;

    /// <summary>
    /// A word image with its ink box and ink centre (mean row): the pixels at least <paramref name="contrast"/> darker
    /// than its paper (the median), less rule fragments (pieces 12 times wider than high) and specks (under 2% of the
    /// largest piece), which the scans of DHSD words hold.
    /// </summary>
    public static PageWord Word(GreyImage image, float contrast = 60)
    {
        float paper = Statistics.Median((float[])image.Data.Clone());
        bool[] ink = Array.ConvertAll(image.Data, v => v <= paper - contrast);
        InkComponents pieces = InkComponents.Find(ink, image.Width, image.Height);
        if (pieces.Pieces.Count == 0)
            return new PageWord(image, InkBox.FromEdges(0, 0, image.Width, image.Height), image.Height / 2.0);
        int largest = pieces.Pieces.Max(p => p.Size);
        bool[] kept = pieces.Mask(p => p.Size >= 0.02 * largest && p.Box.Width < 12 * p.Box.Height);
        InkBox box = InkDetection.Bounds(kept, image.Width, image.Height) ?? InkBox.FromEdges(0, 0, image.Width, image.Height);
        double rows = 0;
        int count = 0;
        for (int i = 0; i < kept.Length; i++)
        {
            if (kept[i])
            {
                rows += i / image.Width;
                count++;
            }
        }
        return new PageWord(image, box, count == 0 ? box.CenterY : rows / count);
    }

    /// <summary>
    /// The word as if written with the page's one pen on its one paper: its paper (the median) white, its darkest ink
    /// (the 1st percentile) at <see cref="PenGrey"/>. Words of many writers and scans pasted side by side otherwise show
    /// grey rectangles and pale words beside dark ones, which no page has.
    /// </summary>
    public static GreyImage AsOnePen(GreyImage word)
    {
        float[] sorted = (float[])word.Data.Clone();
        float paper = Statistics.Median(sorted), ink = Statistics.Percentile(sorted, 0.01);
        float scale = (255 - PenGrey) / Math.Max(1, paper - ink);
        return word.Map(v => Math.Clamp(255 - (paper - v) * scale, 0, 255));
    }

    /// <summary>The grey of the darkest ink on composed pages.</summary>
    public const float PenGrey = 40;

    /// <summary>Whether a row of the image is mostly ink: a ruled line.</summary>
    public static bool HasRuledLine(GreyImage image, float contrast = 25)
    {
        float paper = Statistics.Median((float[])image.Data.Clone());
        for (int y = 0; y < image.Height; y++)
        {
            int dark = 0;
            for (int x = 0; x < image.Width; x++)
                dark += image[x, y] <= paper - contrast ? 1 : 0;
            if (dark > 0.7 * image.Width)
                return true;
        }
        return false;
    }
}
