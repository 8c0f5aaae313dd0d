namespace Hcr.MLNet.Imaging;

/// <summary>
/// The 8-connected pieces of an ink mask, each with its size and box. Written here rather than taken
/// from a package: SkiaSharp and ML.NET's ImageAnalytics have no connected-component labelling, and the
/// one flood fill below (each pixel pushed once, an explicit stack, no recursion) is all it takes.
/// </summary>
internal sealed class InkComponents
{
    private InkComponents(int[] labels, List<Piece> pieces, int width, int height)
    {
        Labels = labels;
        Pieces = pieces;
        Width = width;
        Height = height;
    }

    /// <summary>One piece: its label (1-based, as in <see cref="Labels"/>), pixel count and box.</summary>
    public readonly record struct Piece(int Label, int Size, InkBox Box);

    /// <summary>Per pixel, the label of its piece (1..<see cref="Pieces"/>.Count), 0 for background.</summary>
    public int[] Labels { get; }

    /// <summary>The pieces in the order their first pixel is met in raster order; <c>Pieces[label - 1]</c>.</summary>
    public IReadOnlyList<Piece> Pieces { get; }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Labels the 8-connected pieces of <paramref name="mask"/>.</summary>
    public static InkComponents Find(bool[] mask, int width, int height)
    {
        int[] labels = new int[mask.Length];
        var pieces = new List<Piece>();
        // Each pixel is pushed once (labelled when pushed), so the stack never holds more than the image.
        var stack = new int[mask.Length];
        for (int start = 0; start < mask.Length; start++)
        {
            if (!mask[start] || labels[start] != 0)
                continue;
            int label = pieces.Count + 1, size = 0;
            int left = width, top = height, right = -1, bottom = -1;
            labels[start] = label;
            int sp = 0;
            stack[sp++] = start;
            while (sp > 0)
            {
                int p = stack[--sp];
                size++;
                int px = p % width, py = p / width;
                left = Math.Min(left, px);
                right = Math.Max(right, px);
                top = Math.Min(top, py);
                bottom = Math.Max(bottom, py);
                for (int dy = -1; dy <= 1; dy++)
                {
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int x = px + dx, y = py + dy;
                        if (x < 0 || y < 0 || x >= width || y >= height)
                            continue;
                        int q = y * width + x;
                        if (mask[q] && labels[q] == 0)
                        {
                            labels[q] = label;
                            stack[sp++] = q;
                        }
                    }
                }
            }
            pieces.Add(new Piece(label, size, InkBox.FromEdges(left, top, right + 1, bottom + 1)));
        }
        return new InkComponents(labels, pieces, width, height);
    }

    /// <summary>The mask of the pieces <paramref name="keep"/> accepts.</summary>
    public bool[] Mask(Func<Piece, bool> keep)
    {
        var kept = new bool[Pieces.Count + 1];
        foreach (Piece piece in Pieces)
            kept[piece.Label] = keep(piece);
        return Array.ConvertAll(Labels, l => l != 0 && kept[l]);
    }

    /// <summary>Whether <paramref name="piece"/> reaches the image's edge.</summary>
    public bool TouchesBorder(Piece piece) =>
        piece.Box.Left == 0 || piece.Box.Top == 0 || piece.Box.Right == Width || piece.Box.Bottom == Height;
}
