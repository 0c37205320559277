using MiaLab.Core.Attacks;
using MiaLab.Core.Evaluation;
using MiaLab.Core.IO;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Runs;
using MiaLab.Core.Tests.Attacks;
using MiaLab.Core.Tests.IO;

namespace MiaLab.Core.Tests.Pipeline;

/// <summary>The attack and evaluate stages talk only through the run directory's files.</summary>
public sealed class StagesFromFilesTests : IDisposable
{
    private readonly TempFolder _tmp = new();
    private static readonly EvaluationOptions NoBootstrap = new(BootstrapResamples: 0);

    public void Dispose() => _tmp.Dispose();

    /// <summary>A run directory as another tool would write it: labels, keep, holdout, logits.</summary>
    private RunDirectory WriteRun(ModelOutputs o)
    {
        string root = _tmp.File("run");
        Npy.Write(Path.Combine(root, "labels.npy"), new NpyArray(o.Labels, o.Samples));
        Npy.Write(Path.Combine(root, "keep.npy"), new NpyArray(o.Keep.SelectMany(k => k).ToArray(), o.Models, o.Samples));
        if (o.Holdout.Contains(true)) Npy.Write(Path.Combine(root, "holdout.npy"), new NpyArray(o.Holdout, o.Samples));
        for (int m = 0; m < o.Models; m++)
            Npy.Write(Path.Combine(root, "logits", $"model-{m:D4}.npy"), new NpyArray(o.Logits[m], o.Samples, o.Augmentations, o.Classes));
        return RunDirectory.Open(root);
    }

    private static ModelOutputs Outputs() => AttackTestData.RandomTies(seed: 8, n: 80, models: 6, augmentations: 2, classes: 3, holdout: 10);

    [Fact]
    public void MetricsAreTheEvaluationOfTheScoreFilesOnThePopulation()
    {
        var o = Outputs();
        var run = WriteRun(o);
        AttackStage.Run(run, new AttackPlan([0], ["loss", "lira-online"]));
        var metrics = EvaluateStage.Run(run, NoBootstrap);

        foreach (var name in new[] { "loss", "lira-online" })
        {
            var scores = Npy.Read(run.Paths.AttackScores(name, 0)).ToFloat64();
            var rows = Enumerable.Range(0, o.Samples).Where(i => !o.Holdout[i]).ToArray();
            var expected = Evaluator.Evaluate(rows.Select(i => scores[i]).ToArray(), rows.Select(i => o.Keep[0][i]).ToArray(),
                rows.Select(i => o.Labels[i]).ToArray(), NoBootstrap);
            var got = metrics.ForTarget(0).Single(a => a.Attack == name);
            Assert.Equal(expected.Auc, got.Metrics.Auc, 12);
            Assert.Equal(expected.Members, got.Metrics.Members);
            Assert.Equal(FileHash.Sha256(run.Paths.AttackScores(name, 0)), got.ScoresSha256);
            Assert.Equal(AttackRegistry.Get(name).Family, got.Family);
        }
        // The file on disk reads back as what the stage returned.
        var back = RunMetrics.Read(run.Paths.Metrics);
        Assert.Equal(metrics.Attacks.Select(a => (a.Attack, a.Target, a.Metrics.Auc)), back.Attacks.Select(a => (a.Attack, a.Target, a.Metrics.Auc)));
        Assert.Equal(o.Keep[0].Where((k, i) => k && !o.Holdout[i]).Count(), back.Targets.Single().Members);
    }

    [Fact]
    public void AttacksRunInSeveralCallsEndUpInOneMetricsFileWithThePooledRoc()
    {
        var run = WriteRun(Outputs());
        AttackStage.Run(run, new AttackPlan([0], ["loss"]));
        EvaluateStage.Run(run, NoBootstrap);
        AttackStage.Run(run, new AttackPlan([0, 1, 2], ["lira-online"]));
        var metrics = EvaluateStage.Run(run, NoBootstrap);

        Assert.Equal(["lira-online", "loss"], metrics.ForTarget(0).Select(a => a.Attack).Order());
        Assert.Equal([0, 1, 2], metrics.Targets.Select(t => t.Target));
        var pooled = Assert.Single(metrics.Pooled);
        Assert.Equal("lira-online", pooled.Attack);
        Assert.Equal([0, 1, 2], pooled.Targets);
        Assert.Equal(metrics.ForTarget(0).Single(a => a.Attack == "lira-online").Metrics.Members
            + metrics.ForTarget(1).Single().Metrics.Members + metrics.ForTarget(2).Single().Metrics.Members, pooled.Metrics.Members);
    }

    [Fact]
    public void ScoresWhoseInputsChangedAreLeftOutNotMixedIn()
    {
        var o = Outputs();
        var run = WriteRun(o);
        AttackStage.Run(run, new AttackPlan([0], ["loss", "lira-online"]));
        // Model 3's logits change: lira-online read them (as a reference), loss did not.
        var changed = (float[])o.Logits[3].Clone();
        changed[0] += 1;
        Npy.Write(run.Paths.Logits(3), new NpyArray(changed, o.Samples, o.Augmentations, o.Classes));
        var metrics = EvaluateStage.Run(run, NoBootstrap);

        Assert.Equal(["loss"], metrics.ForTarget(0).Select(a => a.Attack));
        var left = Assert.Single(metrics.LeftOut);
        Assert.Equal("lira-online", left.Attack);
        Assert.Contains("stale", left.Reason);
        Assert.Contains("logits/model-0003.npy", left.Reason);

        // Attacking again recomputes exactly the stale one; then nothing is left out.
        AttackStage.Run(run, new AttackPlan([0], ["loss", "lira-online"]));
        metrics = EvaluateStage.Run(run, NoBootstrap);
        Assert.Empty(metrics.LeftOut);
        Assert.Equal(2, metrics.ForTarget(0).Count());
    }

    [Fact]
    public void AScoreFileThatNoLongerMatchesItsRecordIsLeftOut()
    {
        var run = WriteRun(Outputs());
        AttackStage.Run(run, new AttackPlan([0], ["loss"]));
        var scores = Npy.Read(run.Paths.AttackScores("loss", 0)).ToFloat64();
        scores[0] = -scores[0] - 1;
        Npy.Write(run.Paths.AttackScores("loss", 0), new NpyArray(scores, scores.Length));
        var metrics = EvaluateStage.Run(run, NoBootstrap);
        Assert.Empty(metrics.Attacks);
        Assert.Contains("does not match its record", Assert.Single(metrics.LeftOut).Reason);
    }

    [Fact]
    public void ARerunKeepsScoresWhoseComputationIsUnchanged()
    {
        var run = WriteRun(Outputs());
        AttackStage.Run(run, new AttackPlan([0], ["rmia-online"]));
        string record = run.Paths.AttackRecord("rmia-online", 0);
        var stamp = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(record, stamp);
        AttackStage.Run(run, new AttackPlan([0], ["rmia-online"]));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(record));
        // Other references are another computation: the scores are made again.
        AttackStage.Run(run, new AttackPlan([0], ["rmia-online"], References: ReferencePolicy.SameList([1, 2])));
        Assert.NotEqual(stamp, File.GetLastWriteTimeUtc(record));
        Assert.Equal([1, 2], AttackRecord.TryRead(record)!.References);
    }

    [Fact]
    public void EvaluationReusesUnchangedEntriesAndRedoesThemWhenTheOptionsChange()
    {
        var run = WriteRun(Outputs());
        AttackStage.Run(run, new AttackPlan([0], ["loss"]));
        var first = EvaluateStage.Run(run, NoBootstrap);
        // Plant a marker in the stored AUC: an evaluation with the same options and scores keeps it…
        File.WriteAllText(run.Paths.Metrics, File.ReadAllText(run.Paths.Metrics).Replace(
            $"\"auc\": {first.Attacks[0].Metrics.Auc.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}", "\"auc\": 0.123"));
        Assert.Equal(0.123, EvaluateStage.Run(run, NoBootstrap).Attacks[0].Metrics.Auc);
        // …and other options evaluate afresh.
        Assert.Equal(first.Attacks[0].Metrics.Auc, EvaluateStage.Run(run, NoBootstrap with { PerClass = false }).Attacks[0].Metrics.Auc, 12);
    }

    [Fact]
    public void DefaultsThatTheRunCannotSupportAreSkippedButNamedOnesAreErrors()
    {
        var o = AttackTestData.RandomTies(seed: 8, n: 40, models: 2, augmentations: 1, classes: 3, holdout: 0);
        var run = WriteRun(o);
        var result = AttackStage.Run(run, new AttackPlan([0]));
        Assert.Contains(result.Skipped, s => s.Attack == "lira-online" && s.Reason.Contains("reference"));
        Assert.Contains(result.Skipped, s => s.Attack == LabelOnly.AugmentationName);
        Assert.Contains(result.Records, r => r.Attack == "loss");
        var e = Assert.Throws<InputException>(() => AttackStage.Run(run, new AttackPlan([0], ["lira-online"])));
        Assert.Contains("lira-online needs at least 2 reference", e.Message);
    }

    [Fact]
    public void AllTargetsWithOneReferenceListAttacksEveryTargetAndPoolsThem()
    {
        // The old failure: --all-targets --refs 2,3 stopped at target 2 ("reference model 2 is the target model").
        var o = Outputs();
        var run = WriteRun(o);
        var plan = new AttackPlan([0, 1, 2, 3, 4, 5], ["rmia-online"], ReferencePolicy.SameList([2, 3]));
        var result = AttackStage.Run(run, plan);
        Assert.Equal([0, 1, 2, 3, 4, 5], result.Records.Select(r => r.Target));
        Assert.Equal([3], result.Records.Single(r => r.Target == 2).References);
        Assert.Equal([2, 3], result.Records.Single(r => r.Target == 5).References);
        var metrics = EvaluateStage.Run(run, NoBootstrap);
        Assert.Equal([0, 1, 2, 3, 4, 5], metrics.Pooled.Single(p => p.Attack == "rmia-online").Targets);

        // A default attack that needs two references is skipped where the list leaves one, and says where.
        var defaults = AttackStage.Run(run, plan with { Attacks = null });
        var (_, reason) = defaults.Skipped.Single(s => s.Attack == "lira-online");
        Assert.Contains("targets 2, 3", reason);
        Assert.Contains(defaults.Records, r => r.Attack == "lira-online" && r.Target == 4);
    }

    [Fact]
    public void EveryTargetsReferencesAreCheckedBeforeAnyScoreIsWritten()
    {
        var run = WriteRun(Outputs());
        var plan = new AttackPlan([0, 1, 2], ["rmia-online", "lira-online"], ReferencePolicy.SameList([1, 2]));
        var e = Assert.Throws<InputException>(() => AttackStage.Run(run, plan));
        Assert.Contains("lira-online needs at least 2 reference", e.Message);
        Assert.Contains("target 1", e.Message);
        Assert.False(Directory.Exists(run.Paths.AttacksDirectory), "scores were written before the plan was refused");

        var perTarget = ReferencePolicy.PerTarget(new Dictionary<int, IReadOnlyList<int>> { [0] = [1, 2], [1] = [1, 3] });
        Assert.Contains("names the target itself", Assert.Throws<InputException>(() => AttackStage.Run(run, plan with { References = perTarget })).Message);
        Assert.False(Directory.Exists(run.Paths.AttacksDirectory));
    }

    [Fact]
    public void TheParametersAnAttackRanWithAreRecordedAndChangingThemRescores()
    {
        // Complementary pairs give every sample OUT references whichever the target.
        var o = Outputs();
        var keep = KeepPlan.WithHoldout(KeepPlan.Create(6, 70, KeepPlan.ComplementaryPairs, seed: 1), 10);
        var run = WriteRun(new ModelOutputs(o.Logits, o.Labels, keep, o.Augmentations, o.Classes, o.Holdout));
        var plan = new AttackPlan([0], ["rmia-offline"], ReferencePolicy.OutPerSample(1))
        {
            Parameters = new Dictionary<string, string> { ["rmia.gamma"] = "1", ["rmia.offline_a"] = "0.4" },
        };
        AttackStage.Run(run, plan);
        var metrics = EvaluateStage.Run(run, NoBootstrap);
        var entry = metrics.ForTarget(0).Single();
        Assert.Equal("1", entry.Parameters["gamma"]);
        Assert.Equal("0.4", entry.Parameters["offline_a"]);
        Assert.Equal("1", entry.Parameters["temperature"]);
        Assert.Equal("false", entry.Parameters["trimmed_mean"]);
        Assert.Equal("out-k (k = 1)", entry.Parameters[AttackStage.ReferencePolicyKey]);
        Assert.Equal(0.4, entry.Extras["offline_a"]);
        Assert.Equal("1", RunMetrics.Read(run.Paths.Metrics).ForTarget(0).Single().Parameters["gamma"]);

        string sha = entry.ScoresSha256;
        AttackStage.Run(run, plan with { Parameters = new Dictionary<string, string> { ["rmia.gamma"] = "2", ["rmia.offline_a"] = "0.4" } });
        var again = EvaluateStage.Run(run, NoBootstrap).ForTarget(0).Single();
        Assert.Equal("2", again.Parameters["gamma"]);
        Assert.NotEqual(sha, again.ScoresSha256);

        var preset = new AttackPlan([0], ["lira-online-fixed-var"]) { Parameters = new Dictionary<string, string> { ["lira.variance"] = "per-sample" } };
        Assert.Contains("lira-online-fixed-var is lira-online with its parameters fixed, but lira.variance = per-sample was set",
            Assert.Throws<InputException>(() => AttackStage.Run(run, preset)).Message);
        Assert.Contains("not an attack parameter", Assert.Throws<InputException>(() => AttackStage.Run(run,
            new AttackPlan([0], ["loss"]) { Parameters = new Dictionary<string, string> { ["rmia.gama"] = "1" } })).Message);
    }
}
