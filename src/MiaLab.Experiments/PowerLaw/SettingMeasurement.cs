using System.Diagnostics;
using MiaLab.Core.Attacks;
using MiaLab.Core.IO;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Randomness;
using MiaLab.Core.Runs;
using MiaLab.Experiments.Studies;

namespace MiaLab.Experiments.PowerLaw;

/// <summary>
/// The measurement of one setting, in its run directory: the pool's features (features.npy, extracted
/// once), the plan (keep.npy), the heads' logits (logits.npy, trained once), then each attack against its
/// targets, pooled over the targets: TPR − FPR at every level on all samples and on the most vulnerable
/// ones, each with its sample-bootstrap replicates (bootstrap.npy).
/// </summary>
public static class SettingMeasurement
{
    public const string BootstrapFile = "bootstrap.npy";

    public static PowerLawMeasures Run(PowerLawPlan plan, PowerLawSetting setting, TransferData data, Backbone backbone,
        string runDirectory, StudyContext context)
    {
        var config = setting.Config;
        var p = config.PowerLaw;
        string name = setting.Name;
        Directory.CreateDirectory(runDirectory);
        var (pool, _) = data.Pool(p.Classes, setting.Shots, config.Seed);
        var (features, featureRecord, featuresReused) = PoolFeatures.Prepare(runDirectory, backbone, p.Backbone.Point, pool);
        var keep = KeepPlan.Create(config.Plan.Models, features.Count, config.Plan.Scheme, config.Seed);
        var (logits, heads, headsReused) = PowerLawHeads.Prepare(runDirectory, config, features, featureRecord.FeaturesSha256, keep,
            s => context.Progress?.Invoke(s with { Task = $"heads {name}" }), line => context.Log?.Invoke($"{name}: {line}"), context.Cancel);
        var outputs = new ModelOutputs(logits, features.Labels, keep, 1, features.NumClasses);

        var attackClock = Stopwatch.StartNew();
        var pooled = plan.Attacks.Select(a => (a, Pooled(a, outputs, config.Seed, name, context))).ToList();
        double attackSeconds = attackClock.Elapsed.TotalSeconds;

        var analysisClock = Stopwatch.StartNew();
        var series = new List<SeriesMeasure>();
        var replicates = new List<double[]>();
        foreach (var (budget, pairs) in pooled)
        {
            int targets = PowerLawPlan.TargetCount(budget, outputs.Models);
            Add(series, replicates, budget.Attack, PowerLawMeasures.All, targets, features.Count, pairs, plan.Levels, plan.Resamples, config.Seed);
            foreach (double q in plan.TopFractions)
                foreach (double alpha in plan.Levels)
                {
                    var top = VulnerablePoints.Evaluate(pairs, features.Count, alpha, q);
                    Add(series, replicates, budget.Attack, PowerLawMeasures.Top(q), targets, top.Chosen, top.Pairs, [alpha], plan.Resamples, config.Seed);
                }
        }
        string bootstrapPath = Path.Combine(runDirectory, BootstrapFile);
        Npy.Write(bootstrapPath, new NpyArray(replicates.SelectMany(r => r).ToArray(), replicates.Count, plan.Resamples));

        var accuracies = Enumerable.Range(0, outputs.Models)
            .Select(m => ModelAccuracy.Of(logits[m], features.Labels, keep[m], null, 1, features.NumClasses)).ToList();
        return new PowerLawMeasures(setting.Shots, config.Seed, features.Count, outputs.Models, features.NumClasses, featureRecord.Width,
            Finite(PowerLawFit.Median(accuracies.Select(a => a.Train).Where(double.IsFinite).ToList())),
            Finite(PowerLawFit.Median(accuracies.Select(a => a.Test).Where(double.IsFinite).ToList())),
            series, plan.Resamples, FileHash.Sha256(bootstrapPath), featuresReused, headsReused, heads.Passes,
            featureRecord.Seconds, heads.TrainSeconds, attackSeconds, analysisClock.Elapsed.TotalSeconds);
    }

    /// <summary>Reads a setting's bootstrap replicates back, refusing a file that is not the one its row recorded.</summary>
    public static double[][] ReadBootstrap(string runDirectory, PowerLawMeasures row)
    {
        string path = Path.Combine(runDirectory, BootstrapFile);
        if (FileHash.Sha256OrNull(path) != row.BootstrapSha256)
            throw new Core.InputException($"{path}: missing or changed since its row was measured; delete {Path.Combine(runDirectory, StudyRunner.RowFile)} to measure it again");
        if (row.Resamples == 0) return row.Series.Select(_ => Array.Empty<double>()).ToArray();
        var flat = Npy.Read(path).Get<double>();
        return Enumerable.Range(0, flat.Length / row.Resamples).Select(k => flat.AsSpan(k * row.Resamples, row.Resamples).ToArray()).ToArray();
    }

    /// <summary>One attack against models 0…T−1, each with all other models as references, pooled.</summary>
    private static PooledScores Pooled(AttackBudget budget, ModelOutputs outputs, int seed, string name, StudyContext context)
    {
        var definition = AttackRegistry.Get(budget.Attack);
        int targets = PowerLawPlan.TargetCount(budget, outputs.Models);
        var scores = new double[targets][];
        string task = $"{budget.Attack} {name}";
        for (int t = 0; t < targets; t++)
        {
            context.Cancel.ThrowIfCancellationRequested();
            context.Progress?.Invoke(new StageProgress(task, t, targets));
            var references = Enumerable.Range(0, outputs.Models).Where(m => m != t).ToArray();
            scores[t] = definition.Run(new AttackContext(outputs, t, references, Seeds.Derive(seed, "power-law-attack", t))).Scores;
        }
        context.Progress?.Invoke(new StageProgress(task, targets, targets));
        return PooledScores.From(Enumerable.Range(0, targets).ToList(), scores, outputs.Keep);
    }

    private static void Add(List<SeriesMeasure> series, List<double[]> replicates, string attack, string subset, int targets, int chosen,
        PooledScores pairs, IReadOnlyList<double> levels, int resamples, int seed)
    {
        double[][] draws = resamples > 0 && pairs.HasBothClasses
            ? new SampleBootstrap(pairs).Replicates(levels, resamples, Seeds.Derive(seed, $"power-law-bootstrap {attack} {subset}", replicates.Count))
            : levels.Select(_ => Enumerable.Repeat(double.NaN, resamples).ToArray()).ToArray();
        var roc = pairs.HasBothClasses ? pairs.Roc() : null;
        for (int j = 0; j < levels.Count; j++)
        {
            var a = roc is null ? null : AdvantageAt.From(roc, levels[j]);
            series.Add(new SeriesMeasure(attack, subset, levels[j], targets, chosen, a?.Value ?? double.NaN, a?.Low ?? double.NaN, a?.High ?? double.NaN,
                a?.Tpr ?? double.NaN, a?.Fpr ?? double.NaN, a?.Members ?? 0, a?.NonMembers ?? 0, a?.Estimable ?? false, replicates.Count));
            replicates.Add(draws[j]);
        }
    }

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;
}
