using MiaLab.Core.Evaluation;

namespace MiaLab.Experiments.PowerLaw;

/// <summary>
/// The vulnerability at one FPR level α: TPR − FPR at the ROC point that TPR at FPR ≤ α reads (the
/// highest TPR among points with FPR ≤ α, <see cref="Roc.TprAt"/>), i.e. the attacker's advantage at
/// that operating point. The interval is the 95% Clopper–Pearson interval of the TPR (members found
/// of members) minus the point's FPR, which the threshold fixes. Not estimable when the non-members
/// are fewer than 1/α (then the only admissible point is FPR = 0).
/// </summary>
public sealed record AdvantageAt(double Alpha, double Value, double Low, double High, double Tpr, double Fpr,
    int Members, int NonMembers, bool Estimable)
{
    public static AdvantageAt From(RocCurve roc, double alpha)
    {
        var t = Roc.TprAt(roc, alpha);
        return new AdvantageAt(alpha, t.Tpr - t.AchievedFpr, t.Ci.Low - t.AchievedFpr, t.Ci.High - t.AchievedFpr,
            t.Tpr, t.AchievedFpr, roc.Members, roc.NonMembers, t.Estimable);
    }
}
