using Hcr.MLNet.DataViews;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Hcr.MLNet.Training;

/// <summary>
/// Distorts a batch of images on the device with tensor operations: one random affine map per image
/// (rotation, scale, aspect, shear, translation) sampled through <c>grid_sample</c>, plus for the
/// strong level a smooth random displacement field (elastic distortion) and a random change of
/// stroke width (a blend towards the 3×3 dilation or erosion of the image).
/// </summary>
internal sealed class BatchAugmenter(AugmentationLevel level)
{
    private const int Side = CharacterTile.Side;

    private readonly (double Rotation, double Scale, double Aspect, double Shear, double Shift, double Elastic, double Stroke) _range = level switch
    {
        AugmentationLevel.None => (0, 0, 0, 0, 0, 0, 0),
        AugmentationLevel.Light => (8 * Math.PI / 180, 0.08, 0, 0.1, 1.5, 0, 0),
        AugmentationLevel.Strong => (12 * Math.PI / 180, 0.12, 0.06, 0.2, 2.0, 0.06, 0.7),
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, "Unknown augmentation level."),
    };

    /// <summary>Returns augmented images; <paramref name="images"/> is [B, 1, 28, 28] in 0..1.</summary>
    public Tensor Apply(Tensor images)
    {
        if (level == AugmentationLevel.None)
            return images;

        long batch = images.shape[0];
        var options = (dtype: images.dtype, device: images.device);
        // Every number in the tensor arithmetic below is a Scalar held until the batch is augmented: TorchSharp 0.107 makes
        // a temporary one for each number it is given and lets it be collected during the native call (see OptimizerStep).
        using Scalar zero = 0.0.ToScalar(), one = 1.0.ToScalar(), two = 2.0.ToScalar();
        Tensor Uniform(double range)
        {
            using Scalar halfWidth = range.ToScalar();
            return (torch.rand(batch, dtype: options.dtype, device: options.device) * two - one) * halfWidth;
        }

        Tensor angle = Uniform(_range.Rotation);
        Tensor scale = one + Uniform(_range.Scale);
        Tensor aspect = one + Uniform(_range.Aspect);
        Tensor shear = Uniform(_range.Shear);
        Tensor shiftX = Uniform(_range.Shift * 2 / Side);
        Tensor shiftY = Uniform(_range.Shift * 2 / Side);

        // affine_grid maps output coordinates to input coordinates, so this is the inverse map; the
        // ranges are symmetric, so sampling the inverse is as good as sampling the forward map.
        Tensor cos = angle.cos(), sin = angle.sin();
        Tensor sx = one / (scale * aspect), sy = aspect / scale;
        Tensor theta = torch.stack([
            torch.stack([cos * sx, (-sin + shear * cos) * sy, shiftX], 1),
            torch.stack([sin * sx, (cos + shear * sin) * sy, shiftY], 1),
        ], 1);
        Tensor grid = F.affine_grid(theta, [batch, 1, Side, Side], align_corners: false);

        if (_range.Elastic > 0)
        {
            // Coarse random displacements, smoothly upsampled: local, handwriting-like wobble.
            using Scalar elastic = _range.Elastic.ToScalar();
            Tensor coarse = (torch.rand([batch, 2, 4, 4], dtype: options.dtype, device: options.device) * two - one) * elastic;
            Tensor field = F.interpolate(coarse, [Side, Side], mode: InterpolationMode.Bicubic, align_corners: false);
            grid = grid + field.permute(0, 2, 3, 1);
        }

        Tensor result = F.grid_sample(images, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false);

        if (_range.Stroke > 0)
        {
            // w in [-1, 1]: positive blends towards thicker strokes, negative towards thinner ones.
            Tensor weight = Uniform(_range.Stroke).reshape(batch, 1, 1, 1);
            Tensor thicker = F.max_pool2d(result, 3, 1, 1);
            Tensor thinner = -F.max_pool2d(-result, 3, 1, 1);
            Tensor target = torch.where(weight > zero, thicker, thinner);
            result = result + weight.abs() * (target - result);
        }
        return result;
    }
}
