using System.Diagnostics;
using Hcr.MLNet.Imaging;
using Hcr.MLNet.Scoring;
using Hcr.MLNet.Telemetry;
using Hcr.MLNet.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.Data;

namespace Hcr.MLNet;

/// <summary>
/// Reads handwritten words and lines: image → <see cref="CharacterImageLoader"/> → lines found → per line, ink analysis (polarity, lighting,
/// Otsu, crop to the ink) → a strip 32 pixels high → the line network (convolutions, then a BiLSTM or 1-D convolutions
/// over the width) → CTC decoding (greedy, beam search, or a lexicon) → text, words and characters with boxes,
/// confidences and alternatives. Train one with <c>HandwritingTextReader.Create()</c> (package Hcr.MLNet), or load one with <see cref="Load"/>. An image
/// may hold one word, one line of words, or a few lines (a note, an address): the lines are found and read one by
/// one (see <see cref="ReadOptions.Layout"/>). Reads may run from several threads at once. Dispose it to free the network's
/// native memory: it waits for the reads under way.
/// </summary>
public sealed partial class HandwritingTextReader : IDisposable
{
    // The TorchSharp network (an ITorchTextScorer from the training assembly), or an ONNX Runtime session (OnnxTextScorer).
    private readonly ITextScorer _scorer;
    private readonly CharacterImageLoader _loader = new();
    // Reading keeps pages as large as the line analysis looks at them (the character loader's 512 pixels would leave a
    // page's lines a dozen pixels high); training and evaluation keep _loader, whose images the network was trained on.
    private readonly CharacterImageLoader _pageLoader = new(new CharacterImageLoaderOptions { WorkingSize = LineNormalizer.MaxAnalysisSide });
    private readonly string _scorerKind;
    // Every call that uses the network holds a lease for its whole length: Dispose waits for them, so that a read begun
    // before it finishes (all its lines, not only the batch being scored) and the native memory is freed after (see UsageGate).
    private readonly UsageGate _gate = new();
    // The pretrained reader on ONNX Runtime: adapting it starts from the TorchSharp weights shipped beside its ONNX file.
    private bool _isPretrained;

    internal HandwritingTextReader(ITextScorer scorer, TextAlphabet alphabet, int maxWidth, IReadOnlyList<TextEpochMetrics> history)
    {
        _scorer = scorer;
        _scorerKind = scorer is OnnxTextScorer ? HcrMetrics.OnnxScorer : HcrMetrics.TorchSharpScorer;
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
    /// The options <c>Read</c>, <see cref="Evaluate"/> and the ML.NET transform use when given none: greedy decoding
    /// (<c>new ReadOptions()</c>), except for the pretrained reader, which reads with beam search and its language model
    /// (<see cref="PretrainedLanguageModel"/>; measured in docs/reading-text.md). Options given to a call replace these
    /// whole: <c>reader.DefaultReadOptions with { Alternatives = 5 }</c> keeps the rest. It may be set at any time.
    /// </summary>
    public ReadOptions DefaultReadOptions
    {
        get => _defaultReadOptions;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            value.Validate();
            _defaultReadOptions = value;
        }
    }

    private ReadOptions _defaultReadOptions = new();

    /// <summary>
    /// Receives a summary of every <see cref="Evaluate"/> (Information) and, at Debug level, one entry per <c>Read</c> with
    /// its lines, characters and time; null (the default) logs nothing. It may be set at any time, also while other threads
    /// read. Metrics are recorded whether or not a logger is set (see <see cref="HcrTelemetry"/>).
    /// </summary>
    public ILogger? Logger { get; set; }

    private ILogger Log => Logger ?? NullLogger.Instance;

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
        long started = Stopwatch.GetTimestamp();
        using UsageGate.Lease lease = _gate.Enter(this);
        using MLImage image = _pageLoader.Load(path);
        return Read(image, path, options, started);
    }

    /// <summary>Reads the words and lines in an encoded image (PNG, JPEG, …) from a stream; <paramref name="sourceName"/> names it in errors.</summary>
    public TextReading Read(Stream image, ReadOptions? options = null, string sourceName = "stream")
    {
        ArgumentNullException.ThrowIfNull(image);
        long started = Stopwatch.GetTimestamp();
        using UsageGate.Lease lease = _gate.Enter(this);
        using MLImage decoded = _pageLoader.Load(image, sourceName);
        return Read(decoded, sourceName, options, started);
    }

    /// <summary>Reads the words and lines in an encoded image (PNG, JPEG, …) given as bytes.</summary>
    public TextReading Read(byte[] encodedImage, ReadOptions? options = null, string sourceName = "byte array")
    {
        ArgumentNullException.ThrowIfNull(encodedImage);
        long started = Stopwatch.GetTimestamp();
        using UsageGate.Lease lease = _gate.Enter(this);
        using MLImage decoded = _pageLoader.Load(encodedImage, sourceName);
        return Read(decoded, sourceName, options, started);
    }

    /// <summary>Reads the words and lines in an image already in memory (Bgra32 or Rgba32; it is not modified or disposed).</summary>
    public TextReading Read(MLImage image, ReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        long started = Stopwatch.GetTimestamp();
        using UsageGate.Lease lease = _gate.Enter(this);
        return Read(image, image.Tag ?? "image", options, started);
    }

    /// <summary>
    /// Reads every image of <paramref name="images"/> (in batches) and scores the readings against their texts: character
    /// and word error rates and exact readings. With <paramref name="options"/> null, <see cref="DefaultReadOptions"/>. An image
    /// without ink counts as read as nothing.
    /// </summary>
    public TextEvaluation Evaluate(WordImageSet images, ReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        long started = Stopwatch.GetTimestamp();
        using UsageGate.Lease lease = _gate.Enter(this);
        options ??= DefaultReadOptions;
        options.Validate();
        TextSample?[] all = TextSamples.Prepare(images, alphabet: null, MaxWidth, _loader, skipUnusable: true);
        TextSample[] usable = all.OfType<TextSample>().ToArray();
        float[][] probabilities = TextScoring.Probabilities(_scorer, usable.Select(s => s.Line).ToArray());
        var read = new string[usable.Length];
        Parallel.For(0, usable.Length, i => read[i] = Alphabet.Decode(LineDecoder.Labels(probabilities[i], Alphabet, options)));
        int next = 0;
        string[] readings = all.Select(s => s is null ? "" : read[next++]).ToArray();
        TextEvaluation evaluation = TextEvaluation.Score(readings, images.Images.Select(i => i.Text).ToArray());
        TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
        HcrMetrics.RecordTextRead(_scorerKind, HcrMetrics.EvaluateMode, evaluation.Count, elapsed);
        TextReaderLog.Evaluated(Log, evaluation.Count, images.Source, evaluation.CharacterErrorRate, evaluation.WordErrorRate, evaluation.TextAccuracy,
            elapsed.TotalSeconds, _scorerKind);
        return evaluation;
    }

    /// <summary>Reads a decoded image, under a lease the caller holds, recorded as one read timed from <paramref name="started"/>.</summary>
    private TextReading Read(MLImage image, string source, ReadOptions? options, long started)
    {
        options ??= DefaultReadOptions;
        options.Validate();
        NormalizedLine[] lines = Lines(GreyConversion.ToGrey(image), source, options.Layout);
        float[][] probabilities = TextScoring.Probabilities(_scorer, lines);
        TextLineReading[] read = lines.Select((line, i) => LineDecoder.Read(probabilities[i], Alphabet, line, options))
            .OfType<TextLineReading>().ToArray();
        var reading = new TextReading(string.Join('\n', read.Select(l => l.Text)), read);
        TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
        HcrMetrics.RecordTextRead(_scorerKind, HcrMetrics.SingleMode, 1, elapsed);
        int characters = reading.Text.Length - Math.Max(read.Length - 1, 0); // the lines' characters, not the line breaks
        TextReaderLog.Read(Log, source, read.Length, characters, elapsed.TotalMilliseconds, _scorerKind);
        return reading;
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
            GreyImage cut = found.CutOut(i, out InkBox region);
            try
            {
                NormalizedLine line = LineNormalizer.Normalize(cut, TextStrip.Height, MaxWidth, source);
                InkBox crop = line.Crop;
                lines.Add(line with { Crop = InkBox.FromEdges(crop.Left + region.Left, crop.Top + region.Top, crop.Right + region.Left, crop.Bottom + region.Top) });
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

    /// <summary>
    /// A lease on the reader for a use outside this class (the training assembly's adaptation reads its weights): Dispose
    /// waits for it to end.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The reader was disposed.</exception>
    internal UsageGate.Lease Use() => _gate.Enter(this);

    /// <summary>Whether <see cref="Dispose"/> has begun.</summary>
    internal bool IsDisposed => _gate.IsClosed;

    /// <summary>The pretrained reader on ONNX Runtime, whose TorchSharp weights ship in the training assembly.</summary>
    internal bool IsPretrained => _isPretrained;

    /// <summary>
    /// Frees the network's native memory, after waiting for reads and evaluations running on other threads to finish;
    /// calls made after it throw <see cref="ObjectDisposedException"/>.
    /// </summary>
    public void Dispose()
    {
        if (!_gate.Close())
            return;
        _scorer.Dispose();
    }
}
