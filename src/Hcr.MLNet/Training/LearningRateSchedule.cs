namespace Hcr.MLNet.Training;

/// <summary>How the learning rate changes over the run, step by step.</summary>
public enum LearningRateSchedule
{
    /// <summary>The learning rate stays at its set value.</summary>
    Constant,

    /// <summary>A short linear warm-up (2% of the steps), then cosine decay to zero.</summary>
    Cosine,

    /// <summary>One-cycle (Smith): warm up from 1/25 of the rate to the rate over the first 25% of the steps, then cosine down to 1/10,000 of it.</summary>
    OneCycle,
}
