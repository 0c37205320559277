namespace MiaLab.Core.Attacks;

/// <summary>What every attack's bookkeeping reads, whatever the models output: M models, N samples,
/// A queries per sample, who trained on what and the holdout split. <see cref="ModelOutputs"/> (logits)
/// and <see cref="ReconstructionOutputs"/> (reconstruction errors) both are one.</summary>
public interface IRunMembership
{
    int Models { get; }
    int Samples { get; }
    int Augmentations { get; }
    bool[][] Keep { get; }
    bool[] Holdout { get; }
}

/// <summary>
/// What every attack reads: the logits of M models on N samples under A query augmentations,
/// the labels, and who trained on what. Loaded from a run directory (labels.npy, keep.npy,
/// logits/) or built in memory by tests. Its arrays are not changed once an attack has read them:
/// the signals computed from the logits are kept (<see cref="SignalOf"/>).
/// </summary>
public sealed class ModelOutputs : IRunMembership
{
    /// <param name="logits">Per model, float32 [N, A, C] flattened in C order.</param>
    /// <param name="labels">[N], each in [0, C).</param>
    /// <param name="keep">Per model, [N]: keep[m][i] = sample i was in model m's training set.</param>
    /// <param name="holdout">Optional [N]: samples of the extra split no model trained on. They form
    /// RMIA's population and are never scored as candidates.</param>
    public ModelOutputs(float[][] logits, long[] labels, bool[][] keep, int augmentations, int classes, bool[]? holdout = null)
    {
        Logits = logits; Labels = labels; Keep = keep; Augmentations = augmentations; Classes = classes;
        Holdout = holdout ?? new bool[labels.Length];
        if (logits.Length != keep.Length) throw new InputException($"logits has {logits.Length} models but keep has {keep.Length}");
        foreach (var k in keep)
            if (k.Length != labels.Length) throw new InputException($"keep has {k.Length} samples per model but labels has {labels.Length}");
        foreach (var l in logits)
            if (l.Length != (long)labels.Length * augmentations * classes)
                throw new InputException($"logits have {l.Length} values per model, expected N×A×C = {labels.Length}×{augmentations}×{classes}");
        if (Holdout.Length != labels.Length) throw new InputException($"holdout has {Holdout.Length} samples but labels has {labels.Length}");
    }

    public float[][] Logits { get; }
    public long[] Labels { get; }
    public bool[][] Keep { get; }
    public bool[] Holdout { get; }
    public int Models => Logits.Length;
    public int Samples => Labels.Length;
    public int Augmentations { get; }
    public int Classes { get; }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(Signals.SignalKind, int), double[]> _signals = new();

    /// <summary>A signal of model m's logits for every sample and query ([N × A]), computed once per
    /// ModelOutputs and then shared: attacking every model in turn reads each model's signal once, not
    /// once per target. The array is shared, so callers must not change it.</summary>
    public double[] SignalOf(Signals.SignalKind kind, int m) =>
        _signals.GetOrAdd((kind, m), key => Signals.Signal.Compute(key.Item1, Logits[key.Item2], Labels, Augmentations, Classes, false));

    /// <summary>The C logits of model m for sample i under query a.</summary>
    public ReadOnlySpan<float> LogitsOf(int m, int i, int a) =>
        Logits[m].AsSpan(((i * Augmentations) + a) * Classes, Classes);
}

/// <summary>One attack's scores against one target: higher = more likely member; NaN only
/// at the indices listed in Unscored (holdout samples, or too few references).</summary>
public sealed record AttackResult(string Name, double[] Scores, int[] Unscored, IReadOnlyDictionary<string, double> Extras);
