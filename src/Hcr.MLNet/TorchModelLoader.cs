using Hcr.MLNet.IO;
using Hcr.MLNet.Native;
using Hcr.MLNet.Scoring;
using Hcr.MLNet.Text;
using Hcr.MLNet.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Hcr.MLNet;

/// <summary>
/// The training assembly's side of the core's <see cref="HandwritingRecognizer.Load"/> and <see cref="HandwritingTextReader.Load"/>:
/// the TorchSharp networks of <c>.hcr</c> and <c>.hcrtext</c> files. The core finds it by name
/// (<see cref="TorchModels.LoaderTypeName"/>) and creates it with its parameterless constructor.
/// </summary>
internal sealed class TorchModelLoader : ITorchCnnLoader, ITorchTextLoader
{
    public ITorchCnn LoadCnn(MemoryStream network, ComputeDevice device, string source) =>
        HandwritingCnnTransformer.Load(network, device, source);

    public ITorchTextScorer LoadTextNetwork(MemoryStream weights, TextSequenceModel sequenceModel, TextNetworkSize size, int classCount, ComputeDevice device, string source)
    {
        Device target = TorchRuntime.ResolveDevice(device);
        var network = new TextLineNetwork(sequenceModel, size, classCount);
        try
        {
            using (var reader = new BinaryReader(weights, System.Text.Encoding.UTF8, leaveOpen: true))
                StateDictFormat.Load(reader, network, source, "network");
            network.to(target);
            network.eval();
            return new TorchTextScorer(network, target);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }
}
