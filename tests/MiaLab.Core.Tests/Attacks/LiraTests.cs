using MiaLab.Core.Randomness;
using MiaLab.Core.Attacks;
using MiaLab.Core.Evaluation;

namespace MiaLab.Core.Tests.Attacks;

public class LiraTests
{
    private static double LogN(double x, double mu, double sigma)
    {
        double z = (x - mu) / sigma;
        return (-0.5 * z * z) - Math.Log(sigma) - (0.5 * Math.Log(2 * Math.PI));
    }

    private static double PopulationStd(params double[] v)
    {
        double mean = v.Average();
        return Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / v.Length);
    }

    // Model 0 is the target, models 1–6 the references; A = 1, C = 2, φ exactly representable.
    //  sample 0: IN = refs 1,2,3 (φ 3, 2.5, 4), OUT = refs 4,5,6 (φ −1, 0.5, 0); target φ = 2.
    //  sample 1: IN = ref 1 only (φ 5), OUT = refs 2–6 (φ 0, 1, 2, 3, 4); target φ = 3.5 → online falls back.
    //  sample 2: IN = refs 1–5 (φ 1, 2, 3, 4, 5), OUT = ref 6 only (φ 0) → unscored.
    private static ModelOutputs HandCase(bool[]? holdout = null)
    {
        double[][] phi =
        [
            [2.0, 3.5, 0.0],
            [3.0, 5.0, 1.0],
            [2.5, 0.0, 2.0],
            [4.0, 1.0, 3.0],
            [-1.0, 2.0, 4.0],
            [0.5, 3.0, 5.0],
            [0.0, 4.0, 0.0],
        ];
        bool[][] keep =
        [
            [true, false, true],
            [true, true, true],
            [true, false, true],
            [true, false, true],
            [false, false, true],
            [false, false, true],
            [false, false, false],
        ];
        return AttackTestData.FromStableLogits(phi, keep, 1, holdout);
    }

    private static readonly int[] Refs = [1, 2, 3, 4, 5, 6];

    [Fact]
    public void OnlineScoreIsTheGaussianLikelihoodRatio()
    {
        var r = Lira.Online(HandCase(), 0, Refs, TestAttackOptions.Lira());
        // Sample 0: μ_in = median(3, 2.5, 4) = 3, σ_in = std(3, 2.5, 4); μ_out = median(−1, .5, 0) = 0.
        double expected = LogN(2.0, 3.0, PopulationStd(3, 2.5, 4)) - LogN(2.0, 0.0, PopulationStd(-1, 0.5, 0));
        Assert.Equal(expected, r.Scores[0], 12);
        Assert.Equal("lira-online", r.Name);
    }

    [Fact]
    public void TooFewInFallsBackToOfflineAndTooFewOutIsUnscored()
    {
        var on = Lira.Online(HandCase(), 0, Refs, TestAttackOptions.Lira());
        var off = Lira.Offline(HandCase(), 0, Refs, TestAttackOptions.Lira());
        // Sample 1: OUT φ 0..4 → μ = 2, σ = √2; one-sided log Φ((3.5 − 2)/√2).
        double offline1 = Gaussian.LogCdf(1.5 / Math.Sqrt(2));
        Assert.Equal(offline1, off.Scores[1], 12);
        Assert.Equal(offline1, on.Scores[1], 12);
        Assert.Equal(1.0, on.Extras["fallback_offline"]);
        // Sample 2 has a single OUT reference: NaN and listed, in both modes.
        Assert.True(double.IsNaN(on.Scores[2]));
        Assert.Equal([2], on.Unscored);
        Assert.Equal([2], off.Unscored);
        Assert.Equal(1.0, on.Extras["unscored_few_out"]);
        // Offline sample 0: log Φ((2 − 0)/σ_out).
        Assert.Equal(Gaussian.LogCdf(2.0 / PopulationStd(-1, 0.5, 0)), off.Scores[0], 12);
    }

    [Fact]
    public void TwoSidedOfflineIsMinusTheOutLogDensity()
    {
        var r = Lira.Offline(HandCase(), 0, Refs, TestAttackOptions.Lira(TwoSidedOffline: true));
        Assert.Equal(-LogN(2.0, 0.0, PopulationStd(-1, 0.5, 0)), r.Scores[0], 12);
        Assert.Equal(-LogN(3.5, 2.0, Math.Sqrt(2)), r.Scores[1], 12);
        Assert.Equal("lira-offline-two-sided", r.Name);
    }

    [Fact]
    public void FixedVarianceUsesTheStdOfAllInAndOfAllOutValues()
    {
        var r = Lira.Online(HandCase(), 0, Refs, TestAttackOptions.Lira(LiraVariance.Global));
        // All IN values of the references: sample 0 {3, 2.5, 4}, sample 1 {5}, sample 2 {1, 2, 3, 4, 5};
        // all OUT values: sample 0 {−1, .5, 0}, sample 1 {0, 1, 2, 3, 4}, sample 2 {0}.
        double sIn = PopulationStd(3, 2.5, 4, 5, 1, 2, 3, 4, 5);
        double sOut = PopulationStd(-1, 0.5, 0, 0, 1, 2, 3, 4, 0);
        Assert.Equal(sIn, r.Extras["sigma_in"], 12);
        Assert.Equal(sOut, r.Extras["sigma_out"], 12);
        Assert.Equal(LogN(2.0, 3.0, sIn) - LogN(2.0, 0.0, sOut), r.Scores[0], 12);
        Assert.Equal("lira-online-fixed-var", r.Name);
    }

    [Fact]
    public void HoldoutSamplesAreNeverScored()
    {
        var r = Lira.Online(HandCase([false, true, false]), 0, Refs, TestAttackOptions.Lira());
        Assert.True(double.IsNaN(r.Scores[1]));
        Assert.Equal([1, 2], r.Unscored);
        Assert.Equal(0.0, r.Extras["fallback_offline"]);
    }

    [Fact]
    public void QueriesAreAveraged()
    {
        // Two queries: the references repeat the hand-case values; only the target moves, from φ = 2
        // (query 0) to φ = 3 (query 1). The score is the mean of the two per-query log ratios.
        var one = HandCase();
        double[][] phi = new double[7][];
        for (int m = 0; m < 7; m++)
        {
            phi[m] = new double[6];
            for (int i = 0; i < 3; i++)
            {
                double v = one.Logits[m][(2 * i) + 1];
                phi[m][2 * i] = v;
                phi[m][(2 * i) + 1] = m == 0 ? v + 1 : v; // the target moves up by 1 on query 1
            }
        }
        var two = AttackTestData.FromStableLogits(phi, one.Keep, 2);
        var r = Lira.Online(two, 0, Refs, TestAttackOptions.Lira());
        double sIn = PopulationStd(3, 2.5, 4), sOut = PopulationStd(-1, 0.5, 0);
        double q0 = LogN(2.0, 3.0, sIn) - LogN(2.0, 0.0, sOut);
        double q1 = LogN(3.0, 3.0, sIn) - LogN(3.0, 0.0, sOut);
        Assert.Equal((q0 + q1) / 2, r.Scores[0], 12);
    }

    [Fact]
    public void AucMatchesTheGaussianTheory()
    {
        // Per sample μ_out ~ N(0, 2²), μ_in = μ_out + 2, φ = μ + N(0, 1); 16 references.
        // The best test between N(μ_in, 1) and N(μ_out, 1) has AUC Φ(d/√2) = Φ(√2) ≈ 0.921; estimating
        // μ and σ from ~8 references per side costs a little.
        const int n = 3000, models = 17;
        var rng = new StableRandom(12345);
        var phi = new double[models][];
        var keep = new bool[models][];
        for (int m = 0; m < models; m++) { phi[m] = new double[n]; keep[m] = new bool[n]; }
        for (int i = 0; i < n; i++)
        {
            double muOut = 2 * AttackTestData.Normal(rng);
            for (int m = 0; m < models; m++)
            {
                keep[m][i] = rng.Next(2) == 1;
                phi[m][i] = (keep[m][i] ? muOut + 2 : muOut) + AttackTestData.Normal(rng);
            }
        }
        var o = AttackTestData.FromStableLogits(phi, keep, 1);
        var refs = Enumerable.Range(1, models - 1).ToArray();
        double theory = 0.5 * (1 + MathNet.Numerics.SpecialFunctions.Erf(1.0)); // Φ(√2) = ½(1 + erf(1))

        foreach (var r in new[] { Lira.Online(o, 0, refs, TestAttackOptions.Lira()), Lira.Offline(o, 0, refs, TestAttackOptions.Lira()), Lira.Online(o, 0, refs, TestAttackOptions.Lira(LiraVariance.Global)) })
        {
            var (s, mem) = Scored(r, keep[0]);
            double auc = Roc.Auc(s, mem);
            Assert.InRange(auc, theory - 0.04, theory + 0.02);
        }
    }

    [Fact]
    public void OfflineScoreIncreasesWithTheTargetStatistic()
    {
        double previous = double.NegativeInfinity;
        foreach (double phiT in new[] { -60.0, -5.0, 0.0, 1.0, 3.0, 10.0 })
        {
            var o = HandCase(); // fresh outputs: a ModelOutputs keeps the signals it computed
            o.Logits[0][1] = (float)phiT; // sample 0, target
            double s = Lira.Offline(o, 0, Refs, TestAttackOptions.Lira()).Scores[0];
            Assert.True(double.IsFinite(s) && s > previous);
            previous = s;
        }
    }

    [Fact]
    public void LogCdfIsAccurateAndFiniteInTheTail()
    {
        // Reference values: log Φ(z) from a 30-digit evaluation.
        Assert.Equal(-1.841021645009263, Gaussian.LogCdf(-1), 12);
        Assert.Equal(-53.23128515051247, Gaussian.LogCdf(-10), 10);
        Assert.Equal(-203.9171553710973, Gaussian.LogCdf(-20), 9);
        Assert.Equal(-316.6394080080203, Gaussian.LogCdf(-25), 9);
        Assert.Equal(-804.6084420137538, Gaussian.LogCdf(-40), 9);
        Assert.Equal(-500007.8266948122, Gaussian.LogCdf(-1000), 6);
        Assert.Equal(-0.3689464152886564, Gaussian.LogCdf(0.5), 12);
        Assert.Equal(-0.001350809964748194, Gaussian.LogCdf(3), 14);
        Assert.Equal(Math.Log(0.5), Gaussian.LogCdf(0), 14);
        Assert.True(double.IsFinite(Gaussian.LogCdf(-1e10)));
        // The two branches meet at z = −20.
        Assert.Equal(Gaussian.LogCdf(-20.0), Gaussian.LogCdf(Math.BitDecrement(-20.0)), 9);
    }

    [Fact]
    public void BadReferencesAreInputErrors()
    {
        var o = HandCase();
        Assert.Throws<InputException>(() => Lira.Online(o, 7, Refs, TestAttackOptions.Lira()));
        Assert.Throws<InputException>(() => Lira.Online(o, -1, Refs, TestAttackOptions.Lira()));
        Assert.Throws<InputException>(() => Lira.Online(o, 0, [0, 1, 2], TestAttackOptions.Lira()));
        Assert.Throws<InputException>(() => Lira.Online(o, 0, [1, 9], TestAttackOptions.Lira()));
        Assert.Throws<InputException>(() => Lira.Online(o, 0, [1, 1, 2], TestAttackOptions.Lira()));
        Assert.Throws<InputException>(() => Lira.Offline(o, 0, [1], TestAttackOptions.Lira()));
    }

    internal static (double[] Scores, bool[] Members) Scored(AttackResult r, bool[] keep)
    {
        var s = new List<double>();
        var m = new List<bool>();
        for (int i = 0; i < r.Scores.Length; i++)
            if (!double.IsNaN(r.Scores[i])) { s.Add(r.Scores[i]); m.Add(keep[i]); }
        return (s.ToArray(), m.ToArray());
    }
    [Fact]
    public void AttackingEveryModelInTurnOnOneOutputsScoresAsOnFreshOnes()
    {
        // One ModelOutputs computes each model's statistic once and shares it across targets.
        var shared = AttackTestData.RandomTies(seed: 3, n: 60, models: 6, augmentations: 2, classes: 3, holdout: 0);
        for (int t = 0; t < 6; t++)
        {
            var refs = Enumerable.Range(0, 6).Where(m => m != t).ToArray();
            var fresh = AttackTestData.RandomTies(seed: 3, n: 60, models: 6, augmentations: 2, classes: 3, holdout: 0);
            Assert.Equal(Lira.Online(fresh, t, refs, TestAttackOptions.Lira(Variance: LiraVariance.Global)).Scores,
                Lira.Online(shared, t, refs, TestAttackOptions.Lira(Variance: LiraVariance.Global)).Scores);
        }
        Assert.Same(shared.SignalOf(MiaLab.Core.Signals.SignalKind.StableLogit, 2), shared.SignalOf(MiaLab.Core.Signals.SignalKind.StableLogit, 2));
        Assert.Equal(MiaLab.Core.Signals.Signal.Compute(MiaLab.Core.Signals.SignalKind.StableLogit, shared.Logits[2], shared.Labels, 2, 3, false),
            shared.SignalOf(MiaLab.Core.Signals.SignalKind.StableLogit, 2));
    }
}
