using Hcr.MLNet.Native;

namespace Hcr.MLNet.Text;

/// <summary>
/// A line network that TorchSharp runs (in the training assembly): what the core's <see cref="HandwritingTextReader"/>
/// does with it beyond scoring, without naming a TorchSharp type.
/// </summary>
internal interface ITorchTextScorer : ITextScorer
{
    /// <summary>The network's size (a text reader file's manifest records it, to rebuild the network when loading).</summary>
    TextNetworkSize NetworkSize { get; }

    /// <summary>Writes the network's weights (a text reader file's network entry), between network calls.</summary>
    void Save(BinaryWriter writer);

    /// <summary>Writes the network as an ONNX model reading <paramref name="alphabet"/> on strips up to <paramref name="maxWidth"/> wide, atomically.</summary>
    void ExportOnnx(string path, TextAlphabet alphabet, int maxWidth);
}

/// <summary>The training assembly's reader of a text reader file's network entry (found through <see cref="TorchModels"/>).</summary>
internal interface ITorchTextLoader
{
    /// <summary>The line network whose weights are in <paramref name="weights"/>, on <paramref name="device"/>; <paramref name="source"/> names it in errors.</summary>
    ITorchTextScorer LoadTextNetwork(MemoryStream weights, TextSequenceModel sequenceModel, TextNetworkSize size, int classCount, ComputeDevice device, string source);
}
