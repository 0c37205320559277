using MiaLab.Core.Evaluation;

namespace MiaLab.Core.Tests.Evaluation;

public class EmpiricalEpsilonTests
{
    [Fact]
    public void BoundFromCounts()
    {
        // TP 90, FN 10, FP 10, TN 90: TPR_low = CP(90/100).low = 0.82378, FPR_high = CP(10/100).high
        // = 1 − 0.82378 = 0.17622 (symmetry), so ε ≥ ln(0.82378 / 0.17622) = 1.54215; the
        // TNR/FNR form gives the same number.
        Assert.Equal(1.54215, EmpiricalEpsilon.AtCounts(90, 10, 10, 90), 4);
        // TP 50, FN 50, FP 5, TN 95: ln(CP(50/100).low / CP(5/100).high) = ln(0.39832 / 0.11283) = 1.26133;
        // the other form ln(CP(95/100).low / CP(50/100).high) = ln(0.88717 / 0.60168) = 0.38831. Max 1.26133.
        Assert.Equal(1.26133, EmpiricalEpsilon.AtCounts(50, 50, 5, 95), 4);
        // A useless threshold (rates equal) gives no evidence: floored at 0.
        Assert.Equal(0.0, EmpiricalEpsilon.AtCounts(50, 50, 50, 50));
        Assert.Equal(0.0, EmpiricalEpsilon.AtCounts(0, 10, 0, 10));
    }

    [Fact]
    public void ComputeTakesTheBestThreshold()
    {
        // 100 members scored 1 (90 of them) or 0 (10), 100 non-members scored 1 (10) or 0 (90).
        var s = new double[200];
        var y = new bool[200];
        for (int i = 0; i < 200; i++)
        {
            y[i] = i < 100;
            s[i] = (i < 90 || (i >= 100 && i < 110)) ? 1 : 0;
        }
        // Threshold 1 → (TP 90, FN 10, FP 10, TN 90) → 1.54215; threshold 0 → everything member → 0.
        var b = EmpiricalEpsilon.Compute(s, y, [0.0, 1.0]);
        Assert.Equal(1.0, b.Threshold);
        Assert.Equal((90, 10, 10, 90), (b.TruePositives, b.FalseNegatives, b.FalsePositives, b.TrueNegatives));
        Assert.Equal(1.54215, b.Epsilon, 4);
    }

    [Fact]
    public void ThresholdsChosenOnHeldOutData()
    {
        // Members {3, 2, 2}, non-members {2, 1}: points (0,1/3)@3, (1/2,1)@2, (1,1)@1. Every α ≤ 0.1
        // admits only (0,1/3) → threshold 3; the ε-maximising point is among 3 and 2.
        var t = EmpiricalEpsilon.ChooseThresholds([3, 2, 2, 2, 1], [true, true, true, false, false]);
        Assert.Contains(3.0, t);
        Assert.True(t.Length <= 2);
        Assert.DoesNotContain(double.PositiveInfinity, t);
    }
}
