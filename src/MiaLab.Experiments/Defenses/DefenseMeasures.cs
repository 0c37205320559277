namespace MiaLab.Experiments.Defenses;

/// <summary>One attack on one setting's target: AUC with its bootstrap interval, TPR at 1% and 0.1% FPR
/// with Clopper–Pearson intervals, and the empirical ε lower bound (held-out thresholds).</summary>
public sealed record DefenseAttack(string Attack, double? Auc, double? AucLow, double? AucHigh,
    double? Tpr1, double? Tpr1Low, double? Tpr1High, double? Tpr01, double? Tpr01Low, double? Tpr01High, double? EmpiricalEpsilon);

/// <summary>What the defense study measured on one setting.</summary>
public sealed record DefenseMeasures(
    double? TrainAccuracy,
    double? TestAccuracy,
    IReadOnlyList<DefenseAttack> Attacks,
    string Strongest,
    double? AccountantEpsilon,
    double? NoiseMultiplier,
    double TrainSeconds)
{
    public DefenseAttack? Of(string attack) => Attacks.FirstOrDefault(a => a.Attack == attack);
    public DefenseAttack? StrongestAttack => Of(Strongest);
    public double? MaxEmpiricalEpsilon => Attacks.Select(a => a.EmpiricalEpsilon).Where(e => e is not null).Max();
}
