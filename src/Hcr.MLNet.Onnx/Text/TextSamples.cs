using System.Runtime.ExceptionServices;
using Hcr.MLNet.Imaging;

namespace Hcr.MLNet.Text;

/// <summary>Word images decoded and normalised into strips, on several threads.</summary>
internal static class TextSamples
{
    /// <summary>
    /// The strips of <paramref name="images"/> in order, with their labels encoded in <paramref name="alphabet"/> (null:
    /// no labels, for reading only). With <paramref name="skipUnusable"/>, an image that raises <see cref="UnusableImageException"/>
    /// (blank, undecodable) is null in the result; otherwise, and for any other error, the first image that fails, in list
    /// order, raises its error.
    /// </summary>
    public static TextSample?[] Prepare(WordImageSet images, TextAlphabet? alphabet, int maxWidth, CharacterImageLoader loader, bool skipUnusable)
    {
        var samples = new TextSample?[images.Count];
        var errors = new Exception?[images.Count];
        Parallel.For(0, images.Count, i =>
        {
            WordImage image = images.Images[i];
            try
            {
                using Microsoft.ML.Data.MLImage decoded = loader.Load(image.Path);
                NormalizedLine line = LineNormalizer.Normalize(decoded, TextStrip.Height, maxWidth, image.Path);
                samples[i] = new TextSample(line, alphabet?.Encode(image.Text) ?? [], image.Text);
            }
            catch (UnusableImageException) when (skipUnusable)
            {
                // Left null: the caller leaves it out of training, or counts it as read as nothing.
            }
            catch (Exception e)
            {
                errors[i] = e;
            }
        });
        if (Array.Find(errors, e => e is not null) is Exception error)
            ExceptionDispatchInfo.Capture(error).Throw();
        return samples;
    }
}
