using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MiaLab.Core;
using MiaLab.Core.Config;
using MiaLab.Core.Pipeline;
using MiaLab.Experiments.Studies;
using MiaLab.Reports.Pages;

namespace MiaLab.Experiments.PowerLaw;

/// <summary>The study's rows, its laws and where its files are.</summary>
public sealed record PowerLawStudyResult(StudyResult<PowerLawSetting, PowerLawMeasures> Study, IReadOnlyList<LawResult> Laws, BackboneRecord Backbone)
{
    public IReadOnlyList<StudyRow<PowerLawSetting, PowerLawMeasures>> Rows => Study.Rows;
}

/// <summary>
/// The power law of fine-tuning vulnerability (Tobaben et al., NeurIPS 2025) on the study framework:
/// one setting per (S, seed), each measured in its own run directory (<see cref="SettingMeasurement"/>),
/// then the laws fitted over S (<see cref="PowerLawAnalysis"/>). Writes power-law.md, .csv, .json
/// (the fits as plain numbers), the extra tables' CSVs and report.html.
/// </summary>
public sealed class PowerLawStudy : IStudy<PowerLawSetting, PowerLawMeasures>
{
    public const string Name = "power-law";
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private readonly PowerLawPlan _plan;
    private readonly TransferData _data;
    private readonly Backbone _backbone;
    private readonly string _folder;
    private (IReadOnlyList<StudyRow<PowerLawSetting, PowerLawMeasures>> Rows, IReadOnlyList<LawResult> Laws)? _analysed;

    public PowerLawStudy(PowerLawPlan plan, TransferData data, Backbone backbone, string folder)
    {
        _plan = plan;
        _data = data;
        _backbone = backbone;
        _folder = Path.GetFullPath(folder);
    }

    string IStudy<PowerLawSetting, PowerLawMeasures>.Name => Name;

    /// <summary>The analysis options and the backbone's file (weights or ONNX): a new backbone re-measures every row.</summary>
    public string AnalysisKey => string.Join("|", "power-law-v1", _backbone.Sha256,
        string.Join(",", _plan.Attacks.Select(a => $"{a.Attack}:{a.Targets}")), string.Join(",", _plan.Levels.Select(N)),
        string.Join(",", _plan.TopFractions.Select(N)), _plan.Resamples.ToString(Inv));

    public RunConfig? Base => null;

    public IReadOnlyList<PowerLawSetting> Settings() => _plan.Settings();

    public PowerLawMeasures Measure(PowerLawSetting setting, string runDirectory, StudyContext context) =>
        SettingMeasurement.Run(_plan, setting, _data, _backbone, runDirectory, context);

    /// <summary>Runs the study in <paramref name="folder"/>: checks every option against the data, prepares the
    /// backbone, then measures each (S, seed) and fits the laws. A rerun reuses everything that is complete.</summary>
    public static PowerLawStudyResult Run(PowerLawPlan plan, string folder, Action<StageProgress>? progress = null, Action<string>? log = null,
        CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (string.IsNullOrWhiteSpace(folder)) throw new InputException("the study's folder (--run) is empty");
        folder = Path.GetFullPath(folder);
        if (File.Exists(folder)) throw new InputException($"{folder} is a file; the study's folder must be a folder");
        var data = TransferData.Load(plan.Base, log, progress, cancel);
        data.Check(plan.Base.PowerLaw, plan.Shots);
        PowerLawBackbone.CheckFeatures(plan.Base.PowerLaw, data, plan.Base.Device);
        CheckReusable(plan, folder);
        Directory.CreateDirectory(folder);
        using var backbone = PowerLawBackbone.Prepare(plan.Base.PowerLaw, data, plan.Base.Seed, folder, progress, log, cancel, plan.Base.Device);
        var study = new PowerLawStudy(plan, data, backbone, folder);
        var result = StudyRunner.Run(study, folder, progress, log, cancel);
        return new PowerLawStudyResult(result, study.Analysed(result.Rows), backbone.Record);
    }

    /// <summary>Refuses, before anything is trained, a folder whose settings were trained with another config.</summary>
    private static void CheckReusable(PowerLawPlan plan, string folder)
    {
        foreach (var s in plan.Settings())
        {
            var heads = StudyRecord.Read<HeadsRecord>(Path.Combine(folder, s.Name, PowerLawHeads.RecordFile)); // a broken record is trained again
            if (heads is not null && heads.ConfigSha256 != ConfigFile.Sha256(s.Config))
                throw new InputException($"{Path.Combine(folder, s.Name)} holds this setting trained with another config; use a new --run folder, or the config it was made with");
        }
    }

    private IReadOnlyList<LawResult> Analysed(IReadOnlyList<StudyRow<PowerLawSetting, PowerLawMeasures>> rows)
    {
        if (_analysed is { } a && ReferenceEquals(a.Rows, rows)) return a.Laws;
        var laws = PowerLawAnalysis.Laws(_plan, rows, _folder);
        _analysed = (rows, laws);
        return laws;
    }

    // ───────────────────────── presentation ─────────────────────────

    private string Lira => _plan.Attacks[0].Attack;

    public PageTable Table(IReadOnlyList<StudyRow<PowerLawSetting, PowerLawMeasures>> rows) =>
        PowerLawTables.PerShot(_plan, rows, Analysed(rows));

    public StudyPage Page(IReadOnlyList<StudyRow<PowerLawSetting, PowerLawMeasures>> rows)
    {
        var laws = Analysed(rows);
        var figures = new List<PageFigure>();
        foreach (var attack in _plan.Attacks.Select(a => a.Attack))
            foreach (var subset in laws.Where(l => l.Key.Attack == attack).Select(l => l.Key.Subset).Distinct())
            {
                if (attack != Lira && subset != PowerLawMeasures.All) continue; // the most vulnerable points: LiRA's (all are in the JSON)
                var selected = laws.Where(l => l.Key.Attack == attack && l.Key.Subset == subset).ToList();
                figures.Add(new PageFigure(PowerLawPlots.Png(selected, $"{attack}, {subset} samples"),
                    $"TPR − FPR against S on log-log axes, {attack}, {subset} samples", PowerLawPlots.Width)
                {
                    Title = $"{attack}: {(subset == PowerLawMeasures.All ? "all samples" : $"the {subset} most vulnerable samples")}",
                    Caption = "Points: median over seeds; bars: lowest to highest 95% Clopper–Pearson bound over the seeds (cut at the axis); " +
                        "hollow points did not enter the fit (not estimable at that level, or a median ≤ 0). Lines: the fitted law over the " +
                        "filled points; bands: its 95% bootstrap band.",
                });
            }
        return new StudyPage("The power law of fine-tuning vulnerability", "Membership inference on fine-tuned heads", Describe())
        {
            Tables = [PowerLawTables.Vulnerable(_plan, rows, laws), PowerLawTables.Fits(_plan, laws)],
            Figures = figures,
            Definitions = PowerLawTables.Definitions(_plan),
        };
    }

    public JsonObject Summary(IReadOnlyList<StudyRow<PowerLawSetting, PowerLawMeasures>> rows)
    {
        var laws = Analysed(rows);
        var fits = new JsonArray();
        foreach (var law in laws)
        {
            var e = law.Estimate;
            fits.Add(new JsonObject
            {
                ["attack"] = law.Key.Attack,
                ["subset"] = law.Key.Subset,
                ["fpr"] = law.Key.Alpha,
                ["fitted"] = e.Line is not null,
                ["reason"] = e.Reason,
                ["beta_s"] = e.Line?.BetaS,
                ["beta_s_ci95"] = Pair(e.BetaS),
                ["beta_0"] = e.Line?.Beta0,
                ["beta_0_ci95"] = Pair(e.Beta0),
                ["r_squared"] = e.Line?.RSquared,
                ["r_squared_ci95"] = Pair(e.RSquared),
                ["shots_fitted"] = e.Line is null ? null : new JsonArray(e.Line.Shots.Select(s => (JsonNode?)s).ToArray()),
                ["bootstrap_fitted"] = e.Fitted,
                ["bootstrap_resamples"] = e.Resamples,
                ["target_advantage"] = e.TargetShots is null ? null : _plan.TargetAdvantage,
                ["shots_for_target"] = Plain(e.TargetShots),
                ["shots_for_target_ci95"] = Pair(e.TargetShotsCi),
                ["points"] = new JsonArray(law.Points.Select(p => (JsonNode?)new JsonObject
                {
                    ["shots"] = p.Shots,
                    ["median"] = Plain(p.Median),
                    ["low"] = Plain(p.Low),
                    ["high"] = Plain(p.High),
                    ["estimable"] = p.Estimable,
                    ["seeds"] = p.Seeds,
                    ["chosen"] = p.Chosen,
                }).ToArray()),
            });
        }
        return new JsonObject
        {
            ["description"] = Describe(),
            ["theory_beta_s"] = 0.5,
            ["attacks"] = new JsonArray(_plan.Attacks.Select(a => (JsonNode?)new JsonObject { ["attack"] = a.Attack, ["targets"] = a.Targets }).ToArray()),
            ["fpr_levels"] = new JsonArray(_plan.Levels.Select(l => (JsonNode?)l).ToArray()),
            ["top_fractions"] = new JsonArray(_plan.TopFractions.Select(q => (JsonNode?)q).ToArray()),
            ["bootstrap_resamples"] = _plan.Resamples,
            ["backbone"] = JsonSerializer.SerializeToNode(_backbone.Record, StudyRecord.Json),
            ["fits"] = fits,
            ["base_config"] = JsonNode.Parse(ConfigFile.ToJson(_plan.Base)),
        };
    }

    /// <summary>One sentence on what was trained.</summary>
    public string Describe()
    {
        var c = _plan.Base;
        var p = c.PowerLaw;
        var b = p.Backbone;
        string backbone = b.Onnx is not null ? $"the ONNX model {b.Onnx}"
            : b.Weights is not null ? $"the backbone of {b.Weights}"
            : $"a {b.Kind.ToUpperInvariant()} [{string.Join(", ", b.Kind == "mlp" ? b.Hidden : b.Channels)}] pretrained for {b.Epochs} epochs on " +
              $"{(b.Samples == 0 ? "every" : b.Samples.ToString("N0", Inv))} samples of classes {string.Join(", ", b.Classes)}";
        string head = c.Model.Hidden.Length == 0 ? "linear heads" : $"heads with hidden layers [{string.Join(", ", c.Model.Hidden)}]";
        return $"Features from '{b.Point}' of {backbone} ({c.Dataset.Source}), frozen. For each S ∈ {{{string.Join(", ", _plan.Shots)}}} and each of " +
            $"{p.Seeds} seeds, a pool of 2·S samples of each of the C = {p.Classes.Length} classes {string.Join(", ", p.Classes)}, and " +
            $"{c.Plan.Models} {head} (1 target + K = {c.Plan.Models - 1} shadows), each on its {c.Plan.Scheme} subset of the pool: " +
            $"{c.Training.Optimizer} lr {c.Training.LearningRate.ToString("0.####", Inv)}, {c.Training.Epochs} epochs, batch {c.Training.BatchSize}, " +
            $"the same for every S. Attacks: {string.Join("; ", _plan.Attacks.Select(a => $"{a.Attack} against {(a.Targets == 0 ? "every model" : $"models 0–{a.Targets - 1}")}"))}, " +
            "each target with all other models as references.";
    }

    private static JsonArray? Pair(Core.Evaluation.Interval? i) => i is { } v ? new JsonArray(Plain(v.Low), Plain(v.High)) : null;

    private static JsonNode? Plain(double? v) => v is double d && double.IsFinite(d) ? JsonValue.Create(d) : null;

    private static string N(double v) => v.ToString("R", Inv);
}
