using System.Globalization;
using System.Text.Json.Nodes;
using MiaLab.Core.Attacks;
using MiaLab.Core.Config;
using MiaLab.Core.Evaluation;
using MiaLab.Core.IO;
using MiaLab.Core.Pipeline;
using MiaLab.Experiments.Studies;
using MiaLab.Reports;
using MiaLab.Reports.Pages;

namespace MiaLab.Experiments;

/// <summary>One setting: a task, the side of its targets (output dimension side²) and the population
/// (each model trains on about half of it).</summary>
public sealed record TranslationSetting(string Task, int Side, int Population, string Name, RunConfig Config) : IStudySetting;

/// <summary>One attack's pooled metrics over every target of a setting (null = not estimable).</summary>
public sealed record TranslationAttackScore(string Attack, double? Auc, double? TprAt1Pct, double? TprAt01Pct);

/// <summary>A sample of model 0 for the scatter: its L_rec, L_pred and whether model 0 trained on it.</summary>
public sealed record ScatterPoint(double Recon, double Predictability, bool Member);

/// <summary>What was measured on one setting.</summary>
/// <param name="MemberL1">Mean L_rec (identity) of the models on their own training samples.</param>
/// <param name="HeldOutL1">Mean L_rec of the models on the holdout split.</param>
public sealed record TranslationMeasures(double? MemberL1, double? HeldOutL1, int MembersPerModel, IReadOnlyList<TranslationAttackScore> Attacks,
    IReadOnlyList<ScatterPoint> Scatter, double TrainSeconds, double AnalysisSeconds);

/// <summary>The study's grid over a base config: tasks × target sides × populations.</summary>
/// <param name="Steps">Optimisation steps per model in every setting (epochs = steps × batch / training-set size, at least 1),
/// so a smaller training set is seen more often rather than trained less; null = the base config's epochs.</param>
public sealed record TranslationStudyPlan(RunConfig Base, IReadOnlyList<string> Tasks, IReadOnlyList<int> Sides, IReadOnlyList<int> Populations,
    int? Steps = null)
{
    // Enough steps for the U-Nets to memorise their sets (the example audit's leakage appeared at
    // 200 epochs of 300 images, ~1,900 steps; 300 steps left the members' error at the holdout's).
    public const int DefaultSteps = 1500;

    /// <summary>The default base: 6 U-Nets [8, 16] per setting (LiRA needs two OUT references for every non-member of a
    /// target), Adam (the plan sets the epochs from its step count), a holdout of 300 test images.</summary>
    public static RunConfig DefaultBase()
    {
        var c = new RunConfig();
        c.Dataset.Holdout = 300;
        c.Plan.Models = 6;
        c.Model.Kind = "unet";
        c.Model.Channels = [8, 16];
        c.Training = new TrainingConfig { Loss = "l1", Optimizer = "adam", LearningRate = 0.003, Epochs = 8, BatchSize = 32, Schedule = "cosine", ModelsPerPass = 4 };
        c.Task = new TaskConfig { Kind = "edges2image" };
        return c;
    }

    /// <summary>edges2image and superres × targets of 7×7, 14×14, 28×28 × populations of 100 and 400 (50 and 200 training images per model).</summary>
    public static TranslationStudyPlan Default(RunConfig? baseConfig, int? steps = DefaultSteps) =>
        new(baseConfig ?? DefaultBase(), ["edges2image", "superres"], [7, 14, 28], [100, 400], steps);

    /// <summary>For CI: one task, two sides, 6 tiny models of 2 epochs on 40 images each, a backbone of 1 epoch on 200 images.</summary>
    public static TranslationStudyPlan Quick(RunConfig? baseConfig)
    {
        var c = baseConfig is null ? DefaultBase() : ConfigFile.Clone(baseConfig);
        if (baseConfig is null)
        {
            c.Dataset.Holdout = 40;
            c.Plan.Models = 6;
            c.Model.Channels = [4, 8];
            c.Training.Epochs = 2;
            c.Task!.Predictability = new PredictabilityConfig { BackboneChannels = [4, 8, 8], BackboneEpochs = 1, BackboneSamples = 200 };
        }
        return new(c, ["edges2image"], [7, 28], [80]);
    }

    public IReadOnlyList<TranslationSetting> Settings()
    {
        if (Base.Task is null) throw new Core.InputException("the translation study's base config needs a task section (model.kind unet)");
        var list = new List<TranslationSetting>();
        // Smallest populations first: every task's sweep over output sizes is measured before the costlier ones.
        foreach (int population in Populations)
            foreach (var task in Tasks)
                foreach (int side in Sides)
                {
                    var c = ConfigFile.Clone(Base);
                    c.Task!.Kind = task;
                    c.Task.TargetSize = side;
                    c.Dataset.Population = population;
                    if (Steps is int steps)
                        c.Training.Epochs = Math.Max(1, (int)Math.Ceiling((double)steps * c.Training.BatchSize / Math.Max(1, population / 2)));
                    ConfigFile.Validate(c);
                    list.Add(new TranslationSetting(task, side, population, $"{task}-{side}x{side}-n{population}", c));
                }
        return list;
    }
}

/// <summary>
/// The dimensionality study of image-to-image membership leakage (Shafran, Peleg, Hoshen, ICCV 2021):
/// on each setting of tasks × output resolution × population, every model in turn is the target of the
/// image-to-image attacks (recon, recon-predictability, LiRA and RMIA on L_rec) with the others as
/// references, and each attack's pooled ROC gives its AUC and TPR at 1% and 0.1% FPR. Writes
/// translation.md, .csv, .json and report.html; one backbone serves every setting.
/// </summary>
public sealed class TranslationStudy(TranslationStudyPlan plan) : IStudy<TranslationSetting, TranslationMeasures>
{
    public const string Name = "translation";
    public const int ScatterPoints = 600;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    string IStudy<TranslationSetting, TranslationMeasures>.Name => Name;

    public RunConfig? Base => null;

    public string AnalysisKey => "translation-v1|" + string.Join(",", AttackRegistry.NamesFor(AttackInput.Reconstruction));

    public IReadOnlyList<TranslationSetting> Settings() => plan.Settings();

    public static StudyResult<TranslationSetting, TranslationMeasures> Run(TranslationStudyPlan plan, string folder, Action<StageProgress>? progress = null,
        Action<string>? log = null, CancellationToken cancel = default) =>
        StudyRunner.Run(new TranslationStudy(plan), folder, progress, log, cancel);

    public TranslationMeasures Measure(TranslationSetting setting, string runDirectory, StudyContext context)
    {
        var config = setting.Config;
        string backbone = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(runDirectory))!, "backbone");
        var (run, data) = StudyRuns.TrainAndQuery(config, runDirectory, context, backboneDirectory: backbone);
        double trainSeconds = Enumerable.Range(0, config.Plan.Models).Select(m => run.Records.Read(m)!).Sum(r => r.TrainSeconds + r.QuerySeconds);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var targets = Enumerable.Range(0, config.Plan.Models).ToList();
        AttackStage.Run(run, new AttackPlan(targets, null, null, config.Seed), cancel: context.Cancel);
        var metrics = EvaluateStage.Run(run, new EvaluationOptions(BootstrapResamples: 0, Seed: config.Seed, PerClass: false), cancel: context.Cancel);
        ReportStage.Write(run, 0, data.Samples, context.Log);

        var scores = AttackRegistry.NamesFor(AttackInput.Reconstruction).Select(a =>
        {
            var pooled = metrics.Pooled.FirstOrDefault(p => p.Attack == a)?.Metrics
                ?? metrics.ForTarget(0).FirstOrDefault(e => e.Attack == a)?.Metrics;
            return new TranslationAttackScore(a, Finite(pooled?.Auc), Tpr(pooled, 0.01), Tpr(pooled, 0.001));
        }).ToList();

        var (outputs, _) = ReconstructionRunOutputs.Load(run);
        double? MeanOver(Func<int, int, bool> include)
        {
            var values = new List<double>();
            for (int m = 0; m < outputs.Models; m++)
                for (int i = 0; i < outputs.Samples; i++)
                    if (include(m, i)) values.Add(outputs.Error(m, i, 0));
            return values.Count == 0 ? null : values.Average();
        }
        var keep = outputs.Keep;
        var predictability = outputs.Predictability!;
        var candidates = Enumerable.Range(0, outputs.Samples).Where(i => !outputs.Holdout[i]).ToList();
        int step = Math.Max(1, candidates.Count / ScatterPoints);
        var scatter = candidates.Where((_, k) => k % step == 0).Take(ScatterPoints)
            .Select(i => new ScatterPoint(outputs.Error(0, i, 0), predictability[i], keep[0][i])).ToList();
        return new TranslationMeasures(MeanOver((m, i) => keep[m][i]), MeanOver((_, i) => outputs.Holdout[i]), keep[0].Count(k => k),
            scores, scatter, trainSeconds, clock.Elapsed.TotalSeconds);
    }

    // ───────────────────────── presentation ─────────────────────────

    public PageTable Table(IReadOnlyList<StudyRow<TranslationSetting, TranslationMeasures>> rows)
    {
        var attacks = AttackRegistry.NamesFor(AttackInput.Reconstruction);
        List<TableColumn> columns =
        [
            new("Task"), new("Output", "pixels") { Numeric = true }, new("Train set", "per model") { Numeric = true },
            new("L1", "held-out / member") { Numeric = true },
            .. attacks.Select(a => new TableColumn(a.Replace("recon-", "", StringComparison.Ordinal), "AUC") { Numeric = true, Strong = a == ReconstructionAttacks.PredictabilityName }),
        ];
        var cells = rows.Select(r => new TableRow(
        [
            r.Setting.Task,
            new TableCell((r.Setting.Side * r.Setting.Side).ToString(Inv)) { Details = [$"{r.Setting.Side}×{r.Setting.Side}"] },
            r.Measures.MembersPerModel.ToString(Inv),
            new TableCell(N(r.Measures.HeldOutL1)) { Details = [N(r.Measures.MemberL1)] },
            .. attacks.Select(a =>
            {
                var s = r.Measures.Attacks.FirstOrDefault(x => x.Attack == a);
                return new TableCell(N(s?.Auc)) { Details = [$"1%: {N(s?.TprAt1Pct)}", $"0.1%: {N(s?.TprAt01Pct)}"] };
            }),
        ], r.Setting.Name)).ToList();
        return new PageTable(columns, cells)
        {
            Id = "results-table",
            EmptyText = "No settings were measured.",
            Notes = ["AUC of each attack's ROC pooled over every model of the setting as target (the others its references); under it the TPR at 1% and " +
                "at 0.1% FPR (– = not estimable: fewer than 1/α non-members). L1: mean reconstruction error of the models on the holdout split, " +
                "and under it on their own training samples."],
        };
    }

    public StudyPage Page(IReadOnlyList<StudyRow<TranslationSetting, TranslationMeasures>> rows)
    {
        var figures = new List<PageFigure>();
        foreach (var group in rows.GroupBy(r => (r.Setting.Task, r.Setting.Population)))
        {
            string title = $"{group.Key.Task}, population {group.Key.Population.ToString(Inv)}: AUC against output dimension";
            figures.Add(new PageFigure(TranslationPlots.AucPng(group.ToList()), title, TranslationPlots.Width) { Title = title });
        }
        foreach (var task in rows.Select(r => r.Setting.Task).Distinct())
        {
            var shown = rows.Where(r => r.Setting.Task == task).OrderByDescending(r => r.Setting.Side).ThenBy(r => r.Setting.Population).First();
            figures.Add(new PageFigure(TranslationPlots.ScatterPng(shown.Measures.Scatter), $"L_rec against L_pred, {shown.Setting.Name}", TranslationPlots.Width)
            { Title = $"{shown.Setting.Name}: L_rec against L_pred, model 0's members and non-members" });
        }
        return new StudyPage("Image-to-image membership leakage", "Reconstruction-error attacks", Describe(plan))
        {
            Figures = figures,
            Definitions =
            [
                "L_rec: the mean absolute difference between the model's output and the target, images in [0, 1]. L_pred: the mean absolute error, on " +
                "a seeded 30% of a grid's positions, of a ridge fit from a pretrained backbone's features of the input (four stages, resized to the grid) " +
                "to the target on the other 70% — how predictable the sample is without any training set (Shafran, Peleg, Hoshen, ICCV 2021).",
                "recon: score −L_rec. predictability: score −(L_rec − L_pred), the paper's membership error. lira-online / lira-offline: LiRA on " +
                "−log L_rec with the setting's other models as references. rmia-online / rmia-offline: RMIA with Pr(x|θ) = exp(−L_rec/τ), τ the " +
                "references' median error, γ = 1.",
                "Output dimension: the target is Fashion-MNIST's 28×28 image averaged over blocks to 7×7, 14×14 or 28×28; the U-Net and its input are " +
                "the same in every setting, its output averaged the same way. Each setting's own audit report is report/index.html in its run directory.",
            ],
        };
    }

    public JsonObject Summary(IReadOnlyList<StudyRow<TranslationSetting, TranslationMeasures>> rows) => new()
    {
        ["description"] = Describe(plan),
        ["tasks"] = new JsonArray(plan.Tasks.Select(t => (JsonNode?)t).ToArray()),
        ["sides"] = new JsonArray(plan.Sides.Select(s => (JsonNode?)s).ToArray()),
        ["populations"] = new JsonArray(plan.Populations.Select(p => (JsonNode?)p).ToArray()),
        ["attacks"] = new JsonArray(AttackRegistry.NamesFor(AttackInput.Reconstruction).Select(a => (JsonNode?)a).ToArray()),
        ["base_config"] = JsonNode.Parse(ConfigFile.ToJson(plan.Base)),
    };

    public static string Describe(TranslationStudyPlan plan)
    {
        var b = plan.Base;
        string length = plan.Steps is int steps ? $"{steps} steps per model in every setting" : $"{b.Training.Epochs} epochs";
        return $"U-Net [{string.Join(", ", b.Model.Channels)}], {b.Training.Loss} loss, {b.Training.Optimizer} lr {b.Training.LearningRate.ToString("0.####", Inv)}, " +
            $"{length}, batch {b.Training.BatchSize}; {b.Plan.Models} models per setting ({b.Plan.Scheme}), each on about half of the population; " +
            $"holdout {b.Dataset.Holdout} Fashion-MNIST test images. Tasks {string.Join(", ", plan.Tasks)} × targets {string.Join(", ", plan.Sides.Select(s => $"{s}×{s}"))} × " +
            $"populations {string.Join(", ", plan.Populations)}.";
    }

    private static double? Tpr(AttackMetrics? metrics, double alpha) =>
        metrics is null ? null : AttackRanking.Find(metrics, alpha) is { Estimable: true } t ? Finite(t.Tpr) : null;

    private static string N(double? v) => StudyTables.Number(v);

    private static double? Finite(double? v) => v is double d && double.IsFinite(d) ? d : null;
}
