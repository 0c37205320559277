using MiaLab.Core.Attacks;
using MiaLab.Core.Attacks.Shadow;
using MiaLab.Core.Signals;

namespace MiaLab.Core.Tests.Attacks;

public class AttackRegistryTests
{
    private static AttackContext Context(ModelOutputs o, int target) =>
        new(o, target, Enumerable.Range(0, o.Models).Where(m => m != target).ToArray(), 4);

    [Fact]
    public void EveryEntryRunsUnderItsOwnNameAndMarksItsUnscoredSamples()
    {
        var o = AttackTestData.RandomTies(seed: 2, n: 40, models: 5, augmentations: 2, classes: 3, holdout: 0);
        Assert.Equal(AttackRegistry.Names.Count, AttackRegistry.Names.Distinct().Count());
        // The image-to-image attacks read reconstruction errors of the same shape.
        var random = new Core.Randomness.StableRandom(4);
        var errors = o.Logits.Select(_ => Enumerable.Range(0, 40 * 2).Select(_ => (float)random.NextDouble()).ToArray()).ToArray();
        var recon = new ReconstructionOutputs(errors, o.Keep, 2, o.Holdout, Enumerable.Range(0, 40).Select(_ => random.NextDouble()).ToArray());
        foreach (var definition in AttackRegistry.All)
        {
            var r = definition.Run(definition.Needs.Input == AttackInput.Reconstruction
                ? new AttackContext(null, 1, AttackChecks.AllExcept(recon, 1), 0, recon) : Context(o, 1));
            Assert.Equal(definition.Name, r.Name);
            Assert.Equal(40, r.Scores.Length);
            for (int i = 0; i < r.Scores.Length; i++)
                Assert.Equal(double.IsNaN(r.Scores[i]), r.Unscored.Contains(i));
        }
    }

    [Fact]
    public void EntriesCallTheirAttackWithTheVariantTheirNameAndParametersSay()
    {
        var o = AttackTestData.RandomTies(seed: 3, n: 60, models: 6, augmentations: 2, classes: 3, holdout: 10);
        var c = Context(o, 0);
        Assert.Equal(Lira.Online(o, 0, c.References, new LiraOptions(FixedVariance: true)).Scores, AttackRegistry.Get("lira-online-fixed-var").Run(c).Scores);
        Assert.Equal("global", AttackRegistry.Get("lira-online-fixed-var").Parameters["variance"]);
        Assert.Equal(Lira.Offline(o, 0, c.References, new LiraOptions(TwoSidedOffline: true)).Scores, AttackRegistry.Get("lira-offline-two-sided").Run(c).Scores);
        Assert.Equal("two-sided", AttackRegistry.Get("lira-offline-two-sided").Parameters["offline_test"]);
        Assert.Equal(Rmia.Run(o, 0, c.References, new RmiaOptions(Online: false)).Scores, AttackRegistry.Get("rmia-offline").Run(c).Scores);
        Assert.Equal("0.3", AttackRegistry.Get("rmia-offline").Parameters["offline_a"]);
        Assert.Equal(MetricAttack.Run(o, 0, SignalKind.ModifiedEntropy, 4).Scores, AttackRegistry.Get("modified-entropy").Run(c).Scores);
        Assert.Equal(ShadowAttack.Run(o, 0, c.References, new ShadowOptions("mlp", PerClass: true, Seed: 4)).Scores,
            AttackRegistry.Get("shadow-mlp-per-class").Run(c).Scores);
    }

    [Fact]
    public void EveryEntryHasAKnownFamilyAndAOneLineDescription()
    {
        foreach (var d in AttackRegistry.All)
        {
            Assert.Contains(d.Family, AttackRegistry.Families);
            Assert.False(string.IsNullOrWhiteSpace(d.Description));
            Assert.DoesNotContain('\n', d.Description);
            Assert.Equal(d.Description, AttackRegistry.Describe(d.Name));
        }
        Assert.Equal(AttackRegistry.All.Where(a => a.RunsByDefault).Select(a => a.Name), AttackRegistry.DefaultNames);
        Assert.Contains("lira-online", AttackRegistry.DefaultNames);
        Assert.DoesNotContain("correctness", AttackRegistry.DefaultNames);
    }

    [Fact]
    public void NeedsAreCheckedAgainstTheRun()
    {
        var oneQuery = AttackTestData.RandomTies(seed: 2, n: 20, models: 3, augmentations: 1, classes: 2, holdout: 0);
        Assert.Contains("2 queries", AttackRegistry.Get(LabelOnly.AugmentationName).Unmet(oneQuery, 2));
        Assert.Contains("2 reference", AttackRegistry.Get("lira-online").Unmet(oneQuery, 1));
        Assert.Null(AttackRegistry.Get("lira-online").Unmet(oneQuery, 2));
        Assert.Null(AttackRegistry.Get("loss").Unmet(oneQuery, 0));
    }

    [Fact]
    public void ResolvingNamesRefusesUnknownEmptyAndRepeatedLists()
    {
        var e = Assert.Throws<InputException>(() => AttackRegistry.Resolve(["lira"]));
        Assert.Contains("lira-online", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains("empty", Assert.Throws<InputException>(() => AttackRegistry.Resolve([])).Message);
        Assert.Contains("twice", Assert.Throws<InputException>(() => AttackRegistry.Resolve(["loss", "loss"])).Message);
        Assert.Equal(AttackRegistry.DefaultNames, AttackRegistry.Resolve(null).Select(a => a.Name));
        Assert.Equal(["rmia-online", "loss"], AttackRegistry.Resolve(["rmia-online", "loss"]).Select(a => a.Name));
    }
}
