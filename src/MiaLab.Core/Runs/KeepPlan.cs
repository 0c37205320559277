using MiaLab.Core.Randomness;

namespace MiaLab.Core.Runs;

/// <summary>
/// Who trains on what: keep[m][i] = sample i is in model m's training set, so that each sample is
/// IN for about half of the models — the split LiRA-style attacks need for IN and OUT reference
/// models. Fully determined by (models, samples, scheme, seed).
/// </summary>
public static class KeepPlan
{
    public const string RandomHalves = "random-halves";
    public const string ComplementaryPairs = "complementary-pairs";
    public const string Balanced = "balanced";
    public const string Bernoulli = "bernoulli";

    /// <summary>
    /// random-halves: model m trains on a seeded uniformly random ⌊N/2⌋-subset (so a sample is IN
    /// for a Binomial number of models: with 16 models some samples have 2 or fewer IN references).
    /// complementary-pairs: model 2i on a seeded random ⌊N/2⌋-subset, model 2i+1 on exactly its
    /// complement; with an odd number of models the last one is a random half.
    /// balanced (the split of the LiRA paper's code): each sample is IN for exactly ⌊M/2⌋ models
    /// chosen at random (a random permutation of the models per sample; with an odd M, ⌊M/2⌋ or
    /// ⌈M/2⌉ with equal chance), so every sample has as many IN as OUT references; the models'
    /// training-set sizes then vary around N/2.
    /// bernoulli (the fine-tuning power-law study's): every (model, sample) pair is IN with
    /// probability ½, independently, so both the training-set sizes and the IN counts are
    /// Binomial; a model's row is drawn again, from the same stream, in the rare case it keeps no
    /// sample at all (probability 2^−N), since no model can train on nothing.
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
            case Balanced:
                {
                    for (int m = 0; m < models; m++) keep[m] = new bool[samples];
                    var random = StableRandom.For(seed, "keep-balanced", 0);
                    var order = new int[models];
                    for (int i = 0; i < samples; i++)
                    {
                        for (int m = 0; m < models; m++) order[m] = m;
                        random.Shuffle(order.AsSpan());
                        int inCount = models / 2 + (models % 2 == 1 ? random.Next(2) : 0);
                        for (int k = 0; k < inCount; k++) keep[order[k]][i] = true;
                    }
                    break;
                }
            case Bernoulli:
                for (int m = 0; m < models; m++)
                {
                    var random = StableRandom.For(seed, "keep-bernoulli", m);
                    do keep[m] = HalfChance(random, samples);
                    while (Array.IndexOf(keep[m], true) < 0);
                }
                break;
            default:
                throw new InputException($"plan.scheme must be one of {RandomHalves}, {ComplementaryPairs}, {Balanced}, {Bernoulli} (got '{scheme}')");
        }
        return keep;
    }

    /// <summary>Each of <paramref name="samples"/> flags true with probability ½ (one random bit each).</summary>
    private static bool[] HalfChance(StableRandom random, int samples)
    {
        var row = new bool[samples];
        for (int i = 0; i < samples; i++) row[i] = (random.NextUInt64() >> 63) == 1;
        return row;
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
