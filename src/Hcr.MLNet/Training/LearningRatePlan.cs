namespace Hcr.MLNet.Training;

/// <summary>The learning rate at each optimizer step.</summary>
internal static class LearningRatePlan
{
    private const double OneCycleWarmupFraction = 0.25, OneCycleStartDivisor = 25, OneCycleFinalDivisor = 10_000;
    private const double CosineWarmupFraction = 0.02;

    public static double At(LearningRateSchedule schedule, double peak, long step, long totalSteps)
    {
        double t = totalSteps <= 1 ? 1 : Math.Clamp((double)step / (totalSteps - 1), 0, 1);
        switch (schedule)
        {
            case LearningRateSchedule.Constant:
                return peak;
            case LearningRateSchedule.Cosine:
                if (t < CosineWarmupFraction)
                    return peak * (step + 1) / Math.Max(1, CosineWarmupFraction * totalSteps);
                return peak * 0.5 * (1 + Math.Cos(Math.PI * (t - CosineWarmupFraction) / (1 - CosineWarmupFraction)));
            case LearningRateSchedule.OneCycle:
                double start = peak / OneCycleStartDivisor, end = peak / OneCycleFinalDivisor;
                if (t < OneCycleWarmupFraction)
                    return Anneal(start, peak, t / OneCycleWarmupFraction);
                return Anneal(peak, end, (t - OneCycleWarmupFraction) / (1 - OneCycleWarmupFraction));
            default:
                throw new ArgumentOutOfRangeException(nameof(schedule), schedule, "Unknown learning-rate schedule.");
        }
    }

    /// <summary>Cosine interpolation from <paramref name="from"/> (u = 0) to <paramref name="to"/> (u = 1).</summary>
    private static double Anneal(double from, double to, double u) => to + (from - to) * 0.5 * (1 + Math.Cos(Math.PI * u));
}
