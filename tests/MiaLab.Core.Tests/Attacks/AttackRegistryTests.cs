using MiaLab.Core.Attacks;
using MiaLab.Core.Attacks.Shadow;
using MiaLab.Core.Signals;

namespace MiaLab.Core.Tests.Attacks;

public class AttackRegistryTests
{
    private static AttackContext Context(ModelOutputs o, int target) =>
        new(o, target, Enumerable.Range(0, o.Models).Where(m => m != target).ToArray(), 4);

    /// <summary>The context of a registry entry with the user's settings (key "group.name" → text).</summary>
    private static AttackContext Set(AttackDefinition d, AttackContext c, params (string Key, string Value)[] user) =>
        c with { Settings = d.Settle(user.ToDictionary(u => u.Key, u => AttackRegistry.Parameter(u.Key)!.Parse(u.Value, u.Key))) };

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
    public void PresetsAreTheirBaseAttackWithTheirNamesValuesFixed()
    {
        var o = AttackTestData.RandomTies(seed: 3, n: 60, models: 6, augmentations: 2, classes: 3, holdout: 10);
        var c = Context(o, 0);
        Assert.Equal(Lira.Online(o, 0, c.References, TestAttackOptions.Lira(LiraVariance.Global)).Scores, AttackRegistry.Get("lira-online-fixed-var").Run(c).Scores);
        Assert.Equal("global", AttackRegistry.Get("lira-online-fixed-var").Settle(null).Values["variance"]);
        Assert.Equal(Lira.Offline(o, 0, c.References, TestAttackOptions.Lira(LiraVariance.PerSample, TwoSidedOffline: true)).Scores,
            AttackRegistry.Get("lira-offline-two-sided").Run(Set(AttackRegistry.Get("lira-offline-two-sided"), c, ("lira.variance", "per-sample"))).Scores);
        Assert.Equal(ShadowAttack.Run(o, 0, c.References, new ShadowOptions("mlp", PerClass: true, Seed: 4)).Scores,
            AttackRegistry.Get("shadow-mlp-per-class").Run(c).Scores);
        Assert.Equal(MetricAttack.Run(o, 0, SignalKind.ModifiedEntropy, 4).Scores, AttackRegistry.Get("modified-entropy").Run(c).Scores);

        // A preset ignores the user's value of what it fixes, and says which values it overrides.
        var preset = AttackRegistry.Get("lira-online-fixed-var");
        var user = new Dictionary<string, string> { ["lira.variance"] = "per-sample", ["lira.signal"] = "hinge" };
        Assert.Equal("global", preset.Settle(user).Values["variance"]);
        Assert.Equal("hinge", preset.Settle(user).Values["signal"]);
        Assert.Equal(["lira.variance = per-sample"], preset.Overridden(user));
        Assert.Empty(AttackRegistry.Get("lira-online").Overridden(user));
        Assert.Equal("lira-online", preset.PresetOf);
        Assert.False(preset.RunsByDefault);
    }

    [Fact]
    public void EachParameterReachesItsAttack()
    {
        var o = AttackTestData.RandomTies(seed: 5, n: 80, models: 6, augmentations: 2, classes: 3, holdout: 20);
        var c = Context(o, 0);
        var refs = c.References;

        var rmiaOff = AttackRegistry.Get("rmia-offline");
        Assert.Equal(Rmia.Run(o, 0, refs, TestAttackOptions.Rmia(false, Gamma: 1.5, OfflineA: 0.7, Temperature: 2, TrimmedMean: true)).Scores,
            rmiaOff.Run(Set(rmiaOff, c, ("rmia.gamma", "1.5"), ("rmia.offline_a", "0.7"), ("rmia.temperature", "2"), ("rmia.trimmed_mean", "true"))).Scores);
        var auto = rmiaOff.Run(Set(rmiaOff, c, ("rmia.offline_a", "auto")));
        Assert.Equal(Rmia.Run(o, 0, refs, TestAttackOptions.Rmia(false, Gamma: AttackSettingsTestValues.Gamma(rmiaOff), OfflineA: null,
            TrimmedMean: AttackSettingsTestValues.TrimmedMean(rmiaOff))).Scores, auto.Scores);
        var rmiaOn = AttackRegistry.Get("rmia-online");
        Assert.Equal(Rmia.Run(o, 0, refs, TestAttackOptions.Rmia(true, Gamma: 3)).Scores, rmiaOn.Run(Set(rmiaOn, c, ("rmia.gamma", "3"))).Scores);

        var liraOn = AttackRegistry.Get("lira-online");
        Assert.Equal(Lira.Online(o, 0, refs, TestAttackOptions.Lira(LiraVariance.PerSample, TwoSidedOffline: true, Signal: SignalKind.Hinge)).Scores,
            liraOn.Run(Set(liraOn, c, ("lira.variance", "per-sample"), ("lira.offline_test", "two-sided"), ("lira.signal", "hinge"))).Scores);
        var liraOff = AttackRegistry.Get("lira-offline");
        Assert.Equal(Lira.Offline(o, 0, refs, TestAttackOptions.Lira(LiraVariance.Global, Signal: SignalKind.Loss)).Scores,
            liraOff.Run(Set(liraOff, c, ("lira.variance", "global"), ("lira.signal", "loss"))).Scores);

        var shadow = AttackRegistry.Get("shadow");
        Assert.Equal(ShadowAttack.Run(o, 0, refs, new ShadowOptions("mlp", PerClass: true, Seed: 4)).Scores,
            shadow.Run(Set(shadow, c, ("shadow.classifier", "mlp"), ("shadow.per_class", "true"))).Scores);

        var loss = AttackRegistry.Get("loss");
        var split = loss.Run(Set(loss, c, ("metric.eval_split", "0.25")));
        Assert.Equal(MetricAttack.Run(o, 0, SignalKind.Loss, 4, "loss", 0.25).Extras, split.Extras);
        Assert.Equal(15, split.Extras["eval_samples"]); // ⌊¼ of each membership group⌋ of the 60 scored samples
    }

    [Fact]
    public void ValuesAreCheckedAgainstTheDeclaredParameters()
    {
        var ok = AttackRegistry.CheckValues(new Dictionary<string, Dictionary<string, string>>
        {
            ["rmia"] = new() { ["gamma"] = "1.0", ["offline_a"] = "AUTO" },
            ["lira"] = new() { ["variance"] = "Global" },
        }, "attacks.parameters");
        Assert.Equal("1", ok["rmia.gamma"]);
        Assert.Equal("auto", ok["rmia.offline_a"]);
        Assert.Equal("global", ok["lira.variance"]);

        void Bad(string group, string name, string value, string expected)
        {
            var e = Assert.Throws<InputException>(() => AttackRegistry.CheckValues(
                new Dictionary<string, Dictionary<string, string>> { [group] = new() { [name] = value } }, "attacks.parameters"));
            Assert.Contains(expected, e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
        Bad("rmia", "gamma", "0", "attacks.parameters.rmia.gamma must be > 0 (got '0')");
        Bad("rmia", "gamma", "-1", "must be > 0");
        Bad("rmia", "offline_a", "1.5", "attacks.parameters.rmia.offline_a must be in [0, 1] or auto (got '1.5')");
        Bad("rmia", "offline_a", "-0.1", "in [0, 1] or auto");
        Bad("lira", "variance", "pooled", "attacks.parameters.lira.variance must be one of per-sample, global, auto (got 'pooled')");
        Bad("rmia", "gama", "1", "attacks.parameters.rmia.gama is not a parameter; rmia takes gamma, temperature, trimmed_mean, offline_a");
        Bad("rmla", "gamma", "1", "no attack reads parameters of 'rmla'");
        Bad("metric", "eval_split", "1", "must be in (0, 1)");
        Bad("shadow", "per_class", "yes", "must be true or false");
    }

    [Fact]
    public void EveryParameterIsDeclaredOnceWithAKeyAnOptionAndADefaultPerAttack()
    {
        Assert.Equal(AttackRegistry.Parameters.Count, AttackRegistry.Parameters.Select(p => p.Key).Distinct().Count());
        foreach (var p in AttackRegistry.Parameters)
        {
            Assert.Equal($"--{p.Group}-{p.Name.Replace('_', '-')}", p.Option);
            Assert.DoesNotContain('\n', p.Description);
            Assert.False(string.IsNullOrWhiteSpace(AttackRegistry.DefaultsOf(p)));
        }
        foreach (var d in AttackRegistry.All)
            foreach (var use in d.Settable)
                Assert.Equal(use.Default, use.Parameter.Parse(use.Default, use.Parameter.Key)); // defaults are canonical values
        Assert.Equal("auto", AttackRegistry.DefaultsOf(AttackParameters.RmiaOfflineA));
        Assert.Equal("auto", AttackRegistry.DefaultsOf(AttackParameters.LiraVariance));
        Assert.Equal("stable-logit", AttackRegistry.DefaultsOf(AttackParameters.LiraSignal));
        // Chosen by docs/results.md's measurements: offline RMIA averages its OUT references with a trimmed mean.
        // (The reconstruction RMIA entries keep the plain mean: nothing was measured for them.)
        Assert.StartsWith("rmia-online false, rmia-offline true,", AttackRegistry.DefaultsOf(AttackParameters.RmiaTrimmedMean));
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
        Assert.DoesNotContain(AttackRegistry.All, d => d.RunsByDefault && d.PresetOf is not null);
    }

    [Fact]
    public void NeedsAreCheckedAgainstTheRun()
    {
        var oneQuery = AttackTestData.RandomTies(seed: 2, n: 20, models: 3, augmentations: 1, classes: 2, holdout: 0);
        Assert.Contains("2 queries", AttackRegistry.Get(LabelOnly.AugmentationName).Unmet(oneQuery, 2));
        Assert.Contains("2 reference", AttackRegistry.Get("lira-online").Unmet(oneQuery, 1));
        Assert.Null(AttackRegistry.Get("lira-online").Unmet(oneQuery, 2));
        Assert.Null(AttackRegistry.Get("loss").Unmet(oneQuery, 0));
        // RMIA offline tunes a = auto on a second reference; with a given a one reference is enough.
        var offline = AttackRegistry.Get("rmia-offline");
        Assert.Contains("2 reference", offline.Unmet(oneQuery, 1));
        var given = offline.Settle(new Dictionary<string, string> { ["rmia.offline_a"] = "0.5" });
        Assert.Null(offline.Unmet(oneQuery, ReferenceSet.All([1]), given));
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

/// <summary>The registry's current defaults, read through its declarations (so a changed default
/// does not need a changed test).</summary>
internal static class AttackSettingsTestValues
{
    public static double Gamma(AttackDefinition d) => d.Settle(null).Number(AttackParameters.RmiaGamma);

    public static bool TrimmedMean(AttackDefinition d) => d.Settle(null).Flag(AttackParameters.RmiaTrimmedMean);
}
