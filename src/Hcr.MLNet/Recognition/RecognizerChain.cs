using Hcr.MLNet.Imaging;
using Hcr.MLNet.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace Hcr.MLNet;

/// <summary>
/// The ML.NET steps around the network, and the row types that feed them: the label key mapping
/// (characters → keys in the recognizer's class order), pixel normalization (0..255 → 0..1), and the
/// mapping of predicted keys back to characters.
/// </summary>
internal static class RecognizerChain
{
    public const string Label = "Label";
    public const string Pixels = "Pixels";
    public const string PredictedCharacter = "PredictedCharacter";

    public sealed class LabelRow
    {
        public string Label { get; set; } = "";
    }

    public sealed class PixelsRow
    {
        [VectorType(1, 28, 28)]
        public float[] Pixels { get; set; } = [];
    }

    public sealed class ImageRow
    {
        // ML.NET wants a declared size for in-memory images; the transforms read each image's own size.
        [ImageType(28, 28)]
        public MLImage? Image { get; set; }
    }

    public sealed class ScoredRow
    {
        [VectorType(1, 28, 28)]
        public float[] Pixels { get; set; } = [];

        public float[] Score { get; set; } = [];
    }

    /// <summary>MapValueToKey with the recognizer's classes as key data: key k is class k-1, whatever the data's order.</summary>
    public static ITransformer FitLabelMapping(MLContext ml, IReadOnlyList<char> classes)
    {
        IDataView keyData = ml.Data.LoadFromEnumerable(classes.Select(c => new LabelRow { Label = c.ToString() }).ToList());
        return ml.Transforms.Conversion.MapValueToKey(Label, keyData: keyData).Fit(keyData);
    }

    /// <summary>Pixels 0..255 (as EMNIST files and ImageAnalytics' ExtractPixels give them) → 0..1.</summary>
    public static ITransformer FitNormalization(MLContext ml) =>
        ml.Transforms.Expression(Pixels, "x => x / 255", Pixels).Fit(EmptyPixels(ml));

    /// <summary>PredictedLabel key → PredictedCharacter text, fitted on the scorer's output schema.</summary>
    public static ITransformer FitKeyToCharacter(MLContext ml, ITransformer normalization, ITransformer scorer) =>
        ml.Transforms.Conversion.MapKeyToValue(PredictedCharacter, "PredictedLabel")
            .Fit(scorer.Transform(normalization.Transform(EmptyPixels(ml))));

    /// <summary>
    /// The image front of the chain: ImageAnalytics' ConvertToGrayscale, the EMNIST-style ink
    /// normalization (what ImageAnalytics lacks), then ImageAnalytics' ExtractPixels giving the 0..255
    /// <c>Pixels</c> column that the recognizer's pipeline reads.
    /// </summary>
    public static ITransformer FitImageFront(MLContext ml, InkNormalizationOptions preprocessing) =>
        ml.Transforms.ConvertToGrayscale("Image")
            .Append(ml.Transforms.NormalizeInk("Character", "Image", preprocessing))
            .Append(ml.Transforms.ExtractPixels(Pixels, "Character", colorsToExtract: ImagePixelExtractingEstimator.ColorBits.Red))
            .Fit(ml.Data.LoadFromEnumerable(new List<ImageRow>()));

    public static IDataView EmptyPixels(MLContext ml) => ml.Data.LoadFromEnumerable(new List<PixelsRow>());

    /// <summary>Class characters from a scorer's class names (each one character long).</summary>
    public static char[] ClassesOf(IReadOnlyList<string> names) =>
        names.Select(n => n.Length == 1 ? n[0] : throw new InvalidDataException($"Class name '{n}' is not a single character.")).ToArray();
}
