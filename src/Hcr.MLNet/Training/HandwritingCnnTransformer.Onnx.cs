using Hcr.MLNet.Export;
using Hcr.MLNet.IO;
using Hcr.MLNet.Onnx;
using Hcr.MLNet.Onnx.Proto;
using Hcr.MLNet.Scoring;
using Google.Protobuf;

namespace Hcr.MLNet.Training;

public sealed partial class HandwritingCnnTransformer
{
    /// <summary>
    /// Writes the network as an ONNX model (IR 8, opset 17) that <see cref="OnnxCnnModel"/> (or any
    /// ONNX runtime) scores without TorchSharp or libtorch. Input <c>pixels</c>: float
    /// <c>[batch, 1, 28, 28]</c> in 0..1; outputs <c>probabilities</c> (float <c>[batch, classes]</c>,
    /// softmax, averaged over the <see cref="TestTimeRotations"/> views as here) and <c>predicted_class</c>
    /// (int64 <c>[batch]</c>). Batch norm is folded into the layer
    /// before it and dropout is removed, so the graph computes what the network computes in eval mode.
    /// The model's metadata holds the classes, the architecture and Hcr.MLNet's format version (keys in
    /// <see cref="OnnxMetadataKeys"/>), then <paramref name="metadata"/>, then a checksum of the whole.
    /// The file is written atomically: on any error nothing is left under <paramref name="path"/>.
    /// </summary>
    /// <param name="path">The .onnx file to write (replaced if it exists).</param>
    /// <param name="metadata">Extra key/value pairs to store (for example preprocessing settings); the keys in <see cref="OnnxMetadataKeys.Reserved"/> are not allowed.</param>
    /// <exception cref="NotSupportedException">The network has a layer the exporter cannot translate; the message names the layer and its type.</exception>
    /// <exception cref="ArgumentException"><paramref name="metadata"/> uses a reserved or empty key.</exception>
    public void ExportOnnx(string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        // The whole model is built in memory first: an unsupported layer fails before any file exists.
        ModelProto model = BuildOnnx(metadata);
        AtomicFile.Write(path, model.WriteTo);
    }

    /// <summary>Writes the ONNX model (see <see cref="ExportOnnx(string, IReadOnlyDictionary{string, string}?)"/>) to <paramref name="stream"/>; nothing is written if the export fails.</summary>
    /// <exception cref="NotSupportedException">The network has a layer the exporter cannot translate.</exception>
    /// <exception cref="ArgumentException"><paramref name="metadata"/> uses a reserved or empty key.</exception>
    public void ExportOnnx(Stream stream, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        BuildOnnx(metadata).WriteTo(stream);
    }

    private ModelProto BuildOnnx(IReadOnlyDictionary<string, string>? metadata)
    {
        using UsageGate.Lease lease = _gate.Enter(this);
        return OnnxExporter.Export(_network, _classNames, Architecture.Name, Architecture.Description, PixelsColumnName, TestTimeRotations, metadata);
    }
}
