using Hcr.MLNet.Onnx;
using Hcr.MLNet.Text;

namespace Hcr.MLNet;

public sealed partial class HandwritingTextReader
{
    /// <summary>
    /// The text reader that ships inside this package: no download, no training, no file to find. It reads handwritten
    /// words and lines in German and French (Latin letters with their accents, ä ö ü ß, digits, punctuation), trained on
    /// the DHSD word images (CC BY 4.0: N. Riaz, S. Saifullah, S. Agne, A. Dengel, S. Ahmed, DFKI, 2026; DOI
    /// 10.5281/zenodo.18743313), the "Copiste d'un jour" lines (CC BY 4.0: Bibliothèque et Archives nationales du Québec,
    /// 2024) and words drawn in handwriting fonts, and reads on ONNX Runtime, so reading loads neither TorchSharp nor
    /// libtorch. How it was trained and how well it reads writers it never saw: docs/reading-text.md.
    /// </summary>
    /// <param name="options">Execution provider, threads and graph optimisation of the ONNX Runtime session; null for <see cref="OnnxScoringOptions.Default"/>, the CPU.</param>
    /// <exception cref="ExecutionProviderUnavailableException">The execution provider asked for cannot be used.</exception>
    public static HandwritingTextReader LoadPretrained(OnnxScoringOptions? options = null)
    {
        HandwritingTextReader reader = FromOnnx(PretrainedModel.ReadAll(PretrainedModel.TextReaderOnnxResource),
            PretrainedModel.Source(PretrainedModel.TextReaderOnnxResource), options ?? OnnxScoringOptions.Default);
        reader._isPretrained = true;
        reader.DefaultReadOptions = PretrainedReadOptions;
        return reader;
    }

    /// <summary>
    /// The character language model that ships with the pretrained reader, which reads with it unless told otherwise
    /// (<see cref="DefaultReadOptions"/>): a 7-gram of every transcription of DHSD (German place and street names) and of
    /// the "Copiste d'un jour" lines (French prose), both CC BY 4.0. Loaded once per process and shared (a model is only read).
    /// </summary>
    public static CharacterLanguageModel PretrainedLanguageModel => PretrainedLanguage.Value;

    /// <summary>The pretrained reader's <see cref="DefaultReadOptions"/>: beam search with <see cref="PretrainedLanguageModel"/>.</summary>
    internal static ReadOptions PretrainedReadOptions => new() { LanguageModel = PretrainedLanguageModel };

    private static readonly Lazy<CharacterLanguageModel> PretrainedLanguage = new(() =>
    {
        using Stream stream = PretrainedModel.Open(PretrainedModel.LanguageModelResource);
        return CharacterLanguageModel.LoadGzip(stream, PretrainedModel.Source(PretrainedModel.LanguageModelResource));
    });
}
