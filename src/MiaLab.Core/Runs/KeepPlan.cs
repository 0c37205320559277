using MiaLab.Core.Randomness;

namespace MiaLab.Core.Runs;

/// <summary>
/// Who trains on what: keep[m][i] = sample i is in model m's training set. Every model trains
/// on exactly ⌊N/2⌋ samples (the complement of a pair on ⌈N/2⌉), so each sample is IN for about
/// half of the models — the split LiRA-style attacks need for IN and OUT reference models.
/// Fully determined by (models, samples, scheme, seed).
/// </summary>
public static class KeepPlan
{
    public const string RandomHalves = "random-halves";
    public const string ComplementaryPairs = "complementary-pairs";

    /// <summary>
    /// random-halves: model m trains on a seeded uniformly random ⌊N/2⌋-subset.
    /// complementary-pairs: model 2i on a seeded random ⌊N/2⌋-subset, model 2i+1 on exactly its
    /// complement; with an odd number of models the last one is a random half.
    /// </summary>
    public static bool[][] Create(int models, int samples, string scheme, int seed)
    {
        if (models < 1) throw new InputException($"plan.models must be at least 1 (got {models})");
        if (samples < 2) throw new InputException($"the population must have at least 2 samples to split into halves (got {samples})");
        var keep = new bool[models][];
        int half = samples / 2;
        switch (scheme)
        {
            case RandomHalves:
                for (int m = 0; m < models; m++)
                    keep[m] = StableRandom.For(seed, "keep", m).Subset(samples, half);
                break;
            case ComplementaryPairs:
                for (int m = 0; m < models; m++)
                {
                    if (m % 2 == 1)
                    {
                        var mate = keep[m - 1];
                        keep[m] = new bool[samples];
                        for (int i = 0; i < samples; i++) keep[m][i] = !mate[i];
                    }
                    else
                    {
                        keep[m] = StableRandom.For(seed, "keep-pair", m / 2).Subset(samples, half);
                    }
                }
                break;
            default:
                throw new InputException($"plan.scheme must be one of {RandomHalves}, {ComplementaryPairs} (got '{scheme}')");
        }
        return keep;
    }

    /// <summary>Appends <paramref name="holdout"/> samples that no model trains on to every row
    /// (the run directory's layout: population first, then the extra split).</summary>
    public static bool[][] WithHoldout(bool[][] keep, int holdout)
    {
        ArgumentNullException.ThrowIfNull(keep);
        ArgumentOutOfRangeException.ThrowIfNegative(holdout);
        var result = new bool[keep.Length][];
        for (int m = 0; m < keep.Length; m++)
        {
            result[m] = new bool[keep[m].Length + holdout];
            Array.Copy(keep[m], result[m], keep[m].Length);
        }
        return result;
    }

    /// <summary>The holdout mask of a run with <paramref name="population"/> samples followed by
    /// <paramref name="holdout"/> extra ones; null when there is no extra split.</summary>
    public static bool[]? HoldoutMask(int population, int holdout)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(population);
        ArgumentOutOfRangeException.ThrowIfNegative(holdout);
        if (holdout == 0) return null;
        var mask = new bool[population + holdout];
        for (int i = population; i < mask.Length; i++) mask[i] = true;
        return mask;
    }
}
