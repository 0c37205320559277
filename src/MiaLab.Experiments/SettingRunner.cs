using MiaLab.Core.Randomness;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MiaLab.Core;
using MiaLab.Core.Config;
using MiaLab.Core.Evaluation;
using MiaLab.Core.IO;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Runs;
using MiaLab.Torch.Mint;
using MiaLab.Torch.Models;
using MiaLab.Torch.Pipeline;

namespace MiaLab.Experiments;

/// <summary>What the study measured on one run directory; cached as &lt;run&gt;/factor-row.json.</summary>
internal sealed record RunMeasures(
    string ConfigSha256,
    string AnalysisKey,
    double? TrainAccuracy,
    double? TestAccuracy,
    IReadOnlyList<MintScore> Mint,
    double? MintSubset,
    string Attack,
    double? AttackAuc,
    double? AttackTprAt1PctFpr,
    double TrainSeconds,
    double AnalysisSeconds)
{
    public FactorRow ToRow(FactorSetting s, string run) => new(s.Factor, s.Value, s.Name, run, TrainAccuracy, TestAccuracy, Mint,
        s.Factor == Factors.TimesSeen ? MintSubset : null, Attack, AttackAuc, AttackTprAt1PctFpr, TrainSeconds, AnalysisSeconds);
}

/// <summary>Trains (or resumes) one setting's run directory, attacks its target and runs MINT on it.</summary>
internal static class SettingRunner
{
    public const string CacheFile = "factor-row.json";
    private const int Target = 0;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    public static RunMeasures Measure(FactorStudyPlan plan, RunConfig config, string root, Action<StageProgress>? progress,
        Action<string>? log, CancellationToken cancel)
    {
        string sha = ConfigFile.Sha256(config);
        string key = AnalysisKey(plan);
        if (File.Exists(Path.Combine(root, RunLayout.ManifestFile))
            && RunDirectory.Open(root).Config is { } existing && ConfigFile.Sha256(existing) != sha)
            throw new InputException($"{root} holds this setting trained with another config (another base or study version); " +
                "use a new --out folder, or the base config it was made with");
        var (run, data) = PlanStage.Prepare(config, root, log);
        string name = Path.GetFileName(root);
        TrainStage.Run(run, config, data, progress: p => progress?.Invoke(p with { Task = $"train {name}" }), cancel: cancel);
        QueryStage.Run(run, config, data, progress: p => progress?.Invoke(p with { Task = $"query {name}" }), cancel: cancel);
        var records = Enumerable.Range(0, config.Plan.Models).Select(m => run.Records.Read(m)!).ToList();
        double trainSeconds = records.Sum(r => r.TrainSeconds + r.QuerySeconds);

        string cachePath = Path.Combine(root, CacheFile);
        if (ReadCache(cachePath) is { } cached && cached.ConfigSha256 == sha && cached.AnalysisKey == key)
            return cached with { TrainSeconds = trainSeconds };

        var clock = Stopwatch.StartNew();
        string analyse = $"analyse {name}";
        progress?.Invoke(new StageProgress(analyse, 0, 1));
        AttackStage.Run(run, new AttackPlan([Target], plan.Attacks, null, config.Seed), cancel: cancel);
        var metrics = EvaluateStage.Run(run, new EvaluationOptions(BootstrapResamples: 0, Seed: config.Seed, PerClass: false), cancel: cancel);
        var strongest = AttackRanking.Strongest(metrics.ForTarget(Target), a => a.Metrics, a => a.Attack)!;
        // Analysis progress: the attacks are the first step, then one step per MINT detector.
        var (mint, subset) = RunMint(plan, config, run, data,
            p => progress?.Invoke(new StageProgress(analyse, 1 + p.Done, 1 + p.Total)), cancel);
        var record = run.Records.Read(Target)!;
        var measures = new RunMeasures(sha, key, Finite(record.TrainAccuracy), Finite(record.TestAccuracy), mint, subset,
            strongest.Attack, Finite(strongest.Metrics.Auc), Finite(AttackRanking.Find(strongest.Metrics, 0.01)!.Tpr),
            trainSeconds, clock.Elapsed.TotalSeconds);
        AtomicFile.WriteAllText(cachePath, JsonSerializer.Serialize(measures, Json) + "\n");
        return measures;
    }

    /// <summary>MINT on the target: one detector per capture point, then one on all points together;
    /// and the all-points detector's balanced accuracy on the repeated subset of D against all of E.</summary>
    private static (IReadOnlyList<MintScore> Scores, double? Subset) RunMint(FactorStudyPlan plan, RunConfig config, RunDirectory run,
        RunData data, Action<StageProgress> progress, CancellationToken cancel)
    {
        using var model = MintStage.LoadAudited(run, Target, config, data.Samples);
        var keep = run.ReadKeep()[Target];
        var (used, unused, _) = MintProtocol.DefaultSets(keep, run.ReadHoldout());
        var subset = SubsetMask(plan, config, keep);
        var points = model.CapturePoints.Select(p => (Name: p, Points: (IReadOnlyList<string>?)[p]))
            .Append((Name: FactorRow.AllPoints, Points: null)).ToList();
        var scores = new List<MintScore>();
        double? subsetAccuracy = null;
        for (int j = 0; j < points.Count; j++)
        {
            cancel.ThrowIfCancellationRequested();
            progress(new StageProgress("MINT", j, points.Count));
            var training = new MintTrainingOptions { Epochs = plan.MintEpochs, L1 = plan.MintL1, Seed = Seeds.Derive(config.Seed, "mint-detector", 0) };
            var options = new MintOptions(Points: points[j].Points, Training: training, Seed: config.Seed, BootstrapResamples: 0);
            var (detector, result) = MintProtocol.Run(model, data.Samples, used, unused, options, cancel: cancel);
            detector.Dispose();
            scores.Add(new MintScore(points[j].Name, Finite(result.BalancedAccuracy), Finite(result.Metrics.Auc)));
            if (points[j].Points is null) subsetAccuracy = SubsetAccuracy(result, subset);
        }
        progress(new StageProgress("MINT", points.Count, points.Count));
        return (scores, subsetAccuracy);
    }

    /// <summary>The repeated samples of the target; for a run without repetition, the subset the
    /// study's repeated fraction would have chosen (so ×1 has a baseline on the same kind of subset).</summary>
    private static bool[] SubsetMask(FactorStudyPlan plan, RunConfig config, bool[] keep)
    {
        if (config.Training.RepeatFraction > 0 && config.Training.RepeatTimes > 1)
            return TrainStage.RepeatedMask(config, keep, Target);
        var hypothetical = ConfigFile.Clone(config);
        hypothetical.Training.RepeatFraction = plan.RepeatFraction;
        hypothetical.Training.RepeatTimes = 2;
        return TrainStage.RepeatedMask(hypothetical, keep, Target);
    }

    /// <summary>Balanced accuracy at ½ on the subset's samples of MINT-eval's used side against all its unused side.</summary>
    private static double? SubsetAccuracy(MintResult result, bool[] subset)
    {
        var used = result.Split.UsedEval;
        var probabilities = new List<double>();
        var isUsed = new List<bool>();
        for (int k = 0; k < result.EvalProbabilities.Length; k++)
        {
            bool u = result.EvalIsUsed[k];
            // Eval rows are MINT-eval's used samples, then its unused ones.
            if (u && !subset[used[k]]) continue;
            probabilities.Add(result.EvalProbabilities[k]);
            isUsed.Add(u);
        }
        if (!isUsed.Contains(true) || !isUsed.Contains(false)) return null;
        return Finite(MintProtocol.BalancedAccuracyAtHalf(probabilities.ToArray(), isUsed.ToArray()));
    }

    private static string AnalysisKey(FactorStudyPlan plan) => string.Join("|",
        "v2", string.Join(",", plan.Attacks), plan.MintEpochs?.ToString(CultureInfo.InvariantCulture) ?? "default",
        plan.MintL1.ToString("R", CultureInfo.InvariantCulture),
        plan.RepeatFraction.ToString("R", CultureInfo.InvariantCulture));

    private static RunMeasures? ReadCache(string path)
    {
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<RunMeasures>(File.ReadAllText(path), Json); }
        catch (JsonException) { return null; } // a broken cache is measured again
    }

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;
}
