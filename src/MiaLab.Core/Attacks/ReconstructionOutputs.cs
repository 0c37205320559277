namespace MiaLab.Core.Attacks;

/// <summary>
/// What the image-to-image attacks read: the reconstruction error L_rec of M models on N samples under
/// A query augmentations (recon/model-XXXX.npy), who trained on what, and each sample's
/// predictability error L_pred (predictability.npy), when it was computed.
/// </summary>
public sealed class ReconstructionOutputs : IRunMembership
{
    /// <param name="errors">Per model, float32 [N, A] flattened: L_rec of sample i under query a at i·A + a.</param>
    /// <param name="predictability">[N] L_pred, or null.</param>
    public ReconstructionOutputs(float[][] errors, bool[][] keep, int augmentations, bool[]? holdout = null, double[]? predictability = null)
    {
        Errors = errors; Keep = keep; Augmentations = augmentations;
        int n = keep.Length > 0 ? keep[0].Length : 0;
        Holdout = holdout ?? new bool[n];
        Predictability = predictability;
        if (errors.Length != keep.Length) throw new InputException($"recon has {errors.Length} models but keep has {keep.Length}");
        if (augmentations < 1) throw new InputException($"need at least 1 query augmentation, got {augmentations}");
        foreach (var k in keep)
            if (k.Length != n) throw new InputException($"keep has models of {k.Length} and {n} samples");
        foreach (var e in errors)
            if (e.Length != (long)n * augmentations)
                throw new InputException($"reconstruction errors have {e.Length} values per model, expected N×A = {n}×{augmentations}");
        if (Holdout.Length != n) throw new InputException($"holdout has {Holdout.Length} samples but keep has {n}");
        if (predictability is not null && predictability.Length != n)
            throw new InputException($"predictability has {predictability.Length} samples but keep has {n}");
    }

    public float[][] Errors { get; }
    public bool[][] Keep { get; }
    public bool[] Holdout { get; }
    public double[]? Predictability { get; }
    public int Models => Errors.Length;
    public int Samples => Holdout.Length;
    public int Augmentations { get; }

    /// <summary>L_rec of model m on sample i under query a.</summary>
    public double Error(int m, int i, int a) => Errors[m][i * Augmentations + a];
}
