namespace Hcr.MLNet;

/// <summary>How the network's per-position probabilities become text.</summary>
public enum TextDecoding
{
    /// <summary>The best class at each position, repeats merged and blanks dropped: fastest.</summary>
    Greedy,

    /// <summary>Prefix beam search: the text whose alignments together are most probable.</summary>
    BeamSearch,
}
