using System.Globalization;
using System.Text.Json.Nodes;
using MiaLab.Core.Config;
using MiaLab.Core.Evaluation;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Privacy;
using MiaLab.Experiments.Studies;
using MiaLab.Reports.Pages;

namespace MiaLab.Experiments.Defenses;

/// <summary>What the defense study trains: the base (the built-in audit's model and data, fewer
/// models) and the values of σ and ε to sweep.</summary>
public sealed record DefenseStudyPlan
{
    public required RunConfig Base { get; init; }
    /// <summary>Samples each model trains on (sets DP-SGD's q = batch size / this).</summary>
    public required int TrainSetSize { get; init; }
    public IReadOnlyList<double> Sigmas { get; init; } = DefenseSetting.DefaultSigmas;
    public IReadOnlyList<double> Epsilons { get; init; } = DefenseSetting.DefaultEpsilons;
    public bool Regularisation { get; init; } = true;
    /// <summary>Bootstrap resamples of the AUC intervals.</summary>
    public int Bootstrap { get; init; } = 200;

    /// <summary>The built-in audit's MLP 784-512-256-10 on its 20,000-image Fashion-MNIST population
    /// (5,000 holdout), with 9 models per setting: the target and 8 references trained the same way.</summary>
    public static DefenseStudyPlan Default(RunConfig? baseConfig = null)
    {
        var b = baseConfig ?? RunConfig.BuiltInAudit();
        if (baseConfig is null) b.Plan.Models = 9;
        return new DefenseStudyPlan { Base = b, TrainSetSize = PopulationOf(b) / 2 };
    }

    /// <summary>CI's version: a tiny synthetic task, 3 models, one value per family.</summary>
    public static DefenseStudyPlan Quick(RunConfig? baseConfig = null)
    {
        var b = baseConfig ?? QuickBase();
        return new DefenseStudyPlan { Base = b, TrainSetSize = PopulationOf(b) / 2, Sigmas = [0.1], Epsilons = [8], Bootstrap = 20 };
    }

    private static RunConfig QuickBase()
    {
        var c = new RunConfig { Seed = 0 };
        c.Dataset.Source = "synthetic";
        c.Dataset.Synthetic = new SyntheticConfig { Samples = 600, Features = 10, Classes = 3, Separation = 2.0 };
        c.Dataset.Holdout = 100;
        c.Plan.Models = 3;
        c.Model.Hidden = [32];
        c.Training.Epochs = 4;
        c.Training.BatchSize = 32;
        c.Query.Augmentations = ["identity"];
        return c;
    }

    private static int PopulationOf(RunConfig c) => c.Dataset.Population > 0 ? c.Dataset.Population
        : c.Dataset.Source == "synthetic" ? c.Dataset.Synthetic.Samples - c.Dataset.Holdout : 60_000;

    public IReadOnlyList<DefenseSetting> Settings() => DefenseSetting.All(Base, Sigmas, Epsilons, TrainSetSize, Regularisation);
}

/// <summary>
/// The defense trade-off study (issue 9): for no defense, Weighted Smoothing over σ, DP-SGD over ε and
/// with clipping only, and four regularisers, trains the target and its references with that defense
/// (so reference attacks see the defended training), runs every default attack on the target and
/// reports test accuracy, each attack's AUC and TPR at 1% and 0.1% FPR with intervals, the strongest
/// attack, the accountant's ε and the empirical ε. Writes defenses.md/.csv/.json, report.html with the
/// trade-off plot, and defenses-attacks.csv (every attack of every setting).
/// </summary>
public sealed class DefenseStudy(DefenseStudyPlan plan) : IStudy<DefenseSetting, DefenseMeasures>
{
    public const string Name = "defenses";
    public const string AttacksFile = "defenses-attacks.csv";
    private const int Target = 0;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    string IStudy<DefenseSetting, DefenseMeasures>.Name => Name;
    public RunConfig? Base => plan.Base;
    public string AnalysisKey => $"defenses-v1|{plan.Bootstrap}";
    public IReadOnlyList<DefenseSetting> Settings() => plan.Settings();

    public static StudyResult<DefenseSetting, DefenseMeasures> Run(DefenseStudyPlan plan, string folder, Action<StageProgress>? progress = null,
        Action<string>? log = null, CancellationToken cancel = default)
    {
        var result = StudyRunner.Run(new DefenseStudy(plan), folder, progress, log, cancel);
        MiaLab.Core.IO.AtomicFile.WriteAllText(Path.Combine(result.Folder, AttacksFile), AttacksCsv(result.Rows));
        return result;
    }

    public DefenseMeasures Measure(DefenseSetting setting, string runDirectory, StudyContext context)
    {
        var config = setting.Config;
        var (run, data) = StudyRuns.TrainAndQuery(config, runDirectory, context);
        double trainSeconds = Enumerable.Range(0, config.Plan.Models).Select(m => run.Records.Read(m)!).Sum(r => r.TrainSeconds + r.QuerySeconds);
        context.Progress?.Invoke(new StageProgress($"attack {setting.Name}", 0, 1));
        var metrics = StudyRuns.Audit(run, data, Target, null, new EvaluationOptions(plan.Bootstrap, config.Seed, PerClass: false), context);
        var strongest = StudyRuns.Strongest(metrics, Target)!;
        var record = run.Records.Read(Target)!;
        var attacks = metrics.ForTarget(Target).OrderBy(a => a.Attack, StringComparer.Ordinal).Select(a =>
        {
            var m = a.Metrics;
            var t1 = AttackRanking.Find(m, 0.01);
            var t01 = AttackRanking.Find(m, 0.001);
            return new DefenseAttack(a.Attack, F(m.Auc), F(m.AucCi?.Low), F(m.AucCi?.High),
                F(t1?.Tpr), F(t1?.Ci.Low), F(t1?.Ci.High), F(t01?.Tpr), F(t01?.Ci.Low), F(t01?.Ci.High), F(m.EmpiricalEpsilon?.Epsilon));
        }).ToList();
        var privacy = DpSgdPrivacy.Resolve(config);
        return new DefenseMeasures(F(record.TrainAccuracy), F(record.TestAccuracy), attacks, strongest.Attack,
            privacy is null ? null : F(privacy.Epsilon), privacy?.NoiseMultiplier, trainSeconds);
    }

    public PageTable Table(IReadOnlyList<StudyRow<DefenseSetting, DefenseMeasures>> rows)
    {
        List<TableColumn> columns =
        [
            new("Defense"), new("Setting"), new("Test acc.") { Numeric = true }, new("Strongest attack"),
            new("AUC") { Numeric = true }, new("TPR at 1% FPR") { Numeric = true, Strong = true }, new("TPR at 0.1% FPR") { Numeric = true },
            new("Best metric-attack AUC") { Numeric = true }, new("LiRA AUC") { Numeric = true }, new("RMIA AUC") { Numeric = true },
            new("σ (DP)") { Numeric = true }, new("ε accountant") { Numeric = true }, new("ε empirical") { Numeric = true },
            new("Train", "s") { Numeric = true },
        ];
        var cells = rows.Select(r =>
        {
            var m = r.Measures;
            var s = m.StrongestAttack;
            return new TableRow(
            [
                r.Setting.Family, r.Setting.Value, N(m.TestAccuracy), m.Strongest,
                $"{N(s?.Auc)} [{N(s?.AucLow)}, {N(s?.AucHigh)}]",
                $"{P(s?.Tpr1)} [{P(s?.Tpr1Low)}, {P(s?.Tpr1High)}]",
                $"{P(s?.Tpr01)} [{P(s?.Tpr01Low)}, {P(s?.Tpr01High)}]",
                N(BestAuc(m, MetricAttacks)), N(BestAuc(m, a => a.StartsWith("lira", StringComparison.Ordinal))),
                N(BestAuc(m, a => a.StartsWith("rmia", StringComparison.Ordinal))),
                m.NoiseMultiplier is double sg ? sg.ToString("0.###", Inv) : StudyTables.Missing,
                m.AccountantEpsilon is double e ? e.ToString("0.00", Inv) : m.NoiseMultiplier is not null ? "∞" : StudyTables.Missing,
                N(m.MaxEmpiricalEpsilon, "0.00"), m.TrainSeconds.ToString("0", Inv),
            ], r.Setting.Name);
        }).ToList();
        return new PageTable(columns, cells) { Id = "results-table", EmptyText = "No settings were measured.", Notes = [Note()] };
    }

    /// <summary>The metric attacks of the Weighted Smoothing paper: loss, confidence, entropy, modified entropy.</summary>
    public static bool MetricAttacks(string attack) => attack is "loss" or "confidence" or "entropy" or "modified-entropy";

    public static double? BestAuc(DefenseMeasures m, Func<string, bool> which) =>
        m.Attacks.Where(a => which(a.Attack) && a.Auc is not null).Select(a => a.Auc).Max();

    public StudyPage Page(IReadOnlyList<StudyRow<DefenseSetting, DefenseMeasures>> rows) =>
        new("Defense trade-off study", "What stops membership inference, and at what cost", Describe())
        {
            Figures = [new PageFigure(DefensePlots.TradeOffPng(rows), "Test accuracy against the strongest attack's TPR at 1% FPR, per defense family", DefensePlots.Width)
                { Title = "Trade-off: accuracy against leakage" }],
            Definitions =
            [
                "Every setting trains the target (model 0) and its reference models with the same defense, so LiRA and RMIA calibrate on defended " +
                "models. The strongest attack is the one with the highest TPR at 0.1% FPR (then AUC). AUC intervals: stratified bootstrap; TPR " +
                "intervals: Clopper–Pearson 95%.",
                "ε accountant: the RDP accountant's ε at δ = 1e-5 for DP-SGD's (σ, q, steps); clipping only has σ = 0 and no guarantee (∞). " +
                "ε empirical: the largest lower bound over the attacks, from a threshold chosen on half of the target's population and " +
                "counted on the other half (Clopper–Pearson, 95%).",
                "Weighted Smoothing (Tan et al. 2023) adds noise to the softmax output during training, scaled by σ, the top-two gap and 1 − w " +
                "(w: within-class z-score of the modified entropy). Early stopping trains a quarter of the epochs (the learning-rate schedule " +
                "spans them).",
            ],
        };

    public JsonObject Summary(IReadOnlyList<StudyRow<DefenseSetting, DefenseMeasures>> rows) => new()
    {
        ["description"] = Describe(),
        ["base_config"] = JsonNode.Parse(ConfigFile.ToJson(plan.Base)),
        ["sigmas"] = new JsonArray(plan.Sigmas.Select(s => (JsonNode?)s).ToArray()),
        ["epsilons"] = new JsonArray(plan.Epsilons.Select(e => (JsonNode?)e).ToArray()),
    };

    private string Describe()
    {
        var b = plan.Base;
        return $"Base: {b.Model.Kind.ToUpperInvariant()} [{string.Join(", ", b.Model.Kind == "mlp" ? b.Model.Hidden : b.Model.Channels)}] on {b.Dataset.Source}" +
            (b.Dataset.Population > 0 ? $", population {b.Dataset.Population}" : "") + (b.Dataset.Holdout > 0 ? $", holdout {b.Dataset.Holdout}" : "") +
            $"; {b.Plan.Models} models per setting (target + {b.Plan.Models - 1} references, each on a random half); {b.Training.Epochs} epochs of " +
            $"{b.Training.Optimizer} (lr {b.Training.LearningRate.ToString("0.###", Inv)}, batch {b.Training.BatchSize}). DP-SGD: C = 1, δ = 1e-5, " +
            $"Poisson sampling at q = {Math.Min(1, (double)b.Training.BatchSize / plan.TrainSetSize).ToString("0.####", Inv)} (expected batch {b.Training.BatchSize}).";
    }

    private static string Note() =>
        "Strongest attack: highest TPR at 0.1% FPR, then AUC, over every default attack. Best metric-attack AUC: the best of loss, confidence, " +
        "entropy and modified entropy (the attacks of the Weighted Smoothing paper). TPR in %, with 95% intervals.";

    private static string AttacksCsv(IReadOnlyList<StudyRow<DefenseSetting, DefenseMeasures>> rows)
    {
        var s = new System.Text.StringBuilder("family,setting,attack,test_accuracy,auc,auc_low,auc_high,tpr_1pct,tpr_1pct_low,tpr_1pct_high,tpr_0.1pct,tpr_0.1pct_low,tpr_0.1pct_high,empirical_epsilon,accountant_epsilon\n");
        foreach (var r in rows)
            foreach (var a in r.Measures.Attacks)
                s.Append(string.Join(",", $"\"{r.Setting.Family}\"", $"\"{r.Setting.Value}\"", a.Attack, C(r.Measures.TestAccuracy), C(a.Auc), C(a.AucLow), C(a.AucHigh),
                    C(a.Tpr1), C(a.Tpr1Low), C(a.Tpr1High), C(a.Tpr01), C(a.Tpr01Low), C(a.Tpr01High), C(a.EmpiricalEpsilon), C(r.Measures.AccountantEpsilon))).Append('\n');
        return s.ToString();
    }

    private static string C(double? v) => v is double x ? x.ToString("R", Inv) : "";
    private static string N(double? v, string format = "0.000") => StudyTables.Number(v, format);
    private static string P(double? v) => v is double x ? (100 * x).ToString("0.00", Inv) : StudyTables.Missing;
    private static double? F(double? v) => v is double x && double.IsFinite(x) ? x : null;
}
