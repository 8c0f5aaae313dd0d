using Hcr.MLNet.DataViews;

namespace Hcr.MLNet.Scoring;

/// <summary>
/// A 28×28 image turned about its centre by a fixed angle, as a sampling table: each output pixel is
/// a bilinear blend of (at most) four input pixels, <c>out[p] = Σₖ Weights[k][p] · in[Sources[k][p]]</c>,
/// with zero outside the image. It computes exactly what libtorch's <c>grid_sample</c> (bilinear,
/// zero padding, <c>align_corners</c> false) computes for the rotation's <c>affine_grid</c>, in a form
/// that both TorchSharp (<c>index_select</c>) and ONNX (<c>Gather</c>) run the same way, so that scores
/// agree between the two.
/// </summary>
internal sealed class RotatedView
{
    private const int Side = CharacterTile.Side;
    private const int PixelCount = CharacterTile.PixelCount;
    public const int Corners = 4;

    private RotatedView(double degrees, long[][] sources, float[][] weights)
    {
        Degrees = degrees;
        Sources = sources;
        Weights = weights;
    }

    /// <summary>The angle in degrees; positive turns the character anticlockwise on screen (rows grow downwards).</summary>
    public double Degrees { get; }

    /// <summary>For each of the four corners, the input pixel index (row-major) each output pixel reads; 0 where the corner is outside (its weight is then 0).</summary>
    public IReadOnlyList<long[]> Sources { get; }

    /// <summary>For each of the four corners, the bilinear weight of that input pixel in each output pixel.</summary>
    public IReadOnlyList<float[]> Weights { get; }

    public static RotatedView Create(double degrees)
    {
        double angle = degrees * Math.PI / 180, cos = Math.Cos(angle), sin = Math.Sin(angle);
        var sources = new long[Corners][];
        var weights = new float[Corners][];
        for (int k = 0; k < Corners; k++)
        {
            sources[k] = new long[PixelCount];
            weights[k] = new float[PixelCount];
        }
        for (int row = 0; row < Side; row++)
        {
            for (int column = 0; column < Side; column++)
            {
                // Output pixel centre in [-1, 1] coordinates (align_corners false), mapped back into the input
                // by the rotation (affine_grid's theta = [[cos, -sin, 0], [sin, cos, 0]]), then to pixel units.
                double x = (2.0 * column + 1) / Side - 1, y = (2.0 * row + 1) / Side - 1;
                double sourceX = ((cos * x - sin * y + 1) * Side - 1) / 2;
                double sourceY = ((sin * x + cos * y + 1) * Side - 1) / 2;
                int left = (int)Math.Floor(sourceX), top = (int)Math.Floor(sourceY);
                double right = sourceX - left, bottom = sourceY - top;
                int p = row * Side + column;
                Set(0, p, top, left, (1 - bottom) * (1 - right));
                Set(1, p, top, left + 1, (1 - bottom) * right);
                Set(2, p, top + 1, left, bottom * (1 - right));
                Set(3, p, top + 1, left + 1, bottom * right);
            }
        }
        return new RotatedView(degrees, sources, weights);

        void Set(int corner, int pixel, int sourceRow, int sourceColumn, double weight)
        {
            bool inside = sourceRow is >= 0 and < Side && sourceColumn is >= 0 and < Side;
            sources[corner][pixel] = inside ? sourceRow * Side + sourceColumn : 0;
            weights[corner][pixel] = inside ? (float)weight : 0f;
        }
    }
}
