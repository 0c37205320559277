namespace MiaLab.Core.Attacks;

/// <summary>
/// Every attack parameter, declared once: the registry's entries say which ones they read and
/// with which default. Groups are the config's sections under attacks.parameters.
/// </summary>
public static class AttackParameters
{
    public static readonly AttackParameter EvalSplit = new("metric", "eval_split", ParameterKind.Number,
        "Share of the target's samples (per membership) on which the thresholds are chosen; the rest measure their accuracy.",
        Min: 0, Max: 1, MinExclusive: true, MaxExclusive: true);

    public static readonly AttackParameter ShadowClassifier = new("shadow", "classifier", ParameterKind.Choice,
        "The classifier trained on the reference models' IN and OUT outputs.", Choices: ["logistic", "mlp"]);

    public static readonly AttackParameter ShadowPerClass = new("shadow", "per_class", ParameterKind.Flag,
        "One classifier per class instead of one for all.");

    public static readonly AttackParameter LiraVariance = new("lira", "variance", ParameterKind.Choice,
        $"Per-sample deviations, one global deviation, or auto: global below {Lira.AutoGlobalBelow} references, per-sample from there.",
        Choices: ["per-sample", "global", "auto"]);

    public static readonly AttackParameter LiraOfflineTest = new("lira", "offline_test", ParameterKind.Choice,
        "Offline score (and online's fallback): one-sided log Φ((φ−μ_out)/σ_out) as the paper, or two-sided −log N as its code.",
        Choices: ["one-sided", "two-sided"]);

    public static readonly AttackParameter LiraSignal = new("lira", "signal", ParameterKind.Choice,
        "The per-model statistic the Gaussians are fitted to (oriented so that higher = member).",
        Choices: ["stable-logit", "hinge", "confidence", "loss"]);

    public static readonly AttackParameter RmiaGamma = new("rmia", "gamma", ParameterKind.Number,
        "A population sample z counts against x when Pr(x|θ)/Pr(x) > γ · Pr(z|θ)/Pr(z).", Min: 0, MinExclusive: true);

    public static readonly AttackParameter RmiaOfflineA = new("rmia", "offline_a", ParameterKind.NumberOrAuto,
        "Offline Pr(x) = ½((1+a)·mean over OUT references + (1−a)); auto picks a on the grid 0, 0.1, …, 1 by attacking one reference with the others.",
        Min: 0, Max: 1);

    public static readonly AttackParameter RmiaTemperature = new("rmia", "temperature", ParameterKind.Number,
        "Pr(x|θ) = softmax(logits / T) of the true class.", Min: 0, MinExclusive: true);

    public static readonly AttackParameter RmiaTrimmedMean = new("rmia", "trimmed_mean", ParameterKind.Flag,
        "Average each group of references with 20% cut from each side.");

    public static readonly AttackParameter ReconTau = new("recon", "tau", ParameterKind.NumberOrAuto,
        "RMIA on an image-to-image run: Pr(x|θ) = exp(−L_rec/τ); auto = the reference models' median identity L_rec over the non-holdout samples.",
        Min: 0, MinExclusive: true);
}
