using MiaLab.Core.Evaluation;
using MiaLab.Core.IO;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Randomness;
using MiaLab.Core.Runs;
using MiaLab.Experiments.AttackSettings;

namespace MiaLab.Experiments.Tests;

public sealed class AttackSettingsComparisonTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mialab-settings-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Six models in complementary pairs on 120 samples plus a holdout of 30, logits where
    /// the true class is raised for members: a run directory as another tool writes it.</summary>
    private RunDirectory Run()
    {
        const int n = 150, models = 6, classes = 3;
        string root = Path.Combine(_dir, "run");
        var keep = KeepPlan.WithHoldout(KeepPlan.Create(models, 120, KeepPlan.ComplementaryPairs, seed: 2), 30);
        var rng = new StableRandom(4);
        var labels = Enumerable.Range(0, n).Select(_ => (long)rng.Next(classes)).ToArray();
        Npy.Write(Path.Combine(root, "labels.npy"), new NpyArray(labels, n));
        Npy.Write(Path.Combine(root, "keep.npy"), new NpyArray(keep.SelectMany(k => k).ToArray(), models, n));
        Npy.Write(Path.Combine(root, "holdout.npy"), new NpyArray(KeepPlan.HoldoutMask(120, 30)!, n));
        for (int m = 0; m < models; m++)
        {
            var logits = new float[n * classes];
            for (int i = 0; i < n; i++)
                for (int c = 0; c < classes; c++)
                    logits[(i * classes) + c] = (float)(rng.NextDouble() + (c == labels[i] ? (keep[m][i] ? 1.5 : 0.8) : 0));
            Npy.Write(Path.Combine(root, "logits", $"model-{m:D4}.npy"), new NpyArray(logits, n, 1, classes));
        }
        return RunDirectory.Open(root);
    }

    [Fact]
    public void EachAlternativeIsTheAttackAndEvaluateStagesOverEveryTargetOnAViewOfTheRun()
    {
        var run = Run();
        var gammaOne = new AttackAlternative("q", "γ=1", "rmia-online", new Dictionary<string, string> { ["rmia.gamma"] = "1" });
        var butMate = new AttackAlternative("q", "mate", "rmia-online", new Dictionary<string, string>(), ReferencePolicy.ButMate);
        string folder = Path.Combine(_dir, "settings");
        var results = AttackSettingsComparison.Measure(run, [gammaOne, butMate], folder);

        // The same as running the stages on the run itself.
        var plan = new AttackPlan([0, 1, 2, 3, 4, 5], ["rmia-online"]) { Parameters = new Dictionary<string, string> { ["rmia.gamma"] = "1" } };
        AttackStage.Run(run, plan);
        var direct = EvaluateStage.Run(run, new EvaluationOptions(0, 0, PerClass: false));
        Assert.Equal(direct.Pooled.Single().Metrics.Auc, results[0].Pooled.Auc);
        Assert.Equal(6, results[0].PerTarget.Count);
        Assert.NotEqual(results[0].Pooled.Auc, results[1].Pooled.Auc);
        Assert.Equal(4, AttackRecord.TryRead(Path.Combine(folder, butMate.Slug, "attacks", "rmia-online", "target-0000.json"))!.References.Count);

        // The view links the run's arrays instead of copying them.
        Assert.NotNull(new FileInfo(Path.Combine(folder, gammaOne.Slug, "labels.npy")).LinkTarget);

        var table = AttackSettingsComparison.Table(results);
        Assert.Equal(2, table.Rows.Count);
        Assert.Equal(results[0].Pooled.Auc.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture), table.Rows[0].Cells[2].Text);
    }

    [Fact]
    public void TheDefaultAlternativeIsTheOneWithTheRegistrysDefaults()
    {
        var alternatives = AttackSettingsComparison.Default();
        Assert.Equal(alternatives.Count, alternatives.Select(a => a.Slug).Distinct().Count());
        foreach (var attack in new[] { "rmia-offline", "rmia-online", "lira-online", "lira-offline", "shadow" })
            Assert.Single(alternatives, a => a.Attack == attack && AttackSettingsComparison.IsDefault(a));
        Assert.False(AttackSettingsComparison.IsDefault(alternatives.Single(a => a.References is not null)));
    }
}
