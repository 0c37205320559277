using MathNet.Numerics.Distributions;

namespace MiaLab.Core.Evaluation;

/// <summary>The exact (Clopper–Pearson) binomial confidence interval, from Beta quantiles.</summary>
public static class ClopperPearson
{
    /// <summary>Interval for a proportion of <paramref name="successes"/> out of <paramref name="trials"/>.
    /// 0 successes gives a lower bound of 0, all successes an upper bound of 1; 0 trials gives [0, 1].</summary>
    public static Interval Compute(int successes, int trials, double confidence = 0.95)
    {
        if (trials < 0) throw new InputException($"Clopper–Pearson needs trials ≥ 0, got {trials}");
        if (successes < 0 || successes > trials)
            throw new InputException($"Clopper–Pearson needs 0 ≤ successes ≤ trials, got {successes} of {trials}");
        if (!(confidence > 0 && confidence < 1))
            throw new InputException($"confidence must be in (0, 1), got {confidence}");
        if (trials == 0) return new Interval(0.0, 1.0);
        double tail = (1.0 - confidence) / 2.0;
        double low = successes == 0 ? 0.0 : Beta.InvCDF(successes, trials - successes + 1, tail);
        double high = successes == trials ? 1.0 : Beta.InvCDF(successes + 1, trials - successes, 1.0 - tail);
        return new Interval(low, high);
    }
}
