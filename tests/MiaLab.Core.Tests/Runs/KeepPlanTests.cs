using MiaLab.Core.Randomness;
using MiaLab.Core.Runs;

namespace MiaLab.Core.Tests.Runs;

public sealed class KeepPlanTests
{
    [Theory]
    [InlineData("random-halves", 5, 101)]
    [InlineData("random-halves", 16, 1000)]
    [InlineData("complementary-pairs", 6, 101)]
    public void EveryModelTrainsOnExactlyHalf(string scheme, int models, int samples)
    {
        var keep = KeepPlan.Create(models, samples, scheme, seed: 3);
        Assert.Equal(models, keep.Length);
        for (int m = 0; m < models; m++)
        {
            Assert.Equal(samples, keep[m].Length);
            int expected = scheme == "complementary-pairs" && m % 2 == 1 ? samples - samples / 2 : samples / 2;
            Assert.Equal(expected, keep[m].Count(k => k));
        }
    }

    [Theory]
    [InlineData("random-halves")]
    [InlineData("complementary-pairs")]
    public void SameSeedSamePlanOtherSeedOtherPlan(string scheme)
    {
        var a = KeepPlan.Create(8, 300, scheme, seed: 11);
        var b = KeepPlan.Create(8, 300, scheme, seed: 11);
        var c = KeepPlan.Create(8, 300, scheme, seed: 12);
        for (int m = 0; m < 8; m++) Assert.Equal(a[m], b[m]);
        Assert.Contains(Enumerable.Range(0, 8), m => !a[m].SequenceEqual(c[m]));
        // Models differ from each other (no two random halves of 300 coincide by chance).
        Assert.False(a[0].SequenceEqual(a[2]));
    }

    [Fact]
    public void PlanIsPinned()
    {
        // The plan must not change across runs, machines or .NET versions: pin a few bits.
        var keep = KeepPlan.Create(2, 10, "random-halves", seed: 0);
        var again = KeepPlan.Create(2, 10, "random-halves", seed: 0);
        Assert.Equal(keep[0], again[0]);
        Assert.Equal(Seeds.Derive(0, "keep", 0), Seeds.Derive(0, "keep", 0));
        Assert.Equal(PinnedSeed, Seeds.Derive64(0, "keep", 0));
        Assert.Equal(PinnedMask, string.Concat(keep[0].Select(k => k ? '1' : '0')));
    }

    // Computed once from the definitions (FNV-1a + SplitMix64 + xoshiro256**); a change here
    // means every existing run directory would get a different keep.npy.
    private const ulong PinnedSeed = 11248460641769891463UL;
    private const string PinnedMask = "0110111000";

    [Fact]
    public void ComplementaryPairsAreComplements()
    {
        var keep = KeepPlan.Create(5, 77, "complementary-pairs", seed: 5);
        for (int pair = 0; pair < 2; pair++)
            for (int i = 0; i < 77; i++)
                Assert.NotEqual(keep[2 * pair][i], keep[2 * pair + 1][i]);
        Assert.Equal(77 / 2, keep[4].Count(k => k)); // odd M: the last is a random half
        Assert.False(keep[0].SequenceEqual(keep[2]));
    }

    [Fact]
    public void EachSampleIsInForAboutHalfTheModels()
    {
        // 64 models; per sample, IN count ~ Binomial(64, ~1/2): mean 32, sd 4. With 2000
        // samples, all within ±6 sd and the overall mean within 0.5 of 32.
        const int models = 64, samples = 2000;
        var keep = KeepPlan.Create(models, samples, "random-halves", seed: 42);
        double total = 0;
        for (int i = 0; i < samples; i++)
        {
            int inCount = 0;
            for (int m = 0; m < models; m++) if (keep[m][i]) inCount++;
            Assert.InRange(inCount, 32 - 24, 32 + 24);
            total += inCount;
        }
        Assert.InRange(total / samples, 31.5, 32.5);

        // And the spread matches a binomial: sample variance within [12, 20] (expected ≈ 16).
        double mean = total / samples, ss = 0;
        for (int i = 0; i < samples; i++)
        {
            int inCount = 0;
            for (int m = 0; m < models; m++) if (keep[m][i]) inCount++;
            ss += (inCount - mean) * (inCount - mean);
        }
        Assert.InRange(ss / (samples - 1), 12.0, 20.0);
    }

    [Fact]
    public void BadArgumentsAreInputErrors()
    {
        Assert.Throws<InputException>(() => KeepPlan.Create(4, 100, "thirds", 0));
        Assert.Throws<InputException>(() => KeepPlan.Create(0, 100, "random-halves", 0));
        Assert.Throws<InputException>(() => KeepPlan.Create(4, 1, "random-halves", 0));
    }

    [Fact]
    public void HoldoutPadding()
    {
        var keep = KeepPlan.WithHoldout(KeepPlan.Create(3, 10, "random-halves", 1), 4);
        Assert.All(keep, row => Assert.Equal(14, row.Length));
        Assert.All(keep, row => Assert.All(row[10..], Assert.False));
        var mask = KeepPlan.HoldoutMask(10, 4)!;
        Assert.Equal(10, mask.Count(x => !x));
        Assert.All(mask[10..], Assert.True);
        Assert.Null(KeepPlan.HoldoutMask(10, 0));
    }

    [Fact]
    public void SeedsDependOnEveryInput()
    {
        int s = Seeds.Derive(1, "init", 0);
        Assert.True(s >= 0);
        Assert.NotEqual(s, Seeds.Derive(2, "init", 0));
        Assert.NotEqual(s, Seeds.Derive(1, "batches", 0));
        Assert.NotEqual(s, Seeds.Derive(1, "init", 1));
        Assert.Equal(s, Seeds.Derive(1, "init", 0));
    }

    [Fact]
    public void StableRandomIsUniformEnough()
    {
        var r = new StableRandom(7);
        var counts = new int[10];
        for (int i = 0; i < 100_000; i++) counts[r.Next(10)]++;
        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
        double sum = 0;
        for (int i = 0; i < 10_000; i++) { double d = r.NextDouble(); Assert.InRange(d, 0.0, 1.0); sum += d; }
        Assert.InRange(sum / 10_000, 0.49, 0.51);
    }

    [Theory]
    [InlineData(16, 500)]
    [InlineData(7, 501)]
    [InlineData(2, 50)]
    public void BalancedPutsEverySampleInForHalfTheModels(int models, int samples)
    {
        var keep = KeepPlan.Create(models, samples, KeepPlan.Balanced, seed: 4);
        var counts = Enumerable.Range(0, samples).Select(i => Enumerable.Range(0, models).Count(m => keep[m][i])).ToArray();
        Assert.All(counts, c => Assert.InRange(c, models / 2, (models + 1) / 2));
        if (models % 2 == 1)
        {
            // An odd M: ⌊M/2⌋ and ⌈M/2⌉ are drawn with equal chance, so both occur about equally often.
            int low = counts.Count(c => c == models / 2);
            Assert.InRange(low, samples * 0.4, samples * 0.6);
        }
        // Which models hold a sample is random: every model gets about half of the samples…
        Assert.All(keep, row => Assert.InRange(row.Count(k => k), samples * 0.4, samples * 0.6));
        // …and no two models share the same half (as random halves would not either).
        Assert.NotEqual(keep[0], keep[1]);
        Assert.Equal(keep, KeepPlan.Create(models, samples, KeepPlan.Balanced, seed: 4));
        Assert.NotEqual(keep, KeepPlan.Create(models, samples, KeepPlan.Balanced, seed: 5));
    }

    [Fact]
    public void RandomHalvesLeaveSomeSamplesWithFewInReferencesAndBalancedNone()
    {
        // With 16 models on random halves, a sample's IN count is Binomial-like: some get ≤ 3 of 15
        // references IN (the LiRA protocol's weak spot); balanced gives every sample 8 of 16.
        var halves = KeepPlan.Create(16, 20_000, KeepPlan.RandomHalves, seed: 0);
        var balanced = KeepPlan.Create(16, 20_000, KeepPlan.Balanced, seed: 0);
        int Lowest(bool[][] k) => Enumerable.Range(0, 20_000).Min(i => k.Count(row => row[i]));
        Assert.True(Lowest(halves) <= 3, $"lowest IN count {Lowest(halves)}");
        Assert.Equal(8, Lowest(balanced));
    }
    [Fact]
    public void BernoulliIsSeededAndHalfInExpectationWithBinomialSizes()
    {
        const int models = 200, samples = 500;
        var keep = KeepPlan.Create(models, samples, KeepPlan.Bernoulli, seed: 9);
        Assert.Equal(keep, KeepPlan.Create(models, samples, KeepPlan.Bernoulli, seed: 9));
        Assert.NotEqual(keep, KeepPlan.Create(models, samples, KeepPlan.Bernoulli, seed: 10));

        // 100,000 independent fair coins: the share IN is ½ ± 0.0016 (1 sd); allow 6 sd.
        double share = keep.Sum(row => row.Count(k => k)) / (double)(models * samples);
        Assert.InRange(share, 0.49, 0.51);
        // Unlike random halves, sizes vary: Binomial(500, ½) has sd ≈ 11.2, so 200 models span a range
        // far wider than 1, and their variance is near 125 (allow [80, 180]).
        var sizes = keep.Select(row => (double)row.Count(k => k)).ToArray();
        Assert.True(sizes.Max() - sizes.Min() > 20, $"sizes {sizes.Min()}…{sizes.Max()}");
        double mean = sizes.Average();
        Assert.InRange(sizes.Sum(x => (x - mean) * (x - mean)) / (models - 1), 80.0, 180.0);
        // Per sample, the IN count is Binomial(200, ½) (mean 100, variance 50): independent across models.
        var inCounts = Enumerable.Range(0, samples).Select(i => (double)keep.Count(row => row[i])).ToArray();
        double inMean = inCounts.Average();
        Assert.InRange(inMean, 99.0, 101.0);
        Assert.InRange(inCounts.Sum(x => (x - inMean) * (x - inMean)) / (samples - 1), 35.0, 65.0);
    }

    [Fact]
    public void BernoulliNeverLeavesAModelWithoutSamples()
    {
        // With 2 samples a row is empty with probability ¼: among 400 models about 100 would be.
        var keep = KeepPlan.Create(400, 2, KeepPlan.Bernoulli, seed: 1);
        Assert.All(keep, row => Assert.Contains(true, row));
        // The redraw keeps the other three outcomes equally likely (about 133 each; allow ±45).
        foreach (var pattern in new[] { (true, false), (false, true), (true, true) })
            Assert.InRange(keep.Count(row => (row[0], row[1]) == pattern), 88, 178);
    }
}
