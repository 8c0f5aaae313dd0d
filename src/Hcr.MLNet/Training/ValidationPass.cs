using TorchSharp;
using static TorchSharp.torch;

namespace Hcr.MLNet.Training;

/// <summary>Loss, accuracy and macro accuracy of a network on held-out images, in eval mode, without gradients.</summary>
internal static class ValidationPass
{
    private const int BatchSize = 1024;

    public static (double Loss, double Accuracy, double MacroAccuracy) Run(nn.Module<Tensor, Tensor> network, ImageTensors data)
    {
        network.eval();
        using var noGrad = torch.no_grad();
        double lossSum = 0;
        var correct = new long[data.ClassCount];
        var total = new long[data.ClassCount];
        for (long start = 0; start < data.Count; start += BatchSize)
        {
            using var scope = torch.NewDisposeScope();
            long length = Math.Min(BatchSize, data.Count - start);
            Tensor images = data.Images.narrow(0, start, length);
            Tensor labels = data.Labels.narrow(0, start, length);
            Tensor logits = network.call(images);
            lossSum += nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.Sum).item<float>();
            long[] predicted = logits.argmax(1).cpu().data<long>().ToArray();
            for (int i = 0; i < length; i++)
            {
                long label = data.LabelArray[start + i];
                total[label]++;
                if (predicted[i] == label)
                    correct[label]++;
            }
        }
        int[] present = Enumerable.Range(0, data.ClassCount).Where(c => total[c] > 0).ToArray();
        double macro = present.Average(c => (double)correct[c] / total[c]);
        return (lossSum / data.Count, (double)correct.Sum() / data.Count, macro);
    }
}
