using Google.Protobuf;
using Hcr.MLNet.IO;
using Hcr.MLNet.Onnx.Proto;
using TorchSharp;
using static TorchSharp.torch;

namespace Hcr.MLNet.Text;

/// <summary>The line network scored by TorchSharp in evaluation mode, one call at a time.</summary>
internal sealed class TorchTextScorer(TextLineNetwork network, Device device) : ITorchTextScorer
{
    // TorchSharp modules are not documented as safe for concurrent calls; one network call at a time. Dispose takes the
    // same lock, so it waits for a call under way instead of freeing the weights under it (a native crash), and calls
    // after it throw ObjectDisposedException.
    private readonly Lock _lock = new();
    private bool _disposed;

    public TextSequenceModel SequenceModel => network.SequenceModel;

    public TextNetworkSize NetworkSize => network.Size;

    public float[] Score(float[] pixels, int count, int width)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            network.eval();
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            Tensor images = tensor(pixels, [count, 1, TextStrip.Height, width], device: device);
            return nn.functional.softmax(network.call(images), 2).cpu().data<float>().ToArray();
        }
    }

    /// <summary>Writes the network's weights, between network calls.</summary>
    public void Save(BinaryWriter writer)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            network.save(writer);
        }
    }

    /// <summary>Writes the network as an ONNX model, atomically (<see cref="TextOnnxExport"/>).</summary>
    public void ExportOnnx(string path, TextAlphabet alphabet, int maxWidth)
    {
        // The whole model is built in memory first: an unsupported network fails before any file exists.
        ModelProto model = WithNetwork(n => TextOnnxExport.Export(n, alphabet, maxWidth));
        AtomicFile.Write(path, model.WriteTo);
    }

    /// <summary>Runs <paramref name="use"/> on the network between network calls.</summary>
    public T WithNetwork<T>(Func<TextLineNetwork, T> use)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return use(network);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
                return;
            _disposed = true;
            network.Dispose();
        }
    }
}
