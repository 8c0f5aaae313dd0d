using Hcr.MLNet.Data;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Tests.Training;

namespace Hcr.MLNet.Tests.Characters;

/// <summary>
/// One small recognizer trained once on synthetic glyphs and shared by the recognizer tests; trained by the first test
/// that asks, so that a class whose tests are skipped (the slow tier) costs nothing.
/// </summary>
public sealed class RecognizerFixture : IDisposable
{
    private readonly Lazy<HandwritingRecognizer> _recognizer;

    public RecognizerFixture()
    {
        Train = SyntheticGlyphs.Create(60, "HVDOX.");
        Test = SyntheticGlyphs.Create(25, "HVDOX.", seed: 31);
        _recognizer = new(() => HandwritingRecognizer.Create()
            .WithData(Train, Test)
            .WithTrainerOptions(o => Copy(TrainerFixture.Quick(epochs: 3), o))
            .Train());
    }

    public EmnistDataset Train { get; }

    public EmnistDataset Test { get; }

    public HandwritingRecognizer Recognizer => _recognizer.Value;

    public void Dispose()
    {
        if (_recognizer.IsValueCreated)
            _recognizer.Value.Dispose();
    }

    private static void Copy(Hcr.MLNet.Training.HandwritingCnnOptions from, Hcr.MLNet.Training.HandwritingCnnOptions to)
    {
        foreach (var property in typeof(Hcr.MLNet.Training.HandwritingCnnOptions).GetProperties().Where(p => p.CanWrite))
            property.SetValue(to, property.GetValue(from));
    }
}
