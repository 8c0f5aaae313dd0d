using Hcr.MLNet.Imaging;

namespace Hcr.MLNet.Text;

/// <summary>
/// The lines <see cref="LineFinder"/> found on a page: their boxes, and each line cut out of the page on its own.
/// </summary>
internal sealed class PageLines
{
    private readonly GreyImage _page, _analysed;
    private readonly int[] _labels;
    private readonly int[] _lineOf;
    private readonly double _typicalHeight;
    private readonly int _reach;

    /// <param name="page">The page, in its own pixels.</param>
    /// <param name="analysed">The page shrunk for analysis; <paramref name="labels"/> and <paramref name="boxes"/> are in its pixels.</param>
    /// <param name="labels">Per analysed pixel, the label of its ink piece (0 for none).</param>
    /// <param name="boxes">Each line's box, top line first.</param>
    /// <param name="lineOf">Per label, the line its piece belongs to; -1 for none (label 0, rules, specks).</param>
    /// <param name="typicalHeight">The typical height of a piece of writing, in analysed pixels.</param>
    /// <param name="reach">How far, in analysed pixels, a stroke's soft edge reaches beyond its mask.</param>
    internal PageLines(GreyImage page, GreyImage analysed, int[] labels, IReadOnlyList<InkBox> boxes, int[] lineOf, double typicalHeight, int reach)
    {
        _page = page;
        _analysed = analysed;
        _labels = labels;
        _lineOf = lineOf;
        _typicalHeight = typicalHeight;
        _reach = reach;
        Boxes = boxes;
    }

    /// <summary>No lines: nothing on the page looks like writing.</summary>
    public static PageLines None(GreyImage page, GreyImage analysed) => new(page, analysed, [], [], [-1], 0, 0);

    /// <summary>Each line's box in the analysed image's pixels, top line first.</summary>
    public IReadOnlyList<InkBox> Boxes { get; }

    public int Count => Boxes.Count;

    /// <summary>Each line's box in the page's pixels.</summary>
    public InkBox PageBox(int line) => ToPage(Boxes[line]);

    /// <summary>
    /// Line <paramref name="line"/> cut out of the page with a margin, the ink of other lines that reaches into it
    /// (a descender from above, an ascender from below) painted over with the paper's grey; and where it lies on the page.
    /// </summary>
    public GreyImage CutOut(int line, out InkBox region)
    {
        int margin = (int)Math.Ceiling(LineFinder.CutMargin * _typicalHeight) + _reach;
        InkBox box = Boxes[line];
        var around = InkBox.FromEdges(Math.Max(0, box.Left - margin), Math.Max(0, box.Top - margin),
            Math.Min(_analysed.Width, box.Right + margin), Math.Min(_analysed.Height, box.Bottom + margin));
        region = ToPage(around);

        // In the analysed pixels around the line: which are nearer another line's ink than this line's.
        int w = around.Width, h = around.Height;
        var own = new bool[w * h];
        var other = new bool[w * h];
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                int owner = _lineOf[_labels[(around.Top + y) * _analysed.Width + around.Left + x]];
                own[y * w + x] = owner == line;
                other[y * w + x] = owner >= 0 && owner != line;
            }
        }
        int[] toOwn = InkDetection.ChessboardDistance(own, w, h), toOther = InkDetection.ChessboardDistance(other, w, h);

        var cut = new GreyImage(region.Width, region.Height);
        for (int y = 0; y < cut.Height; y++)
        {
            for (int x = 0; x < cut.Width; x++)
                cut[x, y] = _page[region.Left + x, region.Top + y];
        }
        // Ink is a small part of a line's box, so its median is the paper.
        float paper = Statistics.Median((float[])cut.Data.Clone());
        double sx = (double)_analysed.Width / _page.Width, sy = (double)_analysed.Height / _page.Height;
        for (int y = 0; y < cut.Height; y++)
        {
            int ay = Math.Clamp((int)((region.Top + y) * sy) - around.Top, 0, h - 1);
            for (int x = 0; x < cut.Width; x++)
            {
                int ax = Math.Clamp((int)((region.Left + x) * sx) - around.Left, 0, w - 1);
                int a = ay * w + ax;
                if (toOther[a] <= _reach && toOther[a] < toOwn[a])
                    cut[x, y] = paper;
            }
        }
        return cut;
    }

    private InkBox ToPage(InkBox box)
    {
        double sx = (double)_page.Width / _analysed.Width, sy = (double)_page.Height / _analysed.Height;
        return InkBox.FromEdges((int)Math.Floor(box.Left * sx), (int)Math.Floor(box.Top * sy),
            Math.Min(_page.Width, (int)Math.Ceiling(box.Right * sx)), Math.Min(_page.Height, (int)Math.Ceiling(box.Bottom * sy)));
    }
}
