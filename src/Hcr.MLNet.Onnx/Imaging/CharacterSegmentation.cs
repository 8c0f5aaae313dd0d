namespace Hcr.MLNet.Imaging;

/// <summary>One character found on a page: its box and its ink, ready for the normaliser.</summary>
/// <param name="Box">The box in the analysed image's pixels.</param>
/// <param name="Row">The row it stands in, 0 for the top one.</param>
/// <param name="Ink">The character alone, ink-positive (bright on black), cut out with a margin: other characters and ruled lines are black.</param>
internal sealed record SegmentedCharacter(InkBox Box, int Row, GreyImage Ink);

/// <summary>
/// Finds separated handwritten characters on a page (block capitals, digits in boxes, a filled-in grid):
/// the ink as <see cref="InkNormalizer"/> finds it (polarity, background, Otsu with hysteresis), ruled
/// lines taken out, connected pieces gathered into characters by <see cref="InkGroups"/>, and the
/// characters ordered as they are read: rows from the top, each from left to right.
/// </summary>
internal static class CharacterSegmentation
{
    /// <summary>Pages are analysed with their long side at most this many pixels: a character a tenth of the page is still 100 px tall.</summary>
    internal const int AnalysisSize = 1024;

    /// <summary>The background's window as a fraction of the page's long side: characters are small on a page (still at least three strokes wide).</summary>
    internal const double BackgroundWindow = 1.0 / 16;

    /// <summary>A straight run of ink at least this fraction of the page's long side is a ruled line, not a stroke.</summary>
    internal const double LineLength = 0.2;

    /// <summary>Ruled lines are looked for up to this many degrees off horizontal and vertical (a photo's tilt), one degree apart.</summary>
    internal const int MaxTiltDegrees = 5;

    /// <summary>A piece whose box is longer than this fraction of the page's short side is no character (a frame, a fold, the table).</summary>
    internal const double MaxCharacterFraction = 0.45;

    /// <summary>A group smaller than this fraction of the typical character's ink is a speck.</summary>
    internal const double SpeckFraction = 0.12;

    /// <summary>Margin around each character's cut-out, as a fraction of its long side.</summary>
    internal const double Margin = 0.2;

    /// <summary>Finds the characters on <paramref name="page"/> (any polarity); boxes are in <paramref name="page"/>'s pixels.</summary>
    /// <exception cref="UnusableImageException">The page shows no ink.</exception>
    public static List<SegmentedCharacter> Find(GreyImage page, InkNormalizationOptions options, string source)
    {
        GreyImage grey = Filters.ShrinkToFit(page, AnalysisSize);
        int width = grey.Width, height = grey.Height;
        // On a page most pixels are paper, so the median is the paper (the border may be a frame or the table).
        bool dark = options.Polarity switch
        {
            InkPolarity.DarkOnLight => true,
            InkPolarity.LightOnDark => false,
            _ => IsDarkOnLight(grey),
        };
        GreyImage ink = PolarityDetector.ToInkPositive(grey, dark ? InkPolarity.DarkOnLight : InkPolarity.LightOnDark);
        var cleanup = new InkCleanup(StrokesWithoutShadows: true, Denoise: false,
            options.CorrectLighting ? (image, stroke) => BackgroundCorrection.Window(image, BackgroundWindow, stroke) : null);
        (ink, bool[] mask, float threshold, double roughWidth) = cleanup.Clean(ink);
        if (!InkDetection.HasInk(ink, mask, options.MinimumContrast))
            throw UnusableImageException.NoInk(source);
        mask = InkDetection.Grow(ink, mask, InkDetection.GrowthThreshold(ink, mask, threshold));
        bool[] withLines = mask;
        mask = RemoveLines(mask, width, height, (int)Math.Round(LineLength * Math.Max(width, height)));

        InkComponents components = InkComponents.Find(mask, width, height);
        double longest = MaxCharacterFraction * Math.Min(width, height);
        var pieces = components.Pieces
            .Where(p => !components.TouchesBorder(p) && p.Box.LongSide <= longest && p.Size >= MinimumPieceSize)
            .ToList();
        if (pieces.Count == 0)
            return [];
        List<List<int>> groups = InkGroups.Join(pieces.Select(p => (p.Box, p.Size)).ToList());
        var characters = groups
            .Select(g => (Pieces: g.Select(i => pieces[i]).ToList(), Size: g.Sum(i => pieces[i].Size)))
            .Select(g => (g.Pieces, g.Size, Box: g.Pieces.Select(p => p.Box).Aggregate(InkGroups.Union)))
            .ToList();
        // The typical character: the median ink of the groups that hold a character's share of the largest.
        int largest = characters.Max(c => c.Size);
        int[] sizes = characters.Where(c => c.Size >= InkGroups.CharacterFraction * largest).Select(c => c.Size).Order().ToArray();
        double typical = sizes[sizes.Length / 2];
        characters = characters.Where(c => c.Size >= SpeckFraction * typical).ToList();

        int reach = Math.Max(2, (int)Math.Round(roughWidth / 2));
        var result = new List<SegmentedCharacter>();
        List<List<int>> rows = Rows(characters.Select(c => c.Box).ToList());
        for (int row = 0; row < rows.Count; row++)
        {
            foreach (int i in rows[row])
            {
                var labels = characters[i].Pieces.Select(p => p.Label).ToHashSet();
                result.Add(new SegmentedCharacter(Scale(characters[i].Box, page, grey), row, CutOut(ink, withLines, components.Labels, labels, characters[i].Box, reach)));
            }
        }
        return result;
    }

    /// <summary>Pieces smaller than this many pixels are noise at any scale.</summary>
    private const int MinimumPieceSize = 4;

    /// <summary>Dark ink when the page's median (its paper) lies nearer the bright end of its range.</summary>
    internal static bool IsDarkOnLight(GreyImage image)
    {
        int[] histogram = Statistics.Histogram(image.Data);
        float low = Statistics.HistogramPercentile(histogram, 0.01), median = Statistics.HistogramPercentile(histogram, 0.5),
            high = Statistics.HistogramPercentile(histogram, 0.99);
        return median - low > high - median;
    }

    /// <summary>
    /// Boxes in reading order: each row the boxes whose vertical extents overlap a row's by half the
    /// smaller height, rows from the top (by their middle), each from left to right.
    /// </summary>
    internal static List<List<int>> Rows(IReadOnlyList<InkBox> boxes)
    {
        var rows = new List<(List<int> Members, int Top, int Bottom)>();
        foreach (int i in Enumerable.Range(0, boxes.Count).OrderBy(i => boxes[i].CenterY))
        {
            InkBox box = boxes[i];
            int found = rows.FindIndex(r =>
                Math.Min(r.Bottom, box.Bottom) - Math.Max(r.Top, box.Top) >= 0.5 * Math.Min(r.Bottom - r.Top, box.Height));
            if (found < 0)
            {
                rows.Add(([i], box.Top, box.Bottom));
            }
            else
            {
                (List<int> members, int top, int bottom) = rows[found];
                members.Add(i);
                rows[found] = (members, Math.Min(top, box.Top), Math.Max(bottom, box.Bottom));
            }
        }
        return rows.OrderBy(r => (r.Top + r.Bottom) / 2.0)
            .Select(r => r.Members.OrderBy(i => boxes[i].Left).ToList())
            .ToList();
    }

    /// <summary>
    /// The mask without ruled lines: pixels on a straight run of ink at least <paramref name="length"/>
    /// long, horizontal or vertical, tilted up to <see cref="MaxTiltDegrees"/>. A run follows a digital
    /// line, one pixel per column (per row for vertical lines), so a tilted line a few pixels thick keeps
    /// long runs at the nearest tested angle. Strokes of characters are far shorter than a line across
    /// the page; where a character touches a line, only the line's own pixels go.
    /// </summary>
    internal static bool[] RemoveLines(bool[] mask, int width, int height, int length)
    {
        var line = new bool[mask.Length];
        for (int degrees = -MaxTiltDegrees; degrees <= MaxTiltDegrees; degrees++)
        {
            double slope = Math.Tan(degrees * Math.PI / 180);
            MarkRuns(mask, line, width, height, slope, length, horizontal: true);
            MarkRuns(mask, line, width, height, slope, length, horizontal: false);
        }
        var result = (bool[])mask.Clone();
        for (int i = 0; i < result.Length; i++)
            result[i] &= !line[i];
        return result;
    }

    /// <summary>Marks in <paramref name="line"/> the runs of at least <paramref name="length"/> ink pixels along digital lines of <paramref name="slope"/>.</summary>
    private static void MarkRuns(bool[] mask, bool[] line, int width, int height, double slope, int length, bool horizontal)
    {
        // Along: x for horizontal lines (y = offset + slope·x), y for vertical ones (x = offset + slope·y).
        int along = horizontal ? width : height, across = horizontal ? height : width;
        int shift = (int)Math.Ceiling(Math.Abs(slope) * along);
        int Index(int a, int offset) => horizontal ? offset * width + a : a * width + offset;
        int Across(int a, int start) => start + (int)Math.Round(slope * a);
        for (int start = -shift; start < across + shift; start++)
        {
            int runStart = -1;
            for (int a = 0; a <= along; a++)
            {
                int c = a < along ? Across(a, start) : -1;
                bool ink = a < along && c >= 0 && c < across && mask[Index(a, c)];
                if (ink)
                {
                    if (runStart < 0)
                        runStart = a;
                    continue;
                }
                if (runStart >= 0 && a - runStart >= length)
                {
                    for (int b = runStart; b < a; b++)
                        line[Index(b, Across(b, start))] = true;
                }
                runStart = -1;
            }
        }
    }

    /// <summary>The box in the page's pixels from the analysed image's.</summary>
    private static InkBox Scale(InkBox box, GreyImage page, GreyImage analysed)
    {
        double sx = (double)page.Width / analysed.Width, sy = (double)page.Height / analysed.Height;
        return InkBox.FromEdges((int)Math.Floor(box.Left * sx), (int)Math.Floor(box.Top * sy),
            Math.Min(page.Width, (int)Math.Ceiling(box.Right * sx)), Math.Min(page.Height, (int)Math.Ceiling(box.Bottom * sy)));
    }

    /// <summary>
    /// The character's ink on black, with a margin: its pieces and the pixels within <paramref name="reach"/>
    /// of them (the strokes' soft edges), less any other ink (ruled lines, neighbours) in <paramref name="allInk"/>.
    /// </summary>
    private static GreyImage CutOut(GreyImage ink, bool[] allInk, int[] labels, HashSet<int> pieces, InkBox box, int reach)
    {
        int margin = Math.Max(reach + 1, (int)Math.Round(Margin * box.LongSide));
        int left = box.Left - margin, top = box.Top - margin, w = box.Width + 2 * margin, h = box.Height + 2 * margin;
        var own = new bool[w * h];
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                int sx = left + x, sy = top + y;
                own[y * w + x] = sx >= 0 && sy >= 0 && sx < ink.Width && sy < ink.Height && pieces.Contains(labels[sy * ink.Width + sx]);
            }
        }
        int[] distance = InkDetection.ChessboardDistance(own, w, h);
        var result = new GreyImage(w, h);
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                int sx = left + x, sy = top + y;
                if (distance[y * w + x] > reach || sx < 0 || sy < 0 || sx >= ink.Width || sy >= ink.Height)
                    continue;
                int p = sy * ink.Width + sx;
                if (own[y * w + x] || !allInk[p])
                    result.Data[y * w + x] = ink.Data[p];
            }
        }
        return result;
    }
}
