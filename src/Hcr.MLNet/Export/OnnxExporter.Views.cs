using System.Globalization;
using Google.Protobuf;
using Hcr.MLNet.DataViews;
using Hcr.MLNet.Onnx.Proto;
using Hcr.MLNet.Onnx;
using Hcr.MLNet.Scoring;

namespace Hcr.MLNet.Export;

internal sealed partial class OnnxExporter
{
    /// <summary>
    /// The batch the network runs on: the input itself when there are no test-time rotations, else the
    /// input followed by each rotated view of it ([views × batch, 1, 28, 28]). Each view is the
    /// <see cref="RotatedView"/> table TorchSharp scoring applies: per corner a Gather of input pixels
    /// times its weights, the four corners summed.
    /// </summary>
    private Value EmitViews(Value input, IReadOnlyList<double> rotations)
    {
        if (rotations.Count == 0)
            return input;
        string flatShape = Int64Initializer("test_time.flat_shape", [-1, CharacterTile.PixelCount], [2]);
        string imageShape = Int64Initializer("test_time.image_shape", [-1, 1, CharacterTile.Side, CharacterTile.Side], [4]);
        string flat = Add("Reshape", "test_time.flat", [input.Name, flatShape]);
        var batch = new List<string> { input.Name };
        foreach (double degrees in rotations)
        {
            RotatedView view = RotatedView.Create(degrees);
            string path = $"test_time.rotate_{degrees.ToString("R", CultureInfo.InvariantCulture)}";
            var corners = new List<string>();
            for (int k = 0; k < RotatedView.Corners; k++)
            {
                string sources = Int64Initializer($"{path}.sources{k}", view.Sources[k], [CharacterTile.PixelCount]);
                string weights = Initializer($"{path}.weights{k}", view.Weights[k], [CharacterTile.PixelCount]);
                string gathered = Unique($"{path}.gather{k}");
                _graph.Node.Add(Node("Gather", gathered, [flat, sources], [gathered], Int("axis", 1)));
                corners.Add(Add("Mul", $"{path}.weigh{k}", [gathered, weights]));
            }
            string sum = Add("Sum", $"{path}.sum", corners);
            batch.Add(Add("Reshape", path, [sum, imageShape]));
        }
        string views = Unique("test_time.views");
        _graph.Node.Add(Node("Concat", views, batch, [views], Int("axis", 0)));
        return input with { Name = views };
    }

    /// <summary>Averages the per-view probabilities ([views × batch, classes], views in blocks) into the graph's probabilities output.</summary>
    private void EmitViewAverage(string viewProbabilities, int views, int classCount)
    {
        string shape = Int64Initializer("test_time.view_shape", [views, -1, classCount], [3]);
        string stacked = Add("Reshape", "test_time.by_view", [viewProbabilities, shape]);
        // Opset 17: ReduceMean takes its axes as an attribute.
        _graph.Node.Add(Node("ReduceMean", OnnxFormat.ProbabilitiesName, [stacked], [OnnxFormat.ProbabilitiesName], Ints("axes", [0]), Int("keepdims", 0)));
    }

    private string Int64Initializer(string name, long[] values, long[] dims)
    {
        name = Unique(name);
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.AddRange(dims);
        tensor.Int64Data.AddRange(values);
        _graph.Initializer.Add(tensor);
        return name;
    }
}
