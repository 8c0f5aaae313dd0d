using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Hcr.MLNet.Text;

/// <summary>
/// The line network (a CRNN): a strip <see cref="TextStrip.Height"/> pixels high and any width, (N, 1, 32, W) → four
/// convolution stages (16, 32, 64, 96 channels; the first two halve height and width, the last two height only) →
/// one feature vector per <see cref="TextStrip.WidthStride"/> columns (the 4 remaining rows of 96 channels, projected to
/// <see cref="FeatureSize"/>) → the sequence model over the width → class scores (N, W/4, classes), class 0 the CTC blank.
/// </summary>
/// <remarks>
/// The height is pooled to 4 rows and flattened rather than averaged away, so that the features keep where along
/// the height the ink is (ascenders, descenders, dots). A stride of 4 gives a handwritten character, about half as
/// wide as the strip is high, three to four positions: enough for CTC to put blanks between double letters.
/// About 30 million multiply-adds for a 32×192 word, small enough to train on two CPU cores.
/// </remarks>
internal sealed class TextLineNetwork : Module<Tensor, Tensor>
{
    /// <summary>The width of a feature vector, and of the sequence model's output.</summary>
    public const int FeatureSize = 128;

    private const int RowsLeft = 4, LastChannels = 96, Convolution1dLayers = 3, Convolution1dKernel = 5;
    private const double DropoutRate = 0.2;

    private readonly Sequential features;
    private readonly Linear project;
    private readonly LSTM? lstm;
    private readonly Sequential? convolutions;
    private readonly Dropout dropout;
    private readonly Linear output;

    public TextLineNetwork(TextSequenceModel sequenceModel, int classCount) : base(nameof(TextLineNetwork))
    {
        SequenceModel = sequenceModel;
        ClassCount = classCount;
        features = Sequential(
            ("conv1", Conv2d(1, 16, 3, padding: 1, bias: false)), ("bn1", BatchNorm2d(16)), ("relu1", ReLU()),
            ("pool1", MaxPool2d(2, 2)),
            ("conv2", Conv2d(16, 32, 3, padding: 1, bias: false)), ("bn2", BatchNorm2d(32)), ("relu2", ReLU()),
            ("pool2", MaxPool2d(2, 2)),
            ("conv3", Conv2d(32, 64, 3, padding: 1, bias: false)), ("bn3", BatchNorm2d(64)), ("relu3", ReLU()),
            ("pool3", MaxPool2d([2, 1], [2, 1])),
            ("conv4", Conv2d(64, LastChannels, 3, padding: 1, bias: false)), ("bn4", BatchNorm2d(LastChannels)), ("relu4", ReLU()));
        project = Linear(LastChannels * RowsLeft, FeatureSize);
        if (sequenceModel == TextSequenceModel.BiLstm)
        {
            lstm = LSTM(FeatureSize, FeatureSize / 2, bidirectional: true, batchFirst: true);
        }
        else
        {
            var layers = new List<(string, Module<Tensor, Tensor>)>();
            for (int i = 0; i < Convolution1dLayers; i++)
            {
                layers.Add(($"conv{i + 1}", Conv1d(FeatureSize, FeatureSize, Convolution1dKernel, padding: Convolution1dKernel / 2, bias: false)));
                layers.Add(($"bn{i + 1}", BatchNorm1d(FeatureSize)));
                layers.Add(($"relu{i + 1}", ReLU()));
            }
            convolutions = Sequential(layers);
        }
        dropout = Dropout(DropoutRate);
        output = Linear(FeatureSize, classCount);
        RegisterComponents();
    }

    public TextSequenceModel SequenceModel { get; }

    // The layers, for the ONNX export (TextOnnxExport), which writes them one by one.
    internal Sequential Features => features;

    internal Linear Project => project;

    internal Sequential? Convolutions => convolutions;

    internal Linear Output => output;

    public int ClassCount { get; }

    /// <summary>Output positions for an image <paramref name="width"/> columns wide.</summary>
    public static int Positions(int width) => width / TextStrip.WidthStride;

    /// <summary>(N, 1, 32, W) → class scores (N, W/4, classes), unnormalized.</summary>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        Tensor map = features.call(images);                      // (N, 96, 4, W/4)
        long n = map.shape[0], t = map.shape[3];
        Tensor columns = map.permute(0, 3, 1, 2).reshape(n, t, LastChannels * RowsLeft);
        Tensor sequence = functional.relu(project.call(columns)); // (N, T, F)
        if (lstm is not null)
        {
            (Tensor read, _, _) = lstm.call(sequence, null);
            sequence = read;
        }
        else
        {
            // Residual: the 1-D stack refines the column features instead of replacing them.
            sequence = sequence + convolutions!.call(sequence.transpose(1, 2)).transpose(1, 2);
        }
        return output.call(dropout.call(sequence)).MoveToOuterDisposeScope();
    }
}
