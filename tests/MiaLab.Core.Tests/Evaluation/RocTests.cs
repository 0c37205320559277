using MiaLab.Core.Randomness;
using MiaLab.Core.Evaluation;

namespace MiaLab.Core.Tests.Evaluation;

public class RocTests
{
    // The worked example: members {3, 2, 2}, non-members {2, 1}.
    private static readonly double[] Scores = [3, 2, 2, 2, 1];
    private static readonly bool[] IsMember = [true, true, true, false, false];

    [Fact]
    public void PointsOfTheWorkedExample()
    {
        var roc = Roc.Compute(Scores, IsMember);
        // Sweep the thresholds from the top (member ⇔ score ≥ threshold), 3 members, 2 non-members:
        //   +∞ : nothing predicted member                      → (FPR, TPR) = (0, 0)
        //   3  : {m:3}                TP 1, FP 0               → (0, 1/3)
        //   2  : {m:3, m:2, m:2, n:2} TP 3, FP 1 (ties 1 step) → (1/2, 1)
        //   1  : everything           TP 3, FP 2               → (1, 1)
        Assert.Equal([0, 0, 0.5, 1], roc.Fpr);
        Assert.Equal([0, 1.0 / 3, 1, 1], roc.Tpr);
        Assert.Equal([double.PositiveInfinity, 3, 2, 1], roc.Thresholds);
        Assert.Equal(3, roc.Members);
        Assert.Equal(2, roc.NonMembers);
    }

    [Fact]
    public void AucCountsPairsWithHalfTies()
    {
        // 3 × 2 = 6 (member, non-member) pairs:
        //   member 3 vs {2, 1}: 2 wins                         → 2
        //   member 2 vs {2, 1}: 1 tie (½) + 1 win, twice       → 2 × 1.5 = 3
        // AUC = (2 + 3) / 6 = 5/6.
        Assert.Equal(5.0 / 6, Roc.Auc(Scores, IsMember), 12);
    }

    [Fact]
    public void AucEqualsTheTrapezoidAreaOfTheRoc()
    {
        // Trapezoids between (0,0) (0,1/3) (1/2,1) (1,1):
        //   0·(0 + 1/3)/2 + ½·(1/3 + 1)/2 + ½·(1 + 1)/2 = 0 + 1/3 + 1/2 = 5/6.
        var roc = Roc.Compute(Scores, IsMember);
        Assert.Equal(5.0 / 6, Trapezoid(roc), 12);

        var rng = new StableRandom(7);
        var s = new double[200];
        var y = new bool[200];
        for (int i = 0; i < s.Length; i++)
        {
            y[i] = i % 3 == 0;
            s[i] = rng.Next(10) + (y[i] ? 2 : 0); // integer scores: many ties
        }
        Assert.Equal(Roc.Auc(s, y), Trapezoid(Roc.Compute(s, y)), 12);
    }

    [Fact]
    public void HigherScoreMeansMember()
    {
        // Reversing the scores swaps wins and losses; ties stay ties: AUC → 1 − 5/6 = 1/6.
        double[] reversed = Scores.Select(v => -v).ToArray();
        Assert.Equal(1.0 / 6, Roc.Auc(reversed, IsMember), 12);
        // Members strictly above every non-member: AUC 1.
        Assert.Equal(1.0, Roc.Auc([5, 4, 1, 0], [true, true, false, false]));
    }

    [Fact]
    public void BalancedAccuracyAndAdvantage()
    {
        var roc = Roc.Compute(Scores, IsMember);
        // 1 − (FPR + FNR)/2 at each point: (0,0) → ½, (0,1/3) → 1 − (0 + 2/3)/2 = 2/3,
        // (½,1) → 1 − (½ + 0)/2 = 3/4, (1,1) → ½.  Max 3/4.
        Assert.Equal(0.75, Roc.BalancedAccuracy(roc), 12);
        // TPR − FPR: 0, 1/3, ½, 0.  Max ½.
        Assert.Equal(0.5, Roc.Advantage(roc), 12);
    }

    [Fact]
    public void TprAtFprTakesTheHighestAdmissiblePoint()
    {
        var roc = Roc.Compute(Scores, IsMember);
        // FPR ≤ ½ admits (0,0), (0,1/3), (½,1): TPR 1 at achieved FPR ½.
        var half = Roc.TprAt(roc, 0.5);
        Assert.Equal(1.0, half.Tpr);
        Assert.Equal(0.5, half.AchievedFpr);
        // n_out = 2 ≥ 1/½ = 2: estimable.
        Assert.True(half.Estimable);
        // Clopper–Pearson for 3 of 3: low = 0.025^(1/3) = 0.29240, high 1.
        Assert.Equal(0.29240, half.Ci.Low, 4);
        Assert.Equal(1.0, half.Ci.High);
        Assert.Null(half.BootstrapCi);

        // FPR ≤ ¼ admits only (0,0), (0,1/3): TPR 1/3 at achieved FPR 0; n_out = 2 < 4: not estimable.
        var quarter = Roc.TprAt(roc, 0.25);
        Assert.Equal(1.0 / 3, quarter.Tpr, 12);
        Assert.Equal(0.0, quarter.AchievedFpr);
        Assert.False(quarter.Estimable);
    }

    [Fact]
    public void EstimableNeedsOneOverAlphaNonMembers()
    {
        Assert.False(Roc.IsEstimable(99, 0.01));
        Assert.True(Roc.IsEstimable(100, 0.01));
        // 1/0.001 is 999.9999999999999 in floating point; 1000 still counts.
        Assert.True(Roc.IsEstimable(1000, 0.001));
        Assert.False(Roc.IsEstimable(9999, 0.0001));
        Assert.True(Roc.IsEstimable(10000, 0.0001));

        // Through the ROC: 1 member and 99 / 100 non-members.
        foreach (var (nonMembers, estimable) in new[] { (99, false), (100, true) })
        {
            var s = Enumerable.Range(0, nonMembers + 1).Select(i => (double)i).ToArray();
            var y = s.Select(v => v == nonMembers).ToArray();
            Assert.Equal(estimable, Roc.TprAt(Roc.Compute(s, y), 0.01).Estimable);
        }
    }

    [Fact]
    public void FprOfExactlyAlphaIsAdmissible()
    {
        // 100 non-members scored 0..99, 1 member scored 98.5: at threshold 98.5 TP = 1, FP = 1
        // (the non-member at 99), FPR = 1/100 = 0.01 ≤ α = 0.01, so TPR = 1.
        var s = Enumerable.Range(0, 100).Select(i => (double)i).Append(98.5).ToArray();
        var y = s.Select((_, i) => i == 100).ToArray();
        var t = Roc.TprAt(Roc.Compute(s, y), 0.01);
        Assert.Equal(1.0, t.Tpr);
        Assert.Equal(0.01, t.AchievedFpr, 12);
    }

    [Fact]
    public void MistakesAreInputExceptions()
    {
        Assert.Throws<InputException>(() => Roc.Compute([1, 2], [true]));
        Assert.Throws<InputException>(() => Roc.Compute([1, 2], [false, false]));
        Assert.Throws<InputException>(() => Roc.Compute([1, 2], [true, true]));
        Assert.Throws<InputException>(() => Roc.Auc([1, double.NaN], [true, false]));
        Assert.Throws<InputException>(() => Roc.Auc([1, 2, 3], [true, true]));
    }

    private static double Trapezoid(RocCurve roc)
    {
        double area = 0;
        for (int i = 1; i < roc.Fpr.Length; i++)
            area += (roc.Fpr[i] - roc.Fpr[i - 1]) * (roc.Tpr[i] + roc.Tpr[i - 1]) / 2;
        return area;
    }
}
