using System.Globalization;
using System.Text.Json.Nodes;
using MiaLab.Core.Config;
using MiaLab.Core.Evaluation;
using MiaLab.Core.Mint;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Randomness;
using MiaLab.Experiments.Studies;
using MiaLab.Reports.Pages;
using MiaLab.Torch.Mint;
using MiaLab.Torch.Pipeline;

namespace MiaLab.Experiments;

/// <summary>What the factor study measured on one setting's audited model (model 0 of its run).
/// Null = not measurable.</summary>
/// <param name="Mint">MINT per capture point in forward order, then "all".</param>
/// <param name="MintSubset">MINT (all points) on the used samples of the repeated subset against all unused ones.</param>
/// <param name="Attack">The strongest attack (Core's ranking), with its AUC and TPR at 1% FPR.</param>
public sealed record FactorMeasures(
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
    /// <summary>The max-confidence baseline and the loss attack beside MINT "all", on its MINT-eval samples.</summary>
    public IReadOnlyList<BaselineScore> Baselines { get; init; } = [];
}

/// <summary>The study's rows, the capture points its models share, and where its files are.</summary>
public sealed record FactorStudyResult(IReadOnlyList<FactorRow> Rows, IReadOnlyList<string> Points, string OutputDirectory, double Seconds)
{
    public string MarkdownPath => Path.Combine(OutputDirectory, FactorStudy.Name + ".md");
    public string CsvPath => Path.Combine(OutputDirectory, FactorStudy.Name + ".csv");
    public string JsonPath => Path.Combine(OutputDirectory, FactorStudy.Name + ".json");
    public string ReportPath => Path.Combine(OutputDirectory, StudyRunner.ReportFile);
}

/// <summary>
/// The training-factor study of MINT (DeAlcala et al. 2024, §5), on the study framework: each setting
/// changes one factor of the base config; on each, the audited model (model 0) and its reference
/// models are trained, the target is attacked and audited by MINT per capture point and for all
/// points together. Writes factors.md, factors.csv, factors.json and report.html.
/// </summary>
public sealed class FactorStudy(FactorStudyPlan plan) : IStudy<FactorSetting, FactorMeasures>
{
    public const string Name = "factors";
    private const int Target = 0;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    string IStudy<FactorSetting, FactorMeasures>.Name => Name;

    public RunConfig? Base => plan.Base;

    public string AnalysisKey => string.Join("|", "factors-v7", string.Join(",", plan.Attacks),
        plan.MintEpochs?.ToString(Inv) ?? "default", plan.MintL1.ToString("R", Inv), plan.MintPenalty, plan.RepeatFraction.ToString("R", Inv));

    public IReadOnlyList<FactorSetting> Settings() => plan.Settings();

    public static FactorStudyResult Run(FactorStudyPlan plan, string folder, Action<StageProgress>? progress = null,
        Action<string>? log = null, CancellationToken cancel = default)
    {
        var result = StudyRunner.Run(new FactorStudy(plan), folder, progress, log, cancel);
        var rows = Rows(result.Rows);
        return new FactorStudyResult(rows, Points(rows), result.Folder, result.Seconds);
    }

    public FactorMeasures Measure(FactorSetting setting, string runDirectory, StudyContext context)
    {
        var config = setting.Config;
        var (run, data) = StudyRuns.TrainAndQuery(config, runDirectory, context);
        double trainSeconds = Enumerable.Range(0, config.Plan.Models).Select(m => run.Records.Read(m)!).Sum(r => r.TrainSeconds + r.QuerySeconds);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string analyse = $"analyse {Path.GetFileName(runDirectory)}";
        context.Progress?.Invoke(new StageProgress(analyse, 0, 1));
        var metrics = StudyRuns.Audit(run, data, Target, plan.Attacks, new EvaluationOptions(BootstrapResamples: 0, Seed: config.Seed, PerClass: false), context);
        var strongest = StudyRuns.Strongest(metrics, Target)!;
        // Analysis progress: the attacks are the first step, then one step per MINT detector.
        var (mint, subset, baselines) = RunMint(config, run, data, p => context.Progress?.Invoke(new StageProgress(analyse, 1 + p.Done, 1 + p.Total)), context.Cancel);
        var record = run.Records.Read(Target)!;
        return new FactorMeasures(Finite(record.TrainAccuracy), Finite(record.TestAccuracy), mint, subset, strongest.Attack,
            Finite(strongest.Metrics.Auc), Finite(AttackRanking.Find(strongest.Metrics, 0.01)!.Tpr), trainSeconds, clock.Elapsed.TotalSeconds)
        { Baselines = baselines };
    }

    /// <summary>MINT on the target: one detector per capture point (the confidence view among them: the
    /// default detector), then one on all points together with the confidence view; the default
    /// detector's balanced accuracy on the repeated subset of D against all of E; and the baselines on the same split.</summary>
    private (IReadOnlyList<MintScore> Scores, double? Subset, IReadOnlyList<BaselineScore> Baselines) RunMint(RunConfig config,
        MiaLab.Core.Runs.RunDirectory run, RunData data, Action<StageProgress> progress, CancellationToken cancel)
    {
        using var model = MintStage.LoadAudited(run, Target, config, data.Samples);
        var keep = run.ReadKeep()[Target];
        var (used, unused, _) = MintProtocol.DefaultSets(keep, run.ReadHoldout());
        var subset = SubsetMask(config, keep);
        var points = model.CapturePoints.Append(ActivationCapture.Confidence).Select(p => (Name: p, Points: (IReadOnlyList<string>?)[p]))
            .Append((Name: FactorRow.AllPoints, Points: [ActivationCapture.All, ActivationCapture.Confidence])).ToList();
        var scores = new List<MintScore>();
        double? subsetAccuracy = null;
        IReadOnlyList<BaselineScore> baselines = [];
        for (int j = 0; j < points.Count; j++)
        {
            cancel.ThrowIfCancellationRequested();
            progress(new StageProgress("MINT", j, points.Count));
            var training = new MintTrainingOptions { Epochs = plan.MintEpochs, L1 = plan.MintL1, Penalty = plan.MintPenalty, Seed = Seeds.Derive(config.Seed, "mint-detector", 0) };
            var options = new MintOptions(Points: points[j].Points, Training: training, Seed: config.Seed, BootstrapResamples: 0);
            var (detector, result) = MintProtocol.Run(model, data.Samples, used, unused, options, cancel: cancel);
            detector.Dispose();
            scores.Add(new MintScore(points[j].Name, Finite(result.BalancedAccuracy), Finite(result.Metrics.Auc),
                Finite(result.BalancedAccuracyCi95.Low), Finite(result.BalancedAccuracyCi95.High)));
            if (points[j].Name == FactorRow.DefaultPoint)
            {
                subsetAccuracy = SubsetAccuracy(result, subset);
                baselines = result.Baselines.Select(b => new BaselineScore(b.Name, Finite(b.Eval.BalancedAccuracy), Finite(b.Eval.Ci95.Low),
                    Finite(b.Eval.Ci95.High), Finite(b.Metrics.Auc))).ToList();
            }
        }
        progress(new StageProgress("MINT", points.Count, points.Count));
        return (scores, subsetAccuracy, baselines);
    }

    /// <summary>The repeated samples of the target; for a run without repetition, the subset the
    /// study's repeated fraction would have chosen (so ×1 has a baseline on the same kind of subset).</summary>
    private bool[] SubsetMask(RunConfig config, bool[] keep)
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

    // ───────────────────────── presentation ─────────────────────────

    public static IReadOnlyList<FactorRow> Rows(IReadOnlyList<StudyRow<FactorSetting, FactorMeasures>> rows) =>
        rows.Select(r => new FactorRow(r.Setting.Factor, r.Setting.Value, r.Setting.Name, r.Run, r.Measures.TrainAccuracy, r.Measures.TestAccuracy,
            r.Measures.Mint, r.Setting.Factor == Factors.TimesSeen ? r.Measures.MintSubset : null, r.Measures.Attack, r.Measures.AttackAuc,
            r.Measures.AttackTprAt1PctFpr, r.Measures.TrainSeconds, r.Measures.AnalysisSeconds)
        { Baselines = r.Measures.Baselines }).ToList();

    public static IReadOnlyList<string> Points(IReadOnlyList<FactorRow> rows) =>
        rows.SelectMany(r => r.Mint.Select(m => m.Point)).Where(p => p != FactorRow.AllPoints).Distinct().ToList();

    public PageTable Table(IReadOnlyList<StudyRow<FactorSetting, FactorMeasures>> studyRows) => Table(Rows(studyRows));

    private PageTable Table(IReadOnlyList<FactorRow> rows)
    {
        var points = Points(rows);
        List<TableColumn> columns =
        [
            new("Factor"), new("Value"), new("Test acc.") { Numeric = true },
            .. points.Select(p => new TableColumn("MINT", p) { Numeric = true, Strong = p == FactorRow.DefaultPoint }),
            new("MINT", "all") { Numeric = true }, new($"MINT {FactorRow.DefaultPoint}", "95% CI"), new("MINT", "repeated") { Numeric = true },
            new("Max-conf. baseline") { Numeric = true }, new("Loss attack") { Numeric = true },
            new("Strongest attack"), new("AUC") { Numeric = true }, new("TPR at 1% FPR") { Numeric = true }, new("Train", "s") { Numeric = true },
        ];
        var cells = rows.Select(r => new TableRow(
        [
            Factors.Title(r.Factor), r.Value, N(r.TestAccuracy),
            .. points.Select(p => (TableCell)N(r.MintAt(p))),
            N(r.MintAll), Ci(r.Headline), N(r.MintRepeated),
            N(r.Baseline(MintBaselines.MaxConfidence)?.BalancedAccuracy), N(r.Baseline(MintBaselines.Loss)?.BalancedAccuracy), r.Attack, N(r.AttackAuc), N(r.AttackTprAt1PctFpr), r.TrainSeconds.ToString("0", Inv),
        ], r.Setting)).ToList();
        return new PageTable(columns, cells) { Id = "results-table", EmptyText = "No settings were measured.", Notes = [Note()] };
    }

    public StudyPage Page(IReadOnlyList<StudyRow<FactorSetting, FactorMeasures>> studyRows)
    {
        var rows = Rows(studyRows);
        var points = Points(rows);
        var figures = new List<PageFigure>();
        foreach (var factor in Factors.All)
        {
            var subset = rows.Where(r => r.Factor == factor).ToList();
            if (subset.Count == 0) continue;
            figures.Add(new PageFigure(FactorPlots.FactorPng(factor, subset, points),
                "MINT balanced accuracy against " + Factors.Title(factor).ToLowerInvariant(), FactorPlots.Width)
            { Title = Factors.Title(factor) });
        }
        return new StudyPage("MINT training-factor study", "Membership inference test", Describe(plan))
        {
            Figures = figures,
            Definitions =
            [
                $"MINT (DeAlcala et al., 2024): a Vanilla MINT detector (dense 128 with L1 λ = {plan.MintL1.ToString("0.####", Inv)} on its " +
                $"{plan.MintPenalty}, batch norm, dropout, sigmoid) learns to tell the target's training samples (D) from samples it never saw " +
                "(E, the holdout split) from its activations, reduced per channel by global max. D and E are split 2/3 to train the detector " +
                "and 1/3 to evaluate it; the table shows balanced accuracy at threshold 1/2 on the evaluation part, for one capture point at " +
                "a time and for all points together with the confidence view (the sorted logit-scaled outputs).",
                "Beside MINT, on the same model and the same evaluation samples: the max-confidence baseline (max softmax probability, " +
                "label-free) and the loss attack, each with its threshold chosen where its balanced accuracy is highest on the detector's " +
                "training part. Intervals: ½(TPR + TNR) ± 1.96 standard errors.",
                "Times seen: a seeded 25% of each model's training samples appears that many times per epoch; 'MINT repeated' evaluates the " +
                $"default detector ({FactorRow.DefaultPoint}) on those samples. The attacks use the other models of the setting as references; the strongest is the one " +
                "with the highest TPR at 0.1% FPR (then at 1% and 10%, then AUC); TPR at 1% FPR is the highest TPR among ROC points with FPR ≤ 1%. Each setting's " +
                "own audit report is report/index.html in its run directory.",
            ],
        };
    }

    public JsonObject Summary(IReadOnlyList<StudyRow<FactorSetting, FactorMeasures>> rows) => new()
    {
        ["description"] = Describe(plan),
        ["attacks"] = new JsonArray(plan.Attacks.Select(a => (JsonNode?)a).ToArray()),
        ["mint"] = new JsonObject { ["detector"] = "vanilla", ["l1"] = plan.MintL1, ["penalty"] = plan.MintPenalty, ["epochs"] = plan.MintEpochs },
        ["capture_points"] = new JsonArray(Points(Rows(rows)).Select(p => (JsonNode?)p).ToArray()),
        ["base_config"] = JsonNode.Parse(ConfigFile.ToJson(plan.Base)),
    };

    private string Note() =>
        $"MINT: balanced accuracy of the Vanilla MINT detector (L1 λ = {plan.MintL1.ToString("0.####", Inv)} on its {plan.MintPenalty}) at threshold ½ on MINT-eval " +
        "(⅓ of D = the target's training samples and of E = the holdout split), reading one capture point (per-channel global max) or all of them plus the confidence view. " +
        "Max-conf. baseline and loss attack: balanced accuracy on the same MINT-eval samples at the threshold chosen on MINT-train. " +
        $"MINT {FactorRow.DefaultPoint} is the default detector; its interval is the 95% normal approximation. " +
        $"MINT repeated: the default detector on the repeated samples of D against all of E. " +
        $"Strongest attack: the strongest of {string.Join(", ", plan.Attacks)} (highest TPR at 0.1% FPR, then at 1%, then AUC), on the target's population.";

    /// <summary>One sentence on what was trained.</summary>
    public static string Describe(FactorStudyPlan plan)
    {
        var b = plan.Base;
        string model = b.Model.Kind switch
        {
            "mlp" => $"MLP [{string.Join(", ", b.Model.Hidden)}]",
            MiaLab.Torch.Models.MintPaperCnn.Kind => $"the MINT paper's CNN [{string.Join(", ", b.Model.Channels)}]",
            _ => $"{b.Model.Kind.ToUpperInvariant()} [{string.Join(", ", b.Model.Channels)}]",
        };
        string data = b.Dataset.Source + (b.Dataset.Population > 0 ? $", population {b.Dataset.Population}" : "")
            + (b.Dataset.Holdout > 0 ? $", holdout {b.Dataset.Holdout}" : "");
        return $"Base: {model} on {data}; {b.Plan.Models} models per setting ({b.Plan.Scheme}), target = model 0; "
            + $"{b.Training.Optimizer} lr {b.Training.LearningRate.ToString("0.####", Inv)}, {b.Training.Epochs} epochs, batch {b.Training.BatchSize}, "
            + $"dropout {b.Model.Dropout.ToString("0.##", Inv)}, {b.Training.Loss}. Times seen: {(plan.RepeatFraction * 100).ToString("0.#", Inv)}% of each model's data repeated. "
            + "Each row changes one factor of the base.";
    }

    private static string N(double? v) => StudyTables.Number(v);

    private static string Ci(MintScore? m) => m is { Low: double lo, High: double hi } ? $"[{N(lo)}, {N(hi)}]" : StudyTables.Missing;

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;
}
