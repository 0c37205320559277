using MiaLab.Core.Attacks;

namespace MiaLab.Core.Tests.Attacks;

public class RmiaTests
{
    /// <summary>Two models, one label, C = 2 with logits [0, log(p/(1−p))] so that Pr(x|θ) = p: the target
    /// (member on x0 only) and one reference that trained on nothing; x0 and x1 are candidates, z0 and z1 the holdout.</summary>
    private static ModelOutputs HandCase()
    {
        double[] target = [0.9, 0.5, 0.4, 0.6], reference = [0.8, 0.2, 0.5, 0.5];
        double[][] phi = [target.Select(p => Math.Log(p / (1 - p))).ToArray(), reference.Select(p => Math.Log(p / (1 - p))).ToArray()];
        return AttackTestData.FromStableLogits(phi, [[true, false, false, false], [false, false, false, false]], 1, [false, false, true, true]);
    }

    [Theory]
    // Pr(x) = ½((1+a)·Pr_ref + (1−a)); ratio = Pr_target / Pr(x); score = share of z with ratio(x)/ratio(z) > γ.
    // a = 1: ratios x0 0.9/0.8 = 1.125, x1 2.5, z0 0.8, z1 1.2 → γ = 1: x0 beats z0 only (1.41, 0.94), x1 both.
    [InlineData(1.0, "1", 0.5, 1.0)]
    // a = 0: Pr(x) = 0.9, 0.6, 0.75, 0.75 → ratios 1, 0.833, 0.533, 0.8: every pair ratio is above 1 …
    [InlineData(1.0, "0", 1.0, 1.0)]
    // … but only x0/z0 = 1.875 and x1/z0 = 1.5625 are above 1.5, …
    [InlineData(1.5, "0", 0.5, 0.5)]
    // … and none above 2.
    [InlineData(2.0, "0", 0.0, 0.0)]
    public void GammaAndOfflineAChangeTheScoresAsTheFormulaSays(double gamma, string a, double x0, double x1)
    {
        var o = HandCase();
        var offline = AttackRegistry.Get("rmia-offline");
        var settings = offline.Settle(new Dictionary<string, string>
        {
            ["rmia.gamma"] = AttackParameter.Format(gamma),
            ["rmia.offline_a"] = a,
            ["rmia.trimmed_mean"] = "false", // the hand values use the plain mean
        });
        var r = offline.Run(new AttackContext(o, 0, [1], 0) { Settings = settings });
        Assert.Equal(x0, r.Scores[0], 12);
        Assert.Equal(x1, r.Scores[1], 12);
        Assert.Equal([2, 3], r.Unscored);
        Assert.Equal(gamma, r.Extras["gamma"]);
        Assert.Equal(double.Parse(a, System.Globalization.CultureInfo.InvariantCulture), r.Extras["offline_a"]);
    }

    /// <summary>Six models on 300 samples (60 holdout): a per-sample difficulty shared by every model,
    /// model noise, and a raised true-class logit where the model trained on the sample.</summary>
    private static ModelOutputs Shared(int seed)
    {
        const int n = 300, models = 6;
        var rng = new MiaLab.Core.Randomness.StableRandom((ulong)seed);
        var hold = Enumerable.Range(0, n).Select(i => i >= 240).ToArray();
        var difficulty = Enumerable.Range(0, n).Select(_ => 1 + (1.5 * AttackTestData.Normal(rng))).ToArray();
        var keep = new bool[models][];
        var phi = new double[models][];
        for (int m = 0; m < models; m++)
        {
            keep[m] = Enumerable.Range(0, n).Select(i => !hold[i] && rng.Next(2) == 1).ToArray();
            phi[m] = Enumerable.Range(0, n).Select(i => difficulty[i] + (0.4 * AttackTestData.Normal(rng)) + (keep[m][i] ? 1.2 : 0)).ToArray();
        }
        return AttackTestData.FromStableLogits(phi, keep, 1, hold);
    }

    [Fact]
    public void AutoAPicksTheAWhoseTuningAttackHasTheHighestAuc()
    {
        var o = Shared(seed: 11);
        int[] refs = [1, 2, 3, 4, 5];
        // The tuning attack, computed here through the public API: offline RMIA on reference 1 with the others.
        var auc = new double[11];
        for (int step = 0; step <= 10; step++)
        {
            var s = Rmia.Run(o, 1, [2, 3, 4, 5], TestAttackOptions.Rmia(Online: false, Gamma: 1, OfflineA: step / 10.0)).Scores;
            var scored = Enumerable.Range(0, o.Samples).Where(i => !double.IsNaN(s[i])).ToArray();
            auc[step] = MiaLab.Core.Evaluation.Roc.Auc(scored.Select(i => s[i]).ToArray(), scored.Select(i => o.Keep[1][i]).ToArray());
        }
        int best = Array.IndexOf(auc, auc.Max());
        // The answer is not at the grid's ends, and it is unique: choosing it takes the search.
        Assert.InRange(best, 1, 9);
        Assert.Single(auc, v => v == auc.Max());

        var auto = Rmia.Run(o, 0, refs, TestAttackOptions.Rmia(Online: false, Gamma: 1, OfflineA: null));
        Assert.Equal(best / 10.0, auto.Extras["offline_a"]);
        Assert.Equal(Rmia.Run(o, 0, refs, TestAttackOptions.Rmia(Online: false, Gamma: 1, OfflineA: best / 10.0)).Scores, auto.Scores);
    }

    [Fact]
    public void SortedCountEqualsTheBruteForceDefinitionExactly()
    {
        foreach (int holdout in new[] { 0, 15 })
            foreach (bool online in new[] { true, false })
                foreach (bool trimmed in new[] { false, true })
                    foreach (double gamma in new[] { 0.5, 1.0, 2.0, 4.0 })
                    {
                        var o = AttackTestData.RandomTies(seed: 7 + holdout, n: 90, models: 7, augmentations: 2, classes: 3, holdout);
                        var opt = TestAttackOptions.Rmia(Online: online, Gamma: gamma, TrimmedMean: trimmed);
                        int[] refs = [1, 2, 3, 4, 5, 6];
                        var fast = Rmia.Run(o, 0, refs, opt);
                        double[] brute = Rmia.BruteForceScores(o, 0, refs, opt);
                        Assert.Equal(brute, fast.Scores);
                        // Unscored: the holdout, and offline the samples every reference trained on (no OUT).
                        var expected = Enumerable.Range(0, 90)
                            .Where(i => o.Holdout[i] || (!online && refs.All(m => o.Keep[m][i]))).ToArray();
                        Assert.Equal(expected, fast.Unscored);
                    }
    }

    [Fact]
    public void LogRatioCountingByHand()
    {
        // One query, log-ratios 0, 1, 2, 3; everyone is a candidate and in Z (x excluded from its own Z).
        double[] lr = [0, 1, 2, 3];
        bool[] all = [true, true, true, true];
        // γ = 1: count z with lr_z < lr_x → 0/3, 1/3, 2/3, 3/3.
        Assert.Equal([0, 1.0 / 3, 2.0 / 3, 1.0], Rmia.CountScores(lr, 1, all, all, 1.0));
        // γ = e: lr_z < lr_x − 1 → x = 3: {0, 1} → 2/3; x = 2: {0} → 1/3; x ≤ 1: 0.
        Assert.Equal([0, 0, 1.0 / 3, 2.0 / 3], Rmia.CountScores(lr, 1, all, all, Math.E));
        // γ = e⁻¹ (below 1): lr_z < lr_x + 1 → x = 0: z ∈ {} (x itself excluded) → 0; x = 1: {0} → 1/3; …
        Assert.Equal([0, 1.0 / 3, 2.0 / 3, 1.0], Rmia.CountScores(lr, 1, all, all, 1 / Math.E));
        // γ = e^{-1.5}: lr_z < lr_x + 1.5 → x = 0: {1} → 1/3; x = 1: {0, 2} → 2/3; x = 2: {0, 1, 3} → 1; x = 3: 1.
        Assert.Equal([1.0 / 3, 2.0 / 3, 1.0, 1.0], Rmia.CountScores(lr, 1, all, all, Math.Exp(-1.5)));
        // Z = {0, 1} only, candidates 2 and 3 (not in Z): γ = 1 → both beat 2 of 2.
        Assert.Equal([double.NaN, double.NaN, 1.0, 1.0],
            Rmia.CountScores(lr, 1, [false, false, true, true], [true, true, false, false], 1.0));
        // Ties are not "greater than": lr = [1, 1, 1] with γ = 1 → 0 each.
        Assert.Equal([0.0, 0.0, 0.0], Rmia.CountScores([1, 1, 1], 1, [true, true, true], [true, true, true], 1.0));
        // Two queries are averaged: sample 0 wins query 0 (1/1), loses query 1 (0/1).
        Assert.Equal([0.5, 0.5], Rmia.CountScores([5, 0, 0, 5], 2, [true, true], [true, true], 1.0));
    }

    [Fact]
    public void HigherTargetProbabilityGivesAHigherScore()
    {
        // Every reference outputs logits [0, 0] (Pr = ½) on every sample; the target's logit for the
        // label rises with the sample index, so ratio(x) rises with x and so must the score among
        // the target's members (non-members sit in Z, whose size without themselves is one smaller).
        const int n = 40, models = 5;
        var logits = new float[models][];
        var keep = new bool[models][];
        for (int m = 0; m < models; m++)
        {
            logits[m] = new float[n * 2];
            keep[m] = new bool[n];
            for (int i = 0; i < n; i++) keep[m][i] = (i + m) % 2 == 0;
        }
        for (int i = 0; i < n; i++) logits[0][(2 * i) + 1] = (i - 20) / 4f;
        var o = new ModelOutputs(logits, new long[n].Select(_ => 1L).ToArray(), keep, 1, 2);
        foreach (var opt in new[] { TestAttackOptions.Rmia(), TestAttackOptions.Rmia(Online: false), TestAttackOptions.Rmia(Gamma: 1.0) })
        {
            var s = Rmia.Run(o, 0, [1, 2, 3, 4], opt).Scores;
            for (int i = 2; i < n; i += 2) Assert.True(s[i] >= s[i - 2]);
            for (int i = 3; i < n; i += 2) Assert.True(s[i] >= s[i - 2]);
            Assert.True(s[n - 1] > s[0]);
        }
    }

    [Fact]
    public void RatioAndPopulationByHand()
    {
        // C = 2, label 1, A = 1. Target logits [0, l]: Pr(x|θ_t) = σ(l). References (online, one IN
        // and one OUT per sample) give Pr 0.5 each, so Pr(x) = ½ and ratio(x) = 2σ(l).
        // Sample 0: member of the target, l = 2 → ratio 2σ(2) ≈ 1.76.
        // Samples 1, 2, 3: non-members (= Z), l = 0, −2, 1 → ratios 1, 2σ(−2) ≈ 0.238, 2σ(1) ≈ 1.46.
        // γ = 1.5: sample 0 beats z when 1.76/ratio_z > 1.5 → z = 1 (1.76) and 2 (7.4), not 3 (1.2) → 2/3.
        // Sample 1 (in Z, compared with 2 and 3): 1/0.238 = 4.2 > 1.5, 1/1.46 < 1.5 → 1/2.
        // Sample 2: beats nobody → 0. Sample 3: 1.46/1 < 1.5, 1.46/0.238 > 1.5 → 1/2.
        float[][] logits = [[0, 2, 0, 0, 0, -2, 0, 1], new float[8], new float[8]];
        bool[][] keep = [[true, false, false, false], [true, true, true, true], [false, false, false, false]];
        var o = new ModelOutputs(logits, [1, 1, 1, 1], keep, 1, 2);
        var r = Rmia.Run(o, 0, [1, 2], TestAttackOptions.Rmia(Gamma: 1.5));
        Assert.Equal([2.0 / 3, 0.5, 0.0, 0.5], r.Scores);
        Assert.Equal(3.0, r.Extras["population"]);
        Assert.Equal("rmia-online", r.Name);

        // With a holdout, Z is the holdout: sample 3 becomes the only population member.
        // Sample 0: 1.76/1.46 = 1.2 < 1.5 → 0; sample 1: 1/1.46 → 0; sample 2: 0.
        var h = new ModelOutputs(logits, [1, 1, 1, 1], keep, 1, 2, [false, false, false, true]);
        var rh = Rmia.Run(h, 0, [1, 2], TestAttackOptions.Rmia(Gamma: 1.5));
        Assert.Equal([0.0, 0.0, 0.0, double.NaN], rh.Scores);
        Assert.Equal([3], rh.Unscored);
        Assert.Equal(1.0, rh.Extras["population"]);
    }

    [Fact]
    public void OfflineUsesTheAFormula()
    {
        // Offline with ref 2 (OUT everywhere, Pr = ½) and a = 0.5: Pr(x) = ½(1.5·½ + 0.5) = 0.625,
        // the same for every sample, so the scores equal the online ones with Pr(x) = ½ (the
        // common factor cancels in ratio(x)/ratio(z)).
        float[][] logits = [[0, 2, 0, 0, 0, -2, 0, 1], new float[8], new float[8]];
        bool[][] keep = [[true, false, false, false], [true, true, true, true], [false, false, false, false]];
        var o = new ModelOutputs(logits, [1, 1, 1, 1], keep, 1, 2);
        var r = Rmia.Run(o, 0, [2], TestAttackOptions.Rmia(Online: false, Gamma: 1.5, OfflineA: 0.5));
        Assert.Equal([2.0 / 3, 0.5, 0.0, 0.5], r.Scores);
        Assert.Equal(0.5, r.Extras["offline_a"]);
        Assert.Equal("rmia-offline", r.Name);
        // Ref 1 trained on everything: offline has no OUT reference → every sample unscored.
        var none = Rmia.Run(o, 0, [1], TestAttackOptions.Rmia(Online: false));
        Assert.Equal([0, 1, 2, 3], none.Unscored);
    }

    [Fact]
    public void AutoAPicksAGridValue()
    {
        var o = AttackTestData.RandomTies(seed: 3, n: 120, models: 6, augmentations: 1, classes: 4, holdout: 0);
        var r = Rmia.Run(o, 0, [1, 2, 3, 4, 5], TestAttackOptions.Rmia(Online: false, OfflineA: null));
        double a = r.Extras["offline_a"];
        Assert.Contains(a, Enumerable.Range(0, 11).Select(k => k / 10.0));
        // Same a → same scores as asking for it explicitly; brute force agrees too.
        var fixedA = Rmia.Run(o, 0, [1, 2, 3, 4, 5], TestAttackOptions.Rmia(Online: false, OfflineA: a));
        Assert.Equal(fixedA.Scores, r.Scores);
        Assert.Equal(r.Scores, Rmia.BruteForceScores(o, 0, [1, 2, 3, 4, 5], TestAttackOptions.Rmia(Online: false, OfflineA: null)));
        Assert.Throws<InputException>(() => Rmia.Run(o, 0, [1], TestAttackOptions.Rmia(Online: false, OfflineA: null)));
    }

    [Fact]
    public void TemperatureAndTrimmedMeanChangeTheScoresButNotTheRules()
    {
        var o = AttackTestData.RandomTies(seed: 11, n: 60, models: 8, augmentations: 2, classes: 3, holdout: 10);
        int[] refs = [1, 2, 3, 4, 5, 6, 7];
        foreach (var opt in new[] { TestAttackOptions.Rmia(Temperature: 2.0), TestAttackOptions.Rmia(TrimmedMean: true, Gamma: 1) })
        {
            var r = Rmia.Run(o, 0, refs, opt);
            Assert.Equal(Rmia.BruteForceScores(o, 0, refs, opt), r.Scores);
            for (int i = 0; i < 50; i++) Assert.InRange(r.Scores[i], 0.0, 1.0);
        }
    }

    [Fact]
    public void BadOptionsAndReferencesAreInputErrors()
    {
        var o = AttackTestData.RandomTies(seed: 1, n: 10, models: 3, augmentations: 1, classes: 2, holdout: 0);
        Assert.Throws<InputException>(() => Rmia.Run(o, 3, [1], TestAttackOptions.Rmia()));
        Assert.Throws<InputException>(() => Rmia.Run(o, 0, [0], TestAttackOptions.Rmia()));
        Assert.Throws<InputException>(() => Rmia.Run(o, 0, [5], TestAttackOptions.Rmia()));
        Assert.Throws<InputException>(() => Rmia.Run(o, 0, [], TestAttackOptions.Rmia()));
        Assert.Throws<InputException>(() => Rmia.Run(o, 0, [1], TestAttackOptions.Rmia(Gamma: 0)));
        Assert.Throws<InputException>(() => Rmia.Run(o, 0, [1], TestAttackOptions.Rmia(Temperature: -1)));
        Assert.Throws<InputException>(() => Rmia.Run(o, 0, [1], TestAttackOptions.Rmia(Online: false, OfflineA: 1.5)));
    }
}
