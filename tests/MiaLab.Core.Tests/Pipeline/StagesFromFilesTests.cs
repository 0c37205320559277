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
        AttackStage.Run(run, new AttackPlan([0], ["rmia-online"], References: [1, 2]));
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
}
