using Hcr.MLNet.Scoring;
using TorchSharp;
using static TorchSharp.torch;

namespace Hcr.MLNet.Training;

/// <summary>
/// Loss, accuracy and macro accuracy of a network on held-out images, in eval mode, without gradients,
/// scored as the fitted transformer scores (class probabilities averaged over the test-time views).
/// </summary>
internal static class ValidationPass
{
    private const int BatchSize = 1024;

    public static (double Loss, double Accuracy, double MacroAccuracy) Run(nn.Module<Tensor, Tensor> network, ImageTensors data, TestTimeViews views)
    {
        network.eval();
        using var noGrad = torch.no_grad();
        double lossSum = 0;
        var correct = new long[data.ClassCount];
        var total = new long[data.ClassCount];
        // Held through every call that reads it, not a temporary conversion per call (see OptimizerStep).
        using Scalar smallest = 1e-15.ToScalar();
        for (long start = 0; start < data.Count; start += BatchSize)
        {
            using var scope = torch.NewDisposeScope();
            long length = Math.Min(BatchSize, data.Count - start);
            Tensor images = data.Images.narrow(0, start, length);
            Tensor labels = data.Labels.narrow(0, start, length);
            Tensor probabilities = views.Probabilities(network, images);
            // The log-loss of the probabilities the transformer reports (ML.NET's evaluator computes the same).
            lossSum += -probabilities.gather(1, labels.unsqueeze(1)).clamp_min(smallest).log().sum().item<float>();
            long[] predicted = probabilities.argmax(1).cpu().data<long>().ToArray();
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
