using MiaLab.Core.Mint;
using MiaLab.Core.Config;
using MiaLab.Core.Data;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Runs;

namespace MiaLab.Reports;

/// <summary>Report stage: turns the attack stage's results for one target into the report's
/// plain records and writes report/index.html with its plots.</summary>
public static class ReportStage
{
    public const int ExposedSamples = 12;

    private static readonly Dictionary<string, string> Descriptions = new()
    {
        ["loss"] = "Threshold on the target's loss (low loss = member).",
        ["confidence"] = "Threshold on the probability of the true class.",
        ["entropy"] = "Threshold on the prediction's entropy (low = member).",
        ["modified-entropy"] = "Song & Mittal's modified entropy, which also uses the label.",
        ["correctness"] = "Member iff the prediction is correct.",
        ["label-only-gap"] = "Label-only: member iff the prediction is correct.",
        ["label-only-augmentation"] = "Label-only: how many query augmentations are classified correctly.",
        ["shadow-logistic"] = "Shokri et al.: logistic regression on sorted probabilities, trained on reference models.",
        ["shadow-mlp"] = "Shokri et al.: a small MLP on sorted probabilities, trained on reference models.",
        ["lira-online"] = "LiRA: likelihood ratio of Gaussians fitted to IN and OUT reference models.",
        ["lira-offline"] = "LiRA offline: how far the target's confidence sits above the OUT references.",
        ["rmia-online"] = "RMIA: likelihood ratio against a population, references IN and OUT.",
        ["rmia-offline"] = "RMIA offline: likelihood ratio against a population, OUT references only.",
    };

    public static string Describe(string attack) =>
        Descriptions.TryGetValue(attack, out var d) ? d
        : Descriptions.FirstOrDefault(p => attack.StartsWith(p.Key, StringComparison.Ordinal)).Value ?? attack;

    /// <param name="samples">The run's samples, for thumbnails; null when the data is not at hand.</param>
    public static string Write(RunDirectory run, AttackStageResult stage, int target, Dataset? samples, RunConfig? config)
    {
        var summary = stage.Targets.First(t => t.Target == target);
        var outcomes = stage.Outcomes.Where(o => o.Target == target).ToList();
        var attacks = outcomes.Select(o => new AttackReport(o.Attack, Describe(o.Attack), o.Metrics, o.Roc, o.MemberScores, o.NonMemberScores)).ToList();
        var strongest = AttackRanking.Rank(attacks).FirstOrDefault();
        var exposed = strongest is null ? [] : MostExposed(outcomes.First(o => o.Attack == strongest.Name), run, target, samples);
        bool fashion = config?.Dataset.Source == "fashion-mnist";
        var input = new ReportInput(
            Title: "Membership inference audit",
            CreatedUtc: DateTime.UtcNow,
            RunDirectory: Path.GetFullPath(run.Root),
            Target: new TargetSummary(target, summary.TrainAccuracy, summary.TestAccuracy, summary.Members, summary.NonMembers,
                config is null ? "(not recorded)" : DescribeModel(config), run.Dataset?.Name ?? "(not recorded)"),
            Attacks: attacks,
            MostExposed: exposed,
            ImageShape: samples is { IsImage: true } ? samples.SampleShape : null,
            ClassNames: fashion ? FashionMnist.ClassNames : null,
            Settings: config is null ? [("run directory", run.Root)] : Settings(config, run),
            Mint: ReadMint(run, target));
        return AuditReport.Write(input, run.ReportDirectory);
    }

    /// <summary>The MINT results for the target that <c>mialab mint train</c> left in
    /// &lt;run&gt;/mint/model-XXXX-*.metrics.json; empty when there are none.</summary>
    public static IReadOnlyList<MintSummary> ReadMint(RunDirectory run, int target) =>
        MintResults.ReadAll(Path.Combine(run.Root, "mint"), target);

    /// <summary>The members the strongest attack ranks highest: the records the model gives away.</summary>
    private static List<ExposedSample> MostExposed(AttackOutcome outcome, RunDirectory run, int target, Dataset? samples)
    {
        var keep = run.ReadKeep()[target];
        var labels = run.ReadLabels();
        var scores = outcome.Result.Scores;
        return Enumerable.Range(0, scores.Length)
            .Where(i => keep[i] && !double.IsNaN(scores[i]))
            .OrderByDescending(i => scores[i]).ThenBy(i => i)
            .Take(ExposedSamples)
            .Select(i => new ExposedSample(i, labels[i], scores[i], outcome.Attack,
                samples?.Features.AsSpan(i * samples.FeatureLength, samples.FeatureLength).ToArray()))
            .ToList();
    }

    private static string DescribeModel(RunConfig c)
    {
        string shape = c.Model.Kind == "mlp" ? $"hidden [{string.Join(", ", c.Model.Hidden)}], {c.Model.Activation}"
            : $"channels [{string.Join(", ", c.Model.Channels)}]";
        return $"{c.Model.Kind} ({shape}), {c.Training.Epochs} epochs of {c.Training.Optimizer}";
    }

    private static List<(string, string)> Settings(RunConfig c, RunDirectory run) =>
    [
        ("dataset", $"{c.Dataset.Source}: population {run.Dataset?.Population}, holdout {run.Dataset?.Holdout}"),
        ("models", $"{c.Plan.Models} ({c.Plan.Scheme}); every model but the target is a reference"),
        ("model", DescribeModel(c)),
        ("training", $"lr {c.Training.LearningRate} ({c.Training.Schedule}), batch {c.Training.BatchSize}, momentum {c.Training.Momentum}, weight decay {c.Training.WeightDecay}, label smoothing {c.Training.LabelSmoothing}"),
        ("augmentation", $"flip {c.Training.AugmentFlip}, shift {c.Training.AugmentShift}; queries: {string.Join(", ", c.Query.Augmentations)}"),
        ("seed", $"{c.Seed}"),
        ("config sha256", ConfigFile.Sha256(c)),
    ];
}
