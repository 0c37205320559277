namespace MiaLab.Experiments;

/// <summary>MINT on the audited model with the detector reading one capture point, or all of them
/// together with the confidence view (<see cref="Point"/> = "all"). Null = not measurable.</summary>
/// <param name="Low">The balanced accuracy's normal-approximation 95% interval.</param>
public sealed record MintScore(string Point, double? BalancedAccuracy, double? Auc, double? Low = null, double? High = null);

/// <summary>A one-score attack on the same model and the same MINT-eval samples, thresholded on MINT-train:
/// "max-confidence" (label-free) or "loss".</summary>
public sealed record BaselineScore(string Name, double? BalancedAccuracy, double? Low, double? High, double? Auc);

/// <summary>One row of the factor study: a setting's audited model (model 0 of its run) and what
/// MINT and the attacks find on it. Metrics are null when they could not be measured.</summary>
/// <param name="RunDirectory">The setting's run directory, relative to the study's output folder.</param>
/// <param name="Mint">MINT per capture point in forward order, then "all".</param>
/// <param name="MintRepeated">Times-seen rows: MINT (the default detector) on the used samples of the repeated
/// subset against all unused ones; for ×1 the same-sized seeded subset that was not repeated.</param>
/// <param name="Attack">The strongest attack: the highest TPR at 1% FPR, ties broken by AUC.</param>
/// <param name="TrainSeconds">Training time of all the setting's models (as recorded when they were trained).</param>
/// <param name="AnalysisSeconds">Attacks plus MINT.</param>
public sealed record FactorRow(
    string Factor,
    string Value,
    string Setting,
    string RunDirectory,
    double? TrainAccuracy,
    double? TestAccuracy,
    IReadOnlyList<MintScore> Mint,
    double? MintRepeated,
    string Attack,
    double? AttackAuc,
    double? AttackTprAt1PctFpr,
    double TrainSeconds,
    double AnalysisSeconds)
{
    /// <summary>The max-confidence baseline and the loss attack on MINT's split.</summary>
    public IReadOnlyList<BaselineScore> Baselines { get; init; } = [];

    public BaselineScore? Baseline(string name) => Baselines.FirstOrDefault(b => b.Name == name);

    /// <summary>The name used for MINT with every capture point together (and the confidence view).</summary>
    public const string AllPoints = "all";

    /// <summary>The input of the default detector, the study's headline MINT (mint train's default for a classifier).</summary>
    public const string DefaultPoint = MiaLab.Torch.Mint.ActivationCapture.Confidence;

    public double? MintAll => MintAt(AllPoints);

    public MintScore? Headline => Mint.FirstOrDefault(m => m.Point == DefaultPoint);

    public double? MintDefault => Headline?.BalancedAccuracy;

    public double? MintAt(string point) => Mint.FirstOrDefault(m => m.Point == point)?.BalancedAccuracy;
}
