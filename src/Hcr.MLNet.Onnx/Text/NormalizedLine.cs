using Hcr.MLNet.Imaging;

namespace Hcr.MLNet.Text;

/// <summary>
/// A line of handwriting as the text network sees it: ink bright (0 paper, about 1 ink) on a strip of fixed
/// height, cropped to the ink, its width following the ink's aspect ratio; and where the strip lies in the image.
/// </summary>
/// <param name="Pixels">Row-major, <paramref name="Height"/> × <paramref name="Width"/>.</param>
/// <param name="Width">Columns of the strip.</param>
/// <param name="Height">Rows of the strip (<see cref="TextStrip.Height"/>).</param>
/// <param name="Crop">The region of the source image the strip shows, in the source's pixels.</param>
internal sealed record NormalizedLine(float[] Pixels, int Width, int Height, InkBox Crop)
{
    /// <summary>The source x (in its pixels) of strip column <paramref name="column"/>.</summary>
    public double SourceX(double column) => Crop.Left + column * Crop.Width / Width;
}
