using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hcr.MLNet.Imaging;

/// <summary>
/// The getter of the normalised-image column over one input row or cursor. Following ML.NET's image
/// transforms, each call makes a new 28×28 image and disposes the one the caller passes back in (its
/// previous value); the input image belongs to the input and is never disposed here. A null input
/// image gives null.
/// </summary>
internal static class InkNormalizingGetter
{
    public static ValueGetter<MLImage> Create(DataViewRow input, DataViewSchema.Column imageColumn, InkNormalizer normalizer)
    {
        ValueGetter<MLImage> source = input.GetGetter<MLImage>(imageColumn);
        MLImage image = null!;
        return (ref MLImage value) =>
        {
            value?.Dispose();
            source(ref image);
            if (image is null)
            {
                value = null!;
                return;
            }
            value = normalizer.Normalize(image, image.Tag ?? $"row {input.Position}").ToMLImage();
            value.Tag = image.Tag;
        };
    }
}
