namespace Hcr.MLNet.Imaging;

/// <summary>
/// Pieces of ink gathered into characters: pieces that share columns (the dot of an i or j, a bar
/// written apart from its stem) or nearly touch side by side (a broken stroke), and stand in the same
/// row, are one character; pieces apart by more than a character's small fraction are separate ones.
/// </summary>
internal static class InkGroups
{
    /// <summary>Pieces at most this fraction of the shorter one's height apart (side by side) or the taller one's (stacked) are joined: a broken stroke's gap.</summary>
    internal const double JoinGap = 0.12;

    /// <summary>Pieces sharing columns are joined when their rows are at most this fraction of the taller one's height apart (the dot of an i or j).</summary>
    internal const double StackGap = 0.6;

    /// <summary>A group counts as a character when it holds at least this fraction of the largest group's ink; less is a mark (an accent, a stray stroke).</summary>
    internal const double CharacterFraction = 0.15;

    /// <summary>Pieces whose boxes overlap by at least this fraction of the smaller box are joined (parts of one broken character).</summary>
    internal const double OverlapJoin = 0.3;

    /// <summary>A piece stacked above or below another is joined to it only when at most this fraction of its height (a dot, an accent, a detached bar).</summary>
    internal const double StackedPieceHeight = 0.5;

    /// <summary>
    /// The groups of <paramref name="pieces"/> (boxes with their ink pixel counts), each a list of piece
    /// indices: pieces are joined pairwise (a chain of joined pieces is one group), never through a
    /// group's growing box, which would swallow a page row by row.
    /// </summary>
    public static List<List<int>> Join(IReadOnlyList<(InkBox Box, int Size)> pieces)
    {
        int n = pieces.Count;
        int[] parent = Enumerable.Range(0, n).ToArray();
        int Root(int i)
        {
            while (parent[i] != i)
                i = parent[i] = parent[parent[i]];
            return i;
        }
        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++)
            {
                if (Belong(pieces[i].Box, pieces[j].Box))
                    parent[Root(j)] = Root(i);
            }
        }
        return Enumerable.Range(0, n).GroupBy(Root).Select(g => g.ToList()).ToList();
    }

    /// <summary>Whether two pieces of ink are parts of one character.</summary>
    internal static bool Belong(InkBox a, InkBox b)
    {
        double height = Math.Max(a.Height, b.Height), shorter = Math.Min(a.Height, b.Height);
        int columnOverlap = Math.Min(a.Right, b.Right) - Math.Max(a.Left, b.Left);
        int rowOverlap = Math.Min(a.Bottom, b.Bottom) - Math.Max(a.Top, b.Top);
        if (columnOverlap > 0 && rowOverlap > 0)
        {
            // Overlapping boxes: one piece largely inside the other's box.
            double smaller = Math.Min((double)a.Width * a.Height, (double)b.Width * b.Height);
            return (double)columnOverlap * rowOverlap >= OverlapJoin * smaller;
        }
        if (columnOverlap > 0)
        {
            // Stacked: nearly touching (a broken stroke), or a small piece (a dot, an accent) close above or below a larger one.
            return -rowOverlap <= JoinGap * height || (shorter <= StackedPieceHeight * height && -rowOverlap <= StackGap * height);
        }
        // Side by side: nearly touching (a broken stroke), in the same row; the gap is measured against the
        // shorter piece, so that a long piece (a ruled line's remnant) does not reach out to its neighbours.
        return -columnOverlap <= JoinGap * shorter && rowOverlap > 0;
    }

    internal static InkBox Union(InkBox a, InkBox b) =>
        InkBox.FromEdges(Math.Min(a.Left, b.Left), Math.Min(a.Top, b.Top), Math.Max(a.Right, b.Right), Math.Max(a.Bottom, b.Bottom));

    /// <summary>How many groups of the mask's pieces hold a character's share of ink (see <see cref="CharacterFraction"/>).</summary>
    public static int CountCharacters(bool[] mask, int width, int height)
    {
        InkComponents components = InkComponents.Find(mask, width, height);
        if (components.Pieces.Count <= 1)
            return components.Pieces.Count;
        List<List<int>> groups = Join(components.Pieces.Select(p => (p.Box, p.Size)).ToList());
        int[] sizes = groups.Select(g => g.Sum(i => components.Pieces[i].Size)).ToArray();
        int largest = sizes.Max();
        return sizes.Count(s => s >= CharacterFraction * largest);
    }
}
