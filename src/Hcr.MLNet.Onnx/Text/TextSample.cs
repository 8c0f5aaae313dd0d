namespace Hcr.MLNet.Text;

/// <summary>A normalised strip and its label classes, ready for a batch.</summary>
internal sealed record TextSample(NormalizedLine Line, int[] Labels, string Text);
