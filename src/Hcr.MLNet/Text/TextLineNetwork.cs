using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Hcr.MLNet.Text;

/// <summary>
/// The line network (a CRNN): a strip <see cref="TextStrip.Height"/> pixels high and any width, (N, 1, 32, W) → four
/// convolution stages (16, 32, 64, 96 channels at <see cref="TextNetworkSize.Standard"/>; the first two halve height and
/// width, the last two height only) → one feature vector per <see cref="TextStrip.WidthStride"/> columns (the 4 remaining
/// rows of the last stage's channels, projected to 128 features) → the sequence model over the width → class scores
/// (N, W/4, classes), class 0 the CTC blank. <see cref="TextNetworkSize.Wide"/> has 1.5 times the channels and features.
/// </summary>
/// <remarks>
/// The height is pooled to 4 rows and flattened rather than averaged away, so that the features keep where along
/// the height the ink is (ascenders, descenders, dots). A stride of 4 gives a handwritten character, about half as
/// wide as the strip is high, three to four positions: enough for CTC to put blanks between double letters.
/// About 30 million multiply-adds for a 32×192 word, small enough to train on two CPU cores.
/// </remarks>
internal sealed class TextLineNetwork : Module<Tensor, Tensor>
{
    private const int RowsLeft = 4, Convolution1dLayers = 3, Convolution1dKernel = 5;
    private const double DropoutRate = 0.2;

    private readonly Sequential features;
    private readonly Linear project;
    private readonly LSTM? lstm;
    private readonly Sequential? convolutions;
    private readonly Dropout dropout;
    private readonly Linear output;

    private readonly int lastChannels;

    public TextLineNetwork(TextSequenceModel sequenceModel, TextNetworkSize size, int classCount) : base(nameof(TextLineNetwork))
    {
        SequenceModel = sequenceModel;
        Size = size;
        ClassCount = classCount;
        (int c1, int c2, int c3, int c4, int featureSize) = size switch
        {
            TextNetworkSize.Standard => (16, 32, 64, 96, 128),
            TextNetworkSize.Wide => (24, 48, 96, 144, 192),
            _ => throw new ArgumentOutOfRangeException(nameof(size), size, "Unknown network size."),
        };
        lastChannels = c4;
        features = Sequential(
            ("conv1", Conv2d(1, c1, 3, padding: 1, bias: false)), ("bn1", BatchNorm2d(c1)), ("relu1", ReLU()),
            ("pool1", MaxPool2d(2, 2)),
            ("conv2", Conv2d(c1, c2, 3, padding: 1, bias: false)), ("bn2", BatchNorm2d(c2)), ("relu2", ReLU()),
            ("pool2", MaxPool2d(2, 2)),
            ("conv3", Conv2d(c2, c3, 3, padding: 1, bias: false)), ("bn3", BatchNorm2d(c3)), ("relu3", ReLU()),
            ("pool3", MaxPool2d([2, 1], [2, 1])),
            ("conv4", Conv2d(c3, c4, 3, padding: 1, bias: false)), ("bn4", BatchNorm2d(c4)), ("relu4", ReLU()));
        project = Linear(c4 * RowsLeft, featureSize);
        if (sequenceModel == TextSequenceModel.BiLstm)
        {
            lstm = LSTM(featureSize, featureSize / 2, bidirectional: true, batchFirst: true);
        }
        else
        {
            var layers = new List<(string, Module<Tensor, Tensor>)>();
            for (int i = 0; i < Convolution1dLayers; i++)
            {
                layers.Add(($"conv{i + 1}", Conv1d(featureSize, featureSize, Convolution1dKernel, padding: Convolution1dKernel / 2, bias: false)));
                layers.Add(($"bn{i + 1}", BatchNorm1d(featureSize)));
                layers.Add(($"relu{i + 1}", ReLU()));
            }
            convolutions = Sequential(layers);
        }
        dropout = Dropout(DropoutRate);
        output = Linear(featureSize, classCount);
        RegisterComponents();
    }

    public TextSequenceModel SequenceModel { get; }

    public TextNetworkSize Size { get; }

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
        Tensor map = features.call(images);                      // (N, C, 4, W/4)
        long n = map.shape[0], t = map.shape[3];
        Tensor columns = map.permute(0, 3, 1, 2).reshape(n, t, lastChannels * RowsLeft);
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
