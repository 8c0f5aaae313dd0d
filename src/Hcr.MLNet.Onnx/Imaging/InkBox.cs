using System.Globalization;

namespace Hcr.MLNet.Imaging;

/// <summary>
/// A rectangle in an image's pixels: left, top, width and height. The one box of the public API: a character found on a
/// page (<see cref="CharacterReading.Box"/>), the ink of a normalised character (<see cref="Imaging.NormalizedCharacter.InkBounds"/>),
/// and a text reading's characters, words and lines.
/// </summary>
public readonly record struct InkBox(int X, int Y, int Width, int Height)
{
    // The ink analyses think in edges, as System.Drawing.Rectangle offers them beside X and Y: right and bottom exclusive.

    /// <summary>The box from its left and top edges and its exclusive right and bottom ones.</summary>
    internal static InkBox FromEdges(int left, int top, int right, int bottom) => new(left, top, right - left, bottom - top);

    internal int Left => X;

    internal int Top => Y;

    /// <summary>The first column right of the box.</summary>
    internal int Right => X + Width;

    /// <summary>The first row below the box.</summary>
    internal int Bottom => Y + Height;

    internal int LongSide => Math.Max(Width, Height);

    internal double CenterX => (Left + Right) / 2.0;

    internal double CenterY => (Top + Bottom) / 2.0;

    /// <summary>The smallest box holding all of <paramref name="boxes"/> (which must not be empty).</summary>
    public static InkBox Union(IEnumerable<InkBox> boxes)
    {
        InkBox[] all = boxes.ToArray();
        if (all.Length == 0)
            throw new ArgumentException("The union of no boxes is undefined.", nameof(boxes));
        int left = all.Min(b => b.X), top = all.Min(b => b.Y);
        return new InkBox(left, top, all.Max(b => b.X + b.Width) - left, all.Max(b => b.Y + b.Height) - top);
    }

    /// <summary>Its corner and size, e.g. <c>(12, 40) 30x52</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"({X}, {Y}) {Width}x{Height}");
}
