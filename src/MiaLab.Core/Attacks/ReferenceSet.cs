namespace MiaLab.Core.Attacks;

/// <summary>
/// The reference models of one attack call: distinct models other than the target, and which of
/// them serve as references for each sample. Either every model for every sample, or (the
/// out-k policy) per sample the first k of them that did not train on it and the first k that
/// did, in model order, so each sample has exactly k OUT references.
/// </summary>
public sealed class ReferenceSet
{
    private ReferenceSet(int[] models, bool[][]? uses, int? perSample)
    {
        Models = models;
        Uses = uses;
        PerSample = perSample;
    }

    /// <summary>The models, in the order the attacks read them.</summary>
    public IReadOnlyList<int> Models { get; }

    /// <summary>Uses[k][i]: model Models[k] is a reference for sample i; null = every model for every sample.</summary>
    public bool[][]? Uses { get; }

    /// <summary>k of the out-k policy; null when every model serves every sample.</summary>
    public int? PerSample { get; }

    public int Count => Models.Count;

    /// <summary>Every model for every sample (no check here: the attacks check the list).</summary>
    public static ReferenceSet All(IReadOnlyList<int> models) => new([.. models], null, null);

    /// <summary>For each sample, the first k models of <paramref name="pool"/> that did not train
    /// on it and the first k that did. A sample with fewer than k OUT models in the pool is an
    /// <see cref="InputException"/> (a sample with fewer IN models keeps the ones it has).</summary>
    public static ReferenceSet OutK(IRunMembership o, IReadOnlyList<int> pool, int k, string what)
    {
        if (k < 1) throw new InputException($"out-k references: k must be at least 1 (got {k})");
        int[] models = [.. pool];
        var uses = new bool[models.Length][];
        for (int m = 0; m < models.Length; m++) uses[m] = new bool[o.Samples];
        for (int i = 0; i < o.Samples; i++)
        {
            int outs = 0, ins = 0;
            for (int m = 0; m < models.Length; m++)
            {
                bool member = o.Keep[models[m]][i];
                if (member && ins < k) { uses[m][i] = true; ins++; }
                else if (!member && outs < k) { uses[m][i] = true; outs++; }
            }
            if (outs < k)
                throw new InputException($"{k} OUT references per sample asked, but sample {i} has only {outs} OUT model(s) among {what}");
        }
        return new ReferenceSet(models, uses, k);
    }

    /// <summary>Whether Models[k] serves sample i.</summary>
    public bool Serves(int k, int i) => Uses is null || Uses[k][i];

    /// <summary>The references of attacking Models[0] with the others, by the same rule (for a
    /// tuning attack such as RMIA's a = auto); the pseudo-target's complementary mate is left out
    /// of an out-k selection, as the policy leaves out the target's.</summary>
    public ReferenceSet WithoutFirst(IRunMembership o)
    {
        var rest = Models.Skip(1).ToList();
        if (PerSample is not int k) return All(rest);
        int? mate = ComplementaryMate(o, Models[0]);
        if (mate is int m) rest.Remove(m);
        return OutK(o, rest, k, $"the references of the tuning attack on model {Models[0]}");
    }

    /// <summary>The model that trained on exactly the population samples <paramref name="model"/>
    /// left out (the complementary-pairs plan's mate), or null when there is none.</summary>
    public static int? ComplementaryMate(IRunMembership o, int model)
    {
        for (int m = 0; m < o.Models; m++)
        {
            if (m == model) continue;
            bool complement = true;
            for (int i = 0; i < o.Samples && complement; i++)
                if (!o.Holdout[i] && o.Keep[m][i] == o.Keep[model][i]) complement = false;
            if (complement) return m;
        }
        return null;
    }
}
