using Hcr.MLNet.DataViews;
using Hcr.MLNet.Imaging;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace Hcr.MLNet;

/// <summary>
/// The ML.NET steps around the network, and the row types that feed them: the label key mapping
/// (characters → keys in the recognizer's class order), pixel normalization (0..255 → 0..1), the
/// mapping of predicted keys back to characters, and the image front of <see cref="HandwritingRecognizer.ImagePipeline"/>.
/// </summary>
internal static class RecognizerChain
{
    /// <summary>The image front's 28×28 normalised image, between NormalizeInk and ExtractPixels.</summary>
    private const string Character = "Character";

    public sealed class LabelRow
    {
        public string Label { get; set; } = "";
    }

    public sealed class PixelsRow
    {
        [VectorType(1, CharacterTile.Side, CharacterTile.Side)]
        public float[] Pixels { get; set; } = [];
    }

    public sealed class ImageRow
    {
        // ML.NET wants a declared size for in-memory images; the transforms read each image's own size.
        [ImageType(CharacterTile.Side, CharacterTile.Side)]
        public MLImage? Image { get; set; }
    }

    /// <summary>MapValueToKey with the recognizer's classes as key data: key k is class k-1, whatever the data's order.</summary>
    public static ITransformer FitLabelMapping(MLContext ml, IReadOnlyList<char> classes)
    {
        IDataView keyData = ml.Data.LoadFromEnumerable(classes.Select(c => new LabelRow { Label = c.ToString() }).ToList());
        return ml.Transforms.Conversion.MapValueToKey(HcrColumns.Label, keyData: keyData).Fit(keyData);
    }

    /// <summary>Pixels 0..255 (as EMNIST files and ImageAnalytics' ExtractPixels give them) → 0..1.</summary>
    public static ITransformer FitNormalization(MLContext ml) =>
        ml.Transforms.Expression(HcrColumns.Pixels, "x => x / 255", HcrColumns.Pixels).Fit(EmptyPixels(ml));

    /// <summary>The chain from a 0..255 <c>Pixels</c> column: normalization, the network, then PredictedLabel key → PredictedCharacter text.</summary>
    public static TransformerChain<ITransformer> Pipeline(MLContext ml, ITransformer normalization, ITransformer network)
    {
        ITransformer keyToCharacter = ml.Transforms.Conversion.MapKeyToValue(HcrColumns.PredictedCharacter, HcrColumns.PredictedLabel)
            .Fit(network.Transform(normalization.Transform(EmptyPixels(ml))));
        return new TransformerChain<ITransformer>(normalization, network, keyToCharacter);
    }

    /// <summary>
    /// The chain from an <c>Image</c> column: the EMNIST-style ink normalization (what ImageAnalytics lacks;
    /// it reads colour itself), ImageAnalytics' ExtractPixels giving the 0..255 <c>Pixels</c> column, then
    /// <paramref name="pipeline"/>.
    /// </summary>
    public static TransformerChain<ITransformer> ImagePipeline(MLContext ml, InkNormalizationOptions preprocessing, ITransformer pipeline)
    {
        ITransformer front = ml.Transforms.NormalizeInk(Character, HcrColumns.Image, preprocessing)
            .Append(ml.Transforms.ExtractPixels(HcrColumns.Pixels, Character, colorsToExtract: ImagePixelExtractingEstimator.ColorBits.Red))
            .Fit(ml.Data.LoadFromEnumerable(new List<ImageRow>()));
        return new TransformerChain<ITransformer>(front, pipeline);
    }

    public static IDataView EmptyPixels(MLContext ml) => ml.Data.LoadFromEnumerable(new List<PixelsRow>());

    /// <summary>Class characters from a scorer's class names (each one character long).</summary>
    public static char[] ClassesOf(IReadOnlyList<string> names) =>
        names.Select(n => n.Length == 1 ? n[0] : throw new InvalidDataException($"Class name '{n}' is not a single character.")).ToArray();
}
