using Hcr.MLNet.Imaging;

namespace Hcr.MLNet.Text;

/// <summary>
/// Finds the lines of handwriting on a page: the page's ink as the character pipeline finds it (polarity from the
/// paper, lighting corrected, Otsu), its connected pieces, ruled lines and specks set aside, and the pieces gathered
/// into lines. Pieces, not pixel rows, are given to lines, so that a descender reaching into the next line's band, an
/// i dot or umlaut floating above its word, and a line written a few degrees off horizontal all stay with their line.
/// A single word or line comes out as one line.
/// </summary>
/// <remarks>
/// The lines are built from the large pieces (a joined word, a printed letter), largest first: a piece joins the line
/// whose band there (the rows its nearest large pieces span, followed along its slope) covers most of its height, and
/// starts a line when no line's band covers more than a little of it. Small pieces (dots, accents, commas, a broken
/// stroke's end), large ones in between, and lines of mere scraps then join the line of the nearest piece. A profile of rows could not do this: tilt smears the valleys between lines, and
/// descenders and dots fill them.
/// </remarks>
internal static class LineFinder
{
    /// <summary>Pages are analysed with their long side at most this many pixels: a line a tenth of the page is still 100 pixels high.</summary>
    internal const int AnalysisSize = 1024;

    /// <summary>A piece at least this many times wider than high is a ruled line (or an underline), not writing.</summary>
    internal const double RuleAspect = 12;

    /// <summary>A piece this many typical heights high, and <see cref="RuleAspect"/> times higher than wide, is a vertical rule (a margin line).</summary>
    internal const double VerticalRuleHeight = 3;

    /// <summary>Pieces at least this fraction of the typical height build lines; smaller ones (dots, accents, commas) join them.</summary>
    internal const double LargePieceHeight = 0.5;

    /// <summary>A large piece joins the line whose band (where its nearest large pieces lie) covers at least this fraction of its height.</summary>
    internal const double JoinOverlap = 0.5;

    /// <summary>
    /// A large piece whose height no line's band covers by more than this fraction starts a line; in between, it is a
    /// fragment (a g's loop, a letter's detached stroke) and joins the line it nearly touches.
    /// </summary>
    internal const double NewLineOverlap = 0.15;

    /// <summary>How many of a line's large pieces, the nearest, make its band at a column.</summary>
    internal const int BandPieces = 3;

    /// <summary>A line with less than this fraction of the inkiest line's ink is a fragment (a stray stroke, another word's tail), not a line.</summary>
    internal const double MinimumLineInk = 0.05;

    /// <summary>A small piece farther than this fraction of the typical height from every large piece belongs to no line (a smudge in the margin).</summary>
    internal const double SmallPieceReach = 1.0;

    /// <summary>A line's slope is fitted once its pieces span this many typical heights.</summary>
    internal const double SlopeSpan = 3;

    /// <summary>Lines are followed up to this slope (about 6°): handwriting on a page is rarely steeper, and a fit that is is noise.</summary>
    internal static readonly double MaxSlope = Math.Tan(6 * Math.PI / 180);

    /// <summary>The cut-out around a line's pieces, as a fraction of the typical height: the strokes' soft edges and some paper.</summary>
    internal const double CutMargin = 0.25;

    /// <summary>Pieces smaller than this many pixels are noise at any scale.</summary>
    private const int MinimumPieceSize = 4;

    /// <summary>A page's clean-up: lighting judged on a page's scale, as for a page of characters; no median.</summary>
    private static readonly InkCleanup PageCleanup = new(StrokesWithoutShadows: false, Denoise: false,
        (image, stroke) => BackgroundCorrection.Window(image, CharacterSegmentation.BackgroundWindow, stroke));

    /// <summary>
    /// The lines on <paramref name="page"/> (any polarity), top to bottom; none when it shows no ink that could be
    /// writing (the caller then reads the whole image, which says why it is unusable).
    /// </summary>
    public static PageLines Find(GreyImage page)
    {
        GreyImage grey = Filters.ShrinkToFit(page, AnalysisSize);
        int width = grey.Width, height = grey.Height;
        // On a page most pixels are paper, so the median is the paper (the border may be the table).
        GreyImage ink = PolarityDetector.ToInkPositive(grey, CharacterSegmentation.IsDarkOnLight(grey) ? InkPolarity.DarkOnLight : InkPolarity.LightOnDark);
        (ink, bool[] mask, _, double stroke) = PageCleanup.Clean(ink);
        if (!InkDetection.HasInk(ink, mask, InkCleanup.DefaultMinimumContrast))
            return PageLines.None(page, grey);
        mask = InkDetection.RemoveShadows(mask, width, height);

        InkComponents components = InkComponents.Find(mask, width, height);
        double[] centreY = InkCentres(components);
        var pieces = components.Pieces.Where(p => p.Size >= MinimumPieceSize).ToList();
        if (pieces.Count == 0)
            return PageLines.None(page, grey);
        double speck = InkCleanup.DefaultSpeckFraction * pieces.Max(p => p.Size);
        var writing = pieces.Where(p => p.Size >= speck && p.Box.Width < RuleAspect * p.Box.Height).ToList();
        if (writing.Count == 0)
            return PageLines.None(page, grey);
        double typical = TypicalHeight(writing);
        writing.RemoveAll(p => p.Box.Height >= VerticalRuleHeight * typical && p.Box.Height >= RuleAspect * p.Box.Width);
        // The largest pieces first: joined words and whole letters set where the lines run before the fragments
        // (a g's loop, a broken stroke) come, which could start lines of their own between them.
        var large = writing.Where(p => p.Box.Height >= LargePieceHeight * typical).OrderByDescending(p => p.Size).ToList();
        if (large.Count == 0)
            return PageLines.None(page, grey);

        var lines = new List<Line>();
        var small = writing.Where(p => p.Box.Height < LargePieceHeight * typical).ToList();
        foreach (InkComponents.Piece piece in large)
        {
            double x = piece.Box.CenterX, y = centreY[piece.Label];
            (Line? best, double covered) = (null, 0.0);
            foreach (Line line in lines)
            {
                double c = line.Covered(piece.Box, typical);
                if (c > covered)
                    (best, covered) = (line, c);
            }
            if (best is not null && covered >= JoinOverlap)
                best.AddLarge(piece, x, y);
            else if (covered <= NewLineOverlap)
                lines.Add(new Line(piece, x, y));
            else
                small.Add(piece); // between: it goes with the line it nearly touches
        }
        // Lines of a few scraps are no lines: their pieces join the real ones like small pieces.
        int inkiest = lines.Max(l => l.Ink);
        foreach (Line scraps in lines.Where(l => l.Ink < MinimumLineInk * inkiest).ToList())
        {
            lines.Remove(scraps);
            small.AddRange(scraps.Pieces);
        }
        foreach (InkComponents.Piece piece in small)
        {
            double x = piece.Box.CenterX, y = centreY[piece.Label];
            (Line Line, double Gap, double Off) best = lines
                .Select(l => (Line: l, Gap: l.Gap(piece.Box), Off: Math.Abs(l.CentreAt(x, typical) - y)))
                .MinBy(c => (c.Gap, c.Off));
            if (best.Gap <= SmallPieceReach * typical)
                best.Line.Pieces.Add(piece);
        }
        var ordered = lines.OrderBy(l => l.MeanCentre).ToList();
        int[] lineOf = Enumerable.Repeat(-1, components.Pieces.Count + 1).ToArray();
        for (int k = 0; k < ordered.Count; k++)
        {
            foreach (InkComponents.Piece piece in ordered[k].Pieces)
                lineOf[piece.Label] = k;
        }
        var boxes = ordered.Select(l => l.Pieces.Select(p => p.Box).Aggregate(InkGroups.Union)).ToList();
        return new PageLines(page, grey, components.Labels, boxes, lineOf, typical, Math.Max(2, (int)Math.Ceiling(stroke)));
    }

    /// <summary>
    /// The height of the pieces that hold most of the ink: the median height weighted by ink, so that a page's many
    /// dots and commas do not pull it down to their size.
    /// </summary>
    private static double TypicalHeight(IReadOnlyList<InkComponents.Piece> pieces)
    {
        var bySize = pieces.OrderBy(p => p.Box.Height).ToList();
        long half = bySize.Sum(p => (long)p.Size) / 2, sum = 0;
        foreach (InkComponents.Piece piece in bySize)
        {
            sum += piece.Size;
            if (sum >= half)
                return piece.Box.Height;
        }
        return bySize[^1].Box.Height;
    }

    /// <summary>Per label, the mean row of its pixels: a word's body, which its ascenders and descenders move less than its box.</summary>
    private static double[] InkCentres(InkComponents components)
    {
        var sums = new double[components.Pieces.Count + 1];
        for (int i = 0; i < components.Labels.Length; i++)
            sums[components.Labels[i]] += i / components.Width;
        var centres = new double[sums.Length];
        foreach (InkComponents.Piece piece in components.Pieces)
            centres[piece.Label] = sums[piece.Label] / piece.Size;
        return centres;
    }

    /// <summary>A line being built: its pieces, and the centres of its large ones, which say where it runs.</summary>
    private sealed class Line
    {
        private readonly List<(double X, double Y)> _centres = [];
        private readonly List<InkBox> _large = [];

        public Line(InkComponents.Piece piece, double x, double y) => AddLarge(piece, x, y);

        public List<InkComponents.Piece> Pieces { get; } = [];

        /// <summary>The ink of its large pieces, in pixels.</summary>
        public int Ink { get; private set; }

        /// <summary>Where the line runs, on average: for putting lines in order.</summary>
        public double MeanCentre => _centres.Average(c => c.Y);

        public void AddLarge(InkComponents.Piece piece, double x, double y)
        {
            Pieces.Add(piece);
            _large.Add(piece.Box);
            _centres.Add((x, y));
            Ink += piece.Size;
        }

        /// <summary>
        /// The fraction of <paramref name="box"/>'s rows that the line's band covers there: the rows from the top to
        /// the bottom of its <see cref="BandPieces"/> large pieces nearest in columns, each moved along the line's
        /// slope to the box's column (a tilted line's pieces step up or down).
        /// </summary>
        public double Covered(InkBox box, double typical)
        {
            double slope = Slope(typical);
            double top = double.PositiveInfinity, bottom = double.NegativeInfinity;
            foreach (InkBox near in _large.OrderBy(b => Math.Max(0, Math.Max(b.Left - box.Right, box.Left - b.Right))).Take(BandPieces))
            {
                double shift = slope * (box.CenterX - near.CenterX);
                top = Math.Min(top, near.Top + shift);
                bottom = Math.Max(bottom, near.Bottom + shift);
            }
            return Math.Max(0, Math.Min(bottom, box.Bottom) - Math.Max(top, box.Top)) / box.Height;
        }

        /// <summary>
        /// Where the line's centre passes at column <paramref name="x"/>: between its large pieces, on the straight
        /// line from the nearest centre on the left to the nearest on the right; beyond them, along the line's slope
        /// once its pieces span a few <paramref name="typical"/> heights (fewer, closer pieces would set it at random).
        /// </summary>
        public double CentreAt(double x, double typical)
        {
            (double X, double Y)? left = null, right = null;
            foreach ((double X, double Y) c in _centres)
            {
                if (c.X <= x && (left is null || c.X > left.Value.X))
                    left = c;
                if (c.X >= x && (right is null || c.X < right.Value.X))
                    right = c;
            }
            if (left is { } l && right is { } r)
                return r.X - l.X < 1 ? (l.Y + r.Y) / 2 : l.Y + (r.Y - l.Y) * (x - l.X) / (r.X - l.X);
            (double X, double Y) end = left ?? right!.Value;
            return end.Y + Slope(typical) * (x - end.X);
        }

        private double Slope(double typical)
        {
            double meanX = _centres.Average(c => c.X), meanY = _centres.Average(c => c.Y);
            double sxx = _centres.Sum(c => (c.X - meanX) * (c.X - meanX));
            if (_centres.Max(c => c.X) - _centres.Min(c => c.X) < SlopeSpan * typical || sxx <= 0)
                return 0;
            return Math.Clamp(_centres.Sum(c => (c.X - meanX) * (c.Y - meanY)) / sxx, -MaxSlope, MaxSlope);
        }

        /// <summary>The distance from <paramref name="box"/> to the nearest of the line's pieces: the larger of the horizontal and vertical gaps.</summary>
        public double Gap(InkBox box) => Pieces.Min(p =>
            Math.Max(Math.Max(0, Math.Max(p.Box.Left - box.Right, box.Left - p.Box.Right)), Math.Max(0, Math.Max(p.Box.Top - box.Bottom, box.Top - p.Box.Bottom))));
    }
}
