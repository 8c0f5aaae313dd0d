namespace Hcr.MLNet.Text;

/// <summary>How many channels the line network has at every stage: its capacity, against training time.</summary>
/// <remarks>
/// Reading time is mostly the ink analysis, not the network (docs/reading-text.md), so the choice is about the
/// training run: a wider network learns more hands but takes longer per epoch on a CPU.
/// </remarks>
public enum TextNetworkSize
{
    /// <summary>16, 32, 64 and 96 convolution channels and 128 features per position: the shipped reader's network.</summary>
    Standard,

    /// <summary>One and a half times as many channels and features at every stage (about 2.25 times the work).</summary>
    Wide,
}
