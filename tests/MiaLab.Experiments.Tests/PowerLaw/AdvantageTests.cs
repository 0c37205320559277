using MiaLab.Core.Evaluation;
using MiaLab.Experiments.PowerLaw;

namespace MiaLab.Experiments.Tests.PowerLaw;

public sealed class AdvantageTests
{
    /// 10 members and 10 non-members, in descending order of score:
    /// M M M M M (14…10) · N (9.5) · M (9) · N N N N N N N N N (8…0) · M M M M (−1…−4).
    internal static (double[] Scores, bool[] Members) HandCounted()
    {
        double[] members = [14, 13, 12, 11, 10, 9, -1, -2, -3, -4];
        double[] nonMembers = [9.5, 8, 7, 6, 5, 4, 3, 2, 1, 0];
        return ([.. members, .. nonMembers], [.. members.Select(_ => true), .. nonMembers.Select(_ => false)]);
    }

    [Fact]
    public void TprMinusFprAndItsIntervalFromHandCounts()
    {
        var (scores, members) = HandCounted();
        var roc = Roc.Compute(scores, members);

        // FPR ≤ 10%: the best point admits the one non-member at 9.5 and the member at 9: TPR 6/10, FPR 1/10.
        var a = AdvantageAt.From(roc, 0.1);
        Assert.Equal(0.6, a.Tpr, 12);
        Assert.Equal(0.1, a.Fpr, 12);
        Assert.Equal(0.5, a.Value, 12);
        // Clopper–Pearson 95% for 6 of 10: [Beta⁻¹(0.025; 6, 5), Beta⁻¹(0.975; 7, 4)] = [0.26238, 0.87845], minus the FPR.
        Assert.Equal(0.26238 - 0.1, a.Low, 4);
        Assert.Equal(0.87845 - 0.1, a.High, 4);
        Assert.True(a.Estimable);
        Assert.Equal((10, 10), (a.Members, a.NonMembers));

        // FPR ≤ 1% with 10 non-members: only FPR = 0 is admissible (5 of 10 found) and the level is not estimable.
        var b = AdvantageAt.From(roc, 0.01);
        Assert.Equal(0.5, b.Value, 12);
        Assert.Equal(0.0, b.Fpr);
        Assert.False(b.Estimable);
        // 5 of 10: [0.18709, 0.81291].
        Assert.Equal(0.18709, b.Low, 4);
        Assert.Equal(0.81291, b.High, 4);
    }

    [Fact]
    public void AChanceAttackHasNoAdvantage()
    {
        // Members and non-members with equal scores in every tie group: the ROC is the diagonal.
        var scores = Enumerable.Range(0, 200).Select(i => (double)(i / 2)).ToArray();
        var members = Enumerable.Range(0, 200).Select(i => i % 2 == 0).ToArray();
        var a = AdvantageAt.From(Roc.Compute(scores, members), 0.1);
        Assert.Equal(0.0, a.Value, 12);
        Assert.True(a.Low < 0 && a.High > 0);
    }
}
