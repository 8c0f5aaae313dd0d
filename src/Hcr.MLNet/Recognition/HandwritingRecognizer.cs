using Hcr.MLNet.Data;
using Hcr.MLNet.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hcr.MLNet;

/// <summary>
/// A trained handwritten-character recognizer: the fitted ML.NET chain (pixel normalization → CNN →
/// key to character) with what it needs around it. Train one with <see cref="Create"/> or
/// <see cref="Train(RecognizerTrainingOptions)"/>, or load one with <see cref="Load"/>. Predictions and
/// evaluations may run from several threads at once. Dispose it to free the network's native memory.
/// </summary>
public sealed partial class HandwritingRecognizer : IDisposable
{
    private readonly MLContext _ml;
    private readonly char[] _classes;
    private readonly ITransformer _labelMapping;
    private readonly ITransformer _normalization;
    private readonly HandwritingCnnTransformer _network;
    private readonly ITransformer _keyToCharacter;
    private readonly ThreadLocal<PredictionEngine<RecognizerChain.PixelsRow, RecognizerChain.ScoredRow>> _engines;
    private bool _disposed;

    private HandwritingRecognizer(MLContext ml, ITransformer labelMapping, ITransformer normalization, HandwritingCnnTransformer network)
    {
        _ml = ml;
        _labelMapping = labelMapping;
        _normalization = normalization;
        _network = network;
        _classes = RecognizerChain.ClassesOf(network.ClassNames);
        _keyToCharacter = RecognizerChain.FitKeyToCharacter(ml, normalization, network);
        Pipeline = new TransformerChain<ITransformer>(_normalization, _network, _keyToCharacter);
        // PredictionEngine is not thread-safe; one per thread keeps Predict safe to call concurrently.
        _engines = new ThreadLocal<PredictionEngine<RecognizerChain.PixelsRow, RecognizerChain.ScoredRow>>(
            () => _ml.Model.CreatePredictionEngine<RecognizerChain.PixelsRow, RecognizerChain.ScoredRow>(Pipeline), trackAllValues: true);
    }

    /// <summary>
    /// The fitted ML.NET chain: reads a <c>Pixels</c> column of 784 floats 0..255 (28×28, ink bright, as
    /// <see cref="EmnistDataset.ToDataView"/> or ImageAnalytics' <c>ExtractPixels</c> give it) and adds
    /// <c>Score</c>, <c>PredictedLabel</c> and <c>PredictedCharacter</c>. Use it inside application pipelines.
    /// </summary>
    public ITransformer Pipeline { get; }

    /// <summary>The characters it tells apart, by class index.</summary>
    public IReadOnlyList<char> Classes => _classes;

    /// <summary>The trained network (architecture, per-epoch history, …).</summary>
    public HandwritingCnnTransformer Network => _network;

    /// <summary>The evaluation on the test data given at training, if any.</summary>
    public RecognizerEvaluation? TestEvaluation { get; private set; }

    /// <summary>
    /// Reads one EMNIST-style tile: 784 bytes, 28×28 row-major, upright, 0 = background, 255 = ink
    /// (as <see cref="EmnistDataset.GetImage"/> returns them).
    /// </summary>
    public CharacterPrediction PredictTile(ReadOnlySpan<byte> pixels)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (pixels.Length != EmnistDataset.PixelsPerImage)
            throw new ArgumentException($"A tile is {EmnistDataset.PixelsPerImage} pixels (28x28), not {pixels.Length}.", nameof(pixels));
        var input = new RecognizerChain.PixelsRow { Pixels = new float[pixels.Length] };
        for (int i = 0; i < pixels.Length; i++)
            input.Pixels[i] = pixels[i];
        RecognizerChain.ScoredRow scored = _engines.Value!.Predict(input);
        return new CharacterPrediction(_classes, scored.Score, pixels.ToArray());
    }

    /// <summary>Reads every image of <paramref name="data"/> in batches, in order.</summary>
    public IReadOnlyList<CharacterPrediction> PredictTiles(EmnistDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        ObjectDisposedException.ThrowIf(_disposed, this);
        IDataView scored = Pipeline.Transform(data.ToDataView(_ml));
        var results = new List<CharacterPrediction>(data.Count);
        int i = 0;
        foreach (float[] score in scored.GetColumn<float[]>("Score"))
        {
            results.Add(new CharacterPrediction(_classes, score, data.GetImage(i).ToArray()));
            i++;
        }
        return results;
    }

    /// <summary>
    /// Accuracy, macro accuracy, log-loss, confusion matrix, per-class accuracy and the most confused
    /// pairs on labelled images, computed by ML.NET's multiclass evaluator.
    /// </summary>
    /// <exception cref="ArgumentException">The data has characters the recognizer does not know.</exception>
    public RecognizerEvaluation Evaluate(EmnistDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        ObjectDisposedException.ThrowIf(_disposed, this);
        char[] unknown = data.Classes.Except(_classes).ToArray();
        if (unknown.Length > 0)
            throw new ArgumentException($"{data.Source} has characters this recognizer does not know: {string.Join(" ", unknown)}.", nameof(data));
        IDataView labelled = _labelMapping.Transform(data.ToDataView(_ml));
        var metrics = _ml.MulticlassClassification.Evaluate(Pipeline.Transform(labelled), RecognizerChain.Label);
        return new RecognizerEvaluation(metrics, _classes);
    }

    /// <summary>Frees the network's native memory.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        foreach (var engine in _engines.Values)
            engine.Dispose();
        _engines.Dispose();
        _network.Dispose();
    }
}
