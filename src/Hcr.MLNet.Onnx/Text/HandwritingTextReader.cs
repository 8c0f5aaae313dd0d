using Hcr.MLNet.Imaging;
using Hcr.MLNet.Text;
using Microsoft.ML.Data;

namespace Hcr.MLNet;

/// <summary>
/// Reads handwritten words and lines: image → <see cref="CharacterImageLoader"/> → lines found → per line, ink analysis (polarity, lighting,
/// Otsu, crop to the ink) → a strip 32 pixels high → the line network (convolutions, then a BiLSTM or 1-D convolutions
/// over the width) → CTC decoding (greedy, beam search, or a lexicon) → text, words and characters with boxes,
/// confidences and alternatives. Train one with <c>HandwritingTextReader.Create()</c> (package Hcr.MLNet), or load one with <see cref="Load"/>. An image
/// may hold one word, one line of words, or a few lines (a note, an address): the lines are found and read one by
/// one (see <see cref="ReadOptions.Layout"/>). Reads may run from several threads at once. Dispose it to free the network's
/// native memory.
/// </summary>
public sealed partial class HandwritingTextReader : IDisposable
{
    // The TorchSharp network (an ITorchTextScorer from the training assembly), or an ONNX Runtime session (OnnxTextScorer).
    private readonly ITextScorer _scorer;
    private readonly CharacterImageLoader _loader = new();
    // Reading keeps pages as large as the line analysis looks at them (the character loader's 512 pixels would leave a
    // page's lines a dozen pixels high); training and evaluation keep _loader, whose images the network was trained on.
    private readonly CharacterImageLoader _pageLoader = new(new CharacterImageLoaderOptions { WorkingSize = LineNormalizer.MaxAnalysisSide });
    private bool _disposed;
    // The pretrained reader on ONNX Runtime: adapting it starts from the TorchSharp weights shipped beside its ONNX file.
    private bool _isPretrained;

    internal HandwritingTextReader(ITextScorer scorer, TextAlphabet alphabet, int maxWidth, IReadOnlyList<TextEpochMetrics> history)
    {
        _scorer = scorer;
        Alphabet = alphabet;
        MaxWidth = maxWidth;
        History = history;
    }

    /// <summary>The characters it writes.</summary>
    public TextAlphabet Alphabet { get; }

    /// <summary>What reads the features along the line.</summary>
    public TextSequenceModel SequenceModel => _scorer.SequenceModel;

    /// <summary>The widest strip, in pixels: wider lines are squeezed to it.</summary>
    public int MaxWidth { get; }

    /// <summary>
    /// The training and validation images left out because they could not be used (blank, undecodable: see
    /// <c>TextTrainingOptions.SkipUnusableImages</c>); empty for a loaded reader.
    /// </summary>
    public IReadOnlyList<string> SkippedImages { get; internal init; } = [];

    /// <summary>Per-epoch training history (with validation readings when there were validation images).</summary>
    public IReadOnlyList<TextEpochMetrics> History { get; }

    /// <summary>
    /// Reads the words and lines in an image file (PNG, JPEG, …; any size, dark ink on light paper or the reverse). Boxes
    /// are in the image's pixels, after its EXIF orientation; an image over 2048 pixels long is read shrunk to that, and
    /// its boxes are in the shrunk image's pixels.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="UnusableImageException">
    /// The file is empty, not an image, too small, or shows no ink, or it is a named pipe, a socket or a device; the message names it.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its bounds (<see cref="ReadOptions.MaxBeamWidth"/>, …).</exception>
    /// <exception cref="InvalidOperationException">The network gives NaN or infinite probabilities (weights from a training that diverged).</exception>
    public TextReading Read(string path, ReadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ObjectDisposedException.ThrowIf(_disposed, this);
        using MLImage image = _pageLoader.Load(path);
        return Read(image, path, options);
    }

    /// <summary>Reads the words and lines in an encoded image (PNG, JPEG, …) from a stream; <paramref name="sourceName"/> names it in errors.</summary>
    public TextReading Read(Stream image, ReadOptions? options = null, string sourceName = "stream")
    {
        ArgumentNullException.ThrowIfNull(image);
        ObjectDisposedException.ThrowIf(_disposed, this);
        using MLImage decoded = _pageLoader.Load(image, sourceName);
        return Read(decoded, sourceName, options);
    }

    /// <summary>Reads the words and lines in an encoded image (PNG, JPEG, …) given as bytes.</summary>
    public TextReading Read(byte[] encodedImage, ReadOptions? options = null, string sourceName = "byte array")
    {
        ArgumentNullException.ThrowIfNull(encodedImage);
        ObjectDisposedException.ThrowIf(_disposed, this);
        using MLImage decoded = _pageLoader.Load(encodedImage, sourceName);
        return Read(decoded, sourceName, options);
    }

    /// <summary>Reads the words and lines in an image already in memory (Bgra32 or Rgba32; it is not modified or disposed).</summary>
    public TextReading Read(MLImage image, ReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Read(image, image.Tag ?? "image", options);
    }

    /// <summary>
    /// Reads every image of <paramref name="images"/> (in batches) and scores the readings against their texts: character
    /// and word error rates and exact readings. With <paramref name="options"/> null, greedy decoding. An image without
    /// ink counts as read as nothing.
    /// </summary>
    public TextEvaluation Evaluate(WordImageSet images, ReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ObjectDisposedException.ThrowIf(_disposed, this);
        options ??= new ReadOptions();
        options.Validate();
        TextSample?[] all = TextSamples.Prepare(images, alphabet: null, MaxWidth, _loader, skipUnusable: true);
        TextSample[] usable = all.OfType<TextSample>().ToArray();
        float[][] probabilities = TextScoring.Probabilities(_scorer, usable.Select(s => s.Line).ToArray());
        var read = new string[usable.Length];
        Parallel.For(0, usable.Length, i => read[i] = Alphabet.Decode(LineDecoder.Labels(probabilities[i], Alphabet, options)));
        int next = 0;
        string[] readings = all.Select(s => s is null ? "" : read[next++]).ToArray();
        return TextEvaluation.Score(readings, images.Images.Select(i => i.Text).ToArray());
    }

    private TextReading Read(MLImage image, string source, ReadOptions? options)
    {
        options ??= new ReadOptions();
        options.Validate();
        NormalizedLine[] lines = Lines(GreyConversion.ToGrey(image), source, options.Layout);
        float[][] probabilities = TextScoring.Probabilities(_scorer, lines);
        TextLineReading[] read = lines.Select((line, i) => LineDecoder.Read(probabilities[i], Alphabet, line, options))
            .OfType<TextLineReading>().ToArray();
        return new TextReading(string.Join('\n', read.Select(l => l.Text)), read);
    }

    /// <summary>
    /// The strips to read, top line first: the whole image as one when it holds one line (or the layout says so);
    /// otherwise each line found, cut out on its own, its crop moved into the image's pixels.
    /// </summary>
    private NormalizedLine[] Lines(GreyImage grey, string source, TextLayout layout)
    {
        PageLines found = layout == TextLayout.Auto ? LineFinder.Find(grey) : PageLines.None(grey, grey);
        if (found.Count <= 1)
            return [LineNormalizer.Normalize(grey, TextStrip.Height, MaxWidth, source)];
        var lines = new List<NormalizedLine>(found.Count);
        UnusableImageException? unusable = null;
        for (int i = 0; i < found.Count; i++)
        {
            GreyImage cut = found.CutOut(i, out InkRegion region);
            try
            {
                NormalizedLine line = LineNormalizer.Normalize(cut, TextStrip.Height, MaxWidth, source);
                InkRegion crop = line.Crop;
                lines.Add(line with { Crop = new InkRegion(crop.Left + region.Left, crop.Top + region.Top, crop.Right + region.Left, crop.Bottom + region.Top) });
            }
            catch (UnusableImageException e)
            {
                // A line the page's analysis found but its own does not (a faint smudge): left out, unless all are.
                unusable ??= e;
            }
        }
        return lines.Count > 0 ? lines.ToArray() : throw unusable!;
    }

    /// <summary>What scores its strips (the training assembly adapts its TorchSharp network).</summary>
    internal ITextScorer Scorer => _scorer;

    /// <summary>Whether it was disposed.</summary>
    internal bool IsDisposed => _disposed;

    /// <summary>The pretrained reader on ONNX Runtime, whose TorchSharp weights ship in the training assembly.</summary>
    internal bool IsPretrained => _isPretrained;

    /// <summary>Frees the network's native memory.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _scorer.Dispose();
    }
}
