using MiaLab.Core.Randomness;
using MiaLab.Core.Evaluation;

namespace MiaLab.Core.Tests.Evaluation;

public class BootstrapTests
{
    private static (double[] Scores, bool[] IsMember) Example(int n, int seed, int levels = 0)
    {
        var rng = new StableRandom((ulong)seed);
        var s = new double[n];
        var y = new bool[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = rng.NextDouble() < 0.5;
            double v = rng.NextDouble() + (y[i] ? 0.3 : 0.0);
            s[i] = levels > 0 ? Math.Floor(v * levels) : v; // levels > 0: coarse scores with ties
        }
        return (s, y);
    }

    [Fact]
    public void ThePoolOfCoresDoesNotChangeTheNumbers()
    {
        var (s, y) = Example(3000, seed: 6);
        var serial = Bootstrap.Run(s, y, Evaluator.Alphas, 300, seed: 2, cores: 1);
        foreach (int cores in new[] { 2, 3, -1 })
        {
            var parallel = Bootstrap.Run(s, y, Evaluator.Alphas, 300, seed: 2, cores: cores);
            Assert.Equal(serial.Auc, parallel.Auc); // bit for bit, in resample order
            for (int j = 0; j < serial.Tpr.Length; j++) Assert.Equal(serial.Tpr[j], parallel.Tpr[j]);
        }
    }

    [Fact]
    public void EachResampleMatchesTheMaterialisedResample()
    {
        // A small case with ties; replay the draws and build each resample explicitly.
        var (s, y) = Example(14, seed: 3, levels: 4);
        double[] alphas = [0.5, 0.25, 0.1];
        var dist = Bootstrap.Run(s, y, alphas, resamples: 50, seed: 11);

        // Replayed serially, resample by resample, from the definition: resample r draws, from its own
        // stream, as many members as there are (uniformly, with replacement, the j-th member in
        // original order for a draw of j) and then the non-members. The parallel run must give the
        // same numbers in the same order.
        int[] members = Enumerable.Range(0, s.Length).Where(i => y[i]).ToArray();
        int[] nonMembers = Enumerable.Range(0, s.Length).Where(i => !y[i]).ToArray();
        for (int r = 0; r < 50; r++)
        {
            var rng = StableRandom.For(11, "bootstrap", r);
            var drawn = members.Select(_ => members[rng.Next(members.Length)]).ToList();
            drawn.AddRange(nonMembers.Select(_ => nonMembers[rng.Next(nonMembers.Length)]));
            double[] rsa = drawn.Select(i => s[i]).ToArray();
            bool[] rya = drawn.Select(i => y[i]).ToArray();
            // Stratified: class sizes are kept.
            Assert.Equal(y.Count(v => v), rya.Count(v => v));
            Assert.Equal(s.Length, rsa.Length);

            Assert.Equal(Roc.Auc(rsa, rya), dist.Auc[r], 12);
            var roc = Roc.Compute(rsa, rya);
            for (int j = 0; j < alphas.Length; j++)
                Assert.Equal(Roc.TprAt(roc, alphas[j]).Tpr, dist.Tpr[j][r], 12);
        }
    }

    [Fact]
    public void DeterministicForASeed()
    {
        var (s, y) = Example(500, seed: 5);
        var a = Bootstrap.Run(s, y, Evaluator.Alphas, 200, seed: 42);
        var b = Bootstrap.Run(s, y, Evaluator.Alphas, 200, seed: 42);
        var c = Bootstrap.Run(s, y, Evaluator.Alphas, 200, seed: 43);
        Assert.Equal(a.Auc, b.Auc);
        for (int j = 0; j < a.Tpr.Length; j++) Assert.Equal(a.Tpr[j], b.Tpr[j]);
        Assert.NotEqual(a.Auc, c.Auc);
    }

    [Fact]
    public void IntervalContainsThePointEstimate()
    {
        var (s, y) = Example(2000, seed: 9);
        var dist = Bootstrap.Run(s, y, [0.1], 400, seed: 1);
        double auc = Roc.Auc(s, y);
        var ci = dist.AucCi();
        Assert.InRange(auc, ci.Low, ci.High);
        Assert.True(ci.High - ci.Low < 0.1);
        double tpr = Roc.TprAt(Roc.Compute(s, y), 0.1).Tpr;
        var tci = dist.TprCi(0);
        Assert.InRange(tpr, tci.Low, tci.High);
    }

    [Fact]
    public void PercentileInterpolatesLinearly()
    {
        // 0..100: the 2.5% quantile sits at position 0.025 × 100 = 2.5 → 2.5; 97.5% → 97.5.
        var values = Enumerable.Range(0, 101).Select(i => (double)(100 - i)).ToArray();
        Assert.Equal(new Interval(2.5, 97.5), Bootstrap.Percentile(values));
        // Five values 10, 20, 30, 40, 50: positions 0.1 and 3.9 → 11 and 49.
        var iv = Bootstrap.Percentile([50, 10, 40, 20, 30]);
        Assert.Equal(11, iv.Low, 12);
        Assert.Equal(49, iv.High, 12);
        // At level 0.8 the quantiles are 10% and 90%: positions 10 and 90 of 0..100.
        var eighty = Bootstrap.Percentile(values, 0.8);
        Assert.Equal(10, eighty.Low, 12);
        Assert.Equal(90, eighty.High, 12);
    }

    [Fact]
    public void ABootstrapTooLargeToFinishInMinutesIsReducedAndSaysSo()
    {
        var (s, y) = Example(1000, seed: 5, levels: 50);
        // 1,000 resamples of 1,000 samples = 10⁶ draws; a budget of 2·10⁵ allows 200.
        var capped = Evaluator.Evaluate(s, y, null, new EvaluationOptions(1000) { MaxBootstrapDraws = 200_000 });
        Assert.Equal(200, capped.BootstrapResamples);
        Assert.NotNull(capped.AucCi);
        // Never below the floor of 100 resamples (or the number asked, when smaller).
        Assert.Equal(EvaluationOptions.MinReducedResamples, new EvaluationOptions(1000) { MaxBootstrapDraws = 10 }.ResamplesFor(1000));
        Assert.Equal(50, new EvaluationOptions(50) { MaxBootstrapDraws = 10 }.ResamplesFor(1000));
        Assert.Equal(1000, Evaluator.Evaluate(s, y, null, new EvaluationOptions(1000)).BootstrapResamples);
        Assert.Equal(0, Evaluator.Evaluate(s, y, null, new EvaluationOptions(0)).BootstrapResamples);
    }
}
