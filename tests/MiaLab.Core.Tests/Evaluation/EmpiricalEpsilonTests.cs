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

    [Fact]
    public void HeldOutBoundChoosesThresholdsOnOneHalfAndCountsOnTheOther()
    {
        // 200 members scored 1, 200 non-members scored 0: on the counting half (100 + 100) the
        // chosen threshold splits perfectly, TP 100, FP 0, so ε ≥ ln(CP(100/100).low / CP(0/100).high)
        // = ln(0.96378 / 0.03622) = 3.2813.
        var scores = Enumerable.Range(0, 400).Select(i => i < 200 ? 1.0 : 0.0).ToArray();
        var member = Enumerable.Range(0, 400).Select(i => i < 200).ToArray();
        var bound = EmpiricalEpsilon.HeldOut(scores, member, seed: 1)!;
        Assert.Equal(100, bound.TruePositives + bound.FalseNegatives);
        Assert.Equal(100, bound.TruePositives);
        Assert.Equal(0, bound.FalsePositives);
        Assert.Equal(Math.Log(0.963783 / 0.036217), bound.Epsilon, 3);
        // Scores unrelated to membership give no evidence.
        var random = new MiaLab.Core.Randomness.StableRandom(2);
        var noise = Enumerable.Range(0, 400).Select(_ => random.NextDouble()).ToArray();
        Assert.True(EmpiricalEpsilon.HeldOut(noise, member, seed: 1)!.Epsilon < 0.3);
    }

    [Fact]
    public void MetricsJsonKeepsTheBound()
    {
        var scores = Enumerable.Range(0, 400).Select(i => i < 200 ? 1.0 + i % 3 : i % 5 * 0.3).ToArray();
        var member = Enumerable.Range(0, 400).Select(i => i < 200).ToArray();
        var m = Evaluator.Evaluate(scores, member, null, new EvaluationOptions(0, 3, false));
        Assert.NotNull(m.EmpiricalEpsilon);
        var back = MetricsJson.FromJson(MetricsJson.ToJson(m));
        Assert.Equal(m.EmpiricalEpsilon, back.EmpiricalEpsilon);
    }
}
