using System.Text.Json.Nodes;
using MiaLab.Core.Attacks;
using MiaLab.Core.Attacks.Shadow;
using MiaLab.Core.Evaluation;
using MiaLab.Core.IO;
using MiaLab.Core.Runs;

namespace MiaLab.Core.Pipeline;

/// <summary>What to attack: the targets, the attacks by name, the references (null = every
/// model but the target), the seed of the attacks' random choices, and the evaluation options.</summary>
public sealed record AttackPlan(IReadOnlyList<int> Targets, IReadOnlyList<string> Attacks, IReadOnlyList<int>? References = null,
    int Seed = 0, EvaluationOptions? Evaluation = null);

/// <summary>One attack against one target, evaluated on the population (holdout excluded).</summary>
public sealed record AttackOutcome(string Attack, int Target, AttackResult Result, AttackMetrics Metrics, RocCurve Roc,
    double[] MemberScores, double[] NonMemberScores);

public sealed record TargetSummary(int Target, double TrainAccuracy, double TestAccuracy, int Members, int NonMembers);

public sealed record AttackStageResult(IReadOnlyList<TargetSummary> Targets, IReadOnlyList<AttackOutcome> Outcomes,
    IReadOnlyDictionary<string, AttackMetrics> Pooled);

/// <summary>
/// Attack stage: runs each attack against each target from the arrays of a run directory
/// (labels.npy, keep.npy, logits/ — nothing else, so run directories from other tools work),
/// writes attacks/&lt;attack&gt;/target-XXXX.npy and evaluates every score vector.
/// </summary>
public static class AttackStage
{
    /// <summary>The default set: every attack family once, in their standard variants.</summary>
    public static readonly string[] DefaultAttacks =
    [
        "loss", "confidence", "entropy", "modified-entropy", MetricAttack.GapName, LabelOnly.AugmentationName,
        "shadow-logistic", "shadow-mlp", "lira-offline", "lira-online",
        // With few references (the default audit has 15) the LiRA paper finds one global variance
        // better than per-sample variances; both are reported.
        "lira-offline-fixed-var", "lira-online-fixed-var", "rmia-offline", "rmia-online",
    ];

    private static readonly string[] ShadowNames = ["shadow-logistic", "shadow-mlp", "shadow-logistic-per-class", "shadow-mlp-per-class"];

    public static IReadOnlyList<string> AllNames { get; } = [.. AttackCatalog.Names, .. ShadowNames];

    public static void CheckNames(IEnumerable<string> names)
    {
        foreach (var name in names)
            if (!AllNames.Contains(name))
                throw new InputException($"unknown attack '{name}'; valid attacks: {string.Join(", ", AllNames)}");
    }

    public static AttackStageResult Run(RunDirectory run, AttackPlan plan, Action<StageProgress>? progress = null, CancellationToken cancel = default)
    {
        var outputs = run.LoadOutputs();
        CheckNames(plan.Attacks);
        foreach (int t in plan.Targets)
            if (t < 0 || t >= outputs.Models)
                throw new InputException($"target {t} is out of range: the run has models 0..{outputs.Models - 1}");
        // Augmentation robustness needs more than one query to say anything.
        var attacks = plan.Attacks.Where(a => a != LabelOnly.AugmentationName || outputs.Augmentations > 1).ToList();
        var options = plan.Evaluation ?? new EvaluationOptions(Seed: plan.Seed);
        var outcomes = new List<AttackOutcome>();
        var targets = new List<TargetSummary>();
        int total = plan.Targets.Count * attacks.Count, done = 0;
        progress?.Invoke(new StageProgress("attack", 0, total));
        foreach (int target in plan.Targets)
        {
            targets.Add(Summarise(outputs, target));
            foreach (var attack in attacks)
            {
                cancel.ThrowIfCancellationRequested();
                var result = RunAttack(attack, outputs, target, plan.References, plan.Seed);
                Npy.Write(run.AttackScoresPath(attack, target), new NpyArray(result.Scores, result.Scores.Length));
                outcomes.Add(Evaluate(attack, target, result, outputs, options));
                progress?.Invoke(new StageProgress("attack", ++done, total));
            }
        }
        var pooled = new Dictionary<string, AttackMetrics>();
        if (plan.Targets.Count > 1)
            foreach (var attack in attacks)
            {
                var perTarget = outcomes.Where(o => o.Attack == attack).Select(o => PopulationView(o.Result.Scores, outputs, o.Target)).ToList();
                pooled[attack] = Evaluator.EvaluatePooled(perTarget.Select(v => (v.Scores, v.IsMember)).ToList(), options with { PerClass = false }).Metrics;
            }
        var stage = new AttackStageResult(targets, outcomes, pooled);
        AtomicFile.WriteAllText(run.MetricsPath, ToJson(stage).ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        return stage;
    }

    public static AttackResult RunAttack(string attack, ModelOutputs outputs, int target, IReadOnlyList<int>? references, int seed)
    {
        if (!attack.StartsWith("shadow-", StringComparison.Ordinal))
            return AttackCatalog.Run(attack, outputs, target, references, seed);
        var shadows = references ?? AttackCatalog.DefaultReferences(outputs, target);
        var options = new ShadowOptions(Classifier: attack.Contains("-mlp") ? "mlp" : "logistic", PerClass: attack.EndsWith("-per-class"), Seed: seed);
        return ShadowAttack.Run(outputs, target, shadows, options) with { Name = attack };
    }

    private static AttackOutcome Evaluate(string attack, int target, AttackResult result, ModelOutputs outputs, EvaluationOptions options)
    {
        var (scores, isMember, labels) = PopulationView(result.Scores, outputs, target);
        var (roc, metrics) = Evaluator.EvaluateWithRoc(scores, isMember, labels, options);
        var scored = Enumerable.Range(0, scores.Length).Where(i => !double.IsNaN(scores[i])).ToArray();
        return new AttackOutcome(attack, target, result, metrics, roc,
            scored.Where(i => isMember[i]).Select(i => scores[i]).ToArray(),
            scored.Where(i => !isMember[i]).Select(i => scores[i]).ToArray());
    }

    /// <summary>Scores, membership and labels of the population samples (the holdout split is
    /// the reference population, never a candidate).</summary>
    private static (double[] Scores, bool[] IsMember, long[] Labels) PopulationView(double[] scores, ModelOutputs outputs, int target)
    {
        var rows = Enumerable.Range(0, outputs.Samples).Where(i => !outputs.Holdout[i]).ToArray();
        return (rows.Select(i => scores[i]).ToArray(), rows.Select(i => outputs.Keep[target][i]).ToArray(), rows.Select(i => outputs.Labels[i]).ToArray());
    }

    private static TargetSummary Summarise(ModelOutputs outputs, int target)
    {
        var (train, test) = ModelAccuracy.Of(outputs.Logits[target], outputs.Labels, outputs.Keep[target], outputs.Holdout,
            outputs.Augmentations, outputs.Classes);
        int members = 0, nonMembers = 0;
        for (int i = 0; i < outputs.Samples; i++)
            if (!outputs.Holdout[i]) { if (outputs.Keep[target][i]) members++; else nonMembers++; }
        return new TargetSummary(target, train, test, members, nonMembers);
    }

    /// <summary>metrics.json: per target its accuracies and, per attack, the metrics of §7 plus
    /// the attack's own numbers ("extras"); with several targets, the pooled ROC metrics.</summary>
    public static JsonObject ToJson(AttackStageResult stage)
    {
        var targets = new JsonArray();
        foreach (var t in stage.Targets)
        {
            var attacks = new JsonObject();
            foreach (var o in stage.Outcomes.Where(o => o.Target == t.Target))
            {
                var entry = MetricsJson.ToJson(o.Metrics);
                var extras = new JsonObject();
                foreach (var (key, value) in o.Result.Extras) extras[key] = MetricsJson.Number(value);
                entry["extras"] = extras;
                attacks[o.Attack] = entry;
            }
            targets.Add(new JsonObject
            {
                ["target"] = t.Target,
                ["train_accuracy"] = t.TrainAccuracy,
                ["test_accuracy"] = t.TestAccuracy,
                ["members"] = t.Members,
                ["non_members"] = t.NonMembers,
                ["attacks"] = attacks,
            });
        }
        var root = new JsonObject
        {
            ["schema_version"] = 1,
            ["tool_version"] = RunDirectory.ToolVersion,
            ["tpr_at_fpr_definition"] = "highest TPR among ROC points with FPR <= alpha (no interpolation); not estimable when non-members < 1/alpha",
            ["targets"] = targets,
        };
        if (stage.Pooled.Count > 0)
        {
            var pooled = new JsonObject();
            foreach (var (attack, metrics) in stage.Pooled) pooled[attack] = MetricsJson.ToJson(metrics);
            root["pooled"] = pooled;
        }
        return root;
    }
}
