using MiaLab.Core;
using MiaLab.Core.Attacks;
using MiaLab.Core.Config;
using MiaLab.Core.Data;
using MiaLab.Core.Evaluation;
using MiaLab.Core.IO;
using MiaLab.Core.Mint;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Runs;

namespace MiaLab.Reports;

/// <summary>
/// Report stage: builds report/index.html for one target from files alone — metrics.json (the
/// evaluate stage's), the score files it names, keep/labels/holdout, MINT's metrics files, and the
/// dataset for thumbnails when the run's config can load it. Models and logits are not needed.
/// </summary>
public static class ReportStage
{
    public const int ExposedSamples = 12;

    /// <param name="samples">The run's samples for thumbnails, when the caller has them loaded;
    /// null = load them from the run's config (or show no thumbnails if that fails).</param>
    /// <param name="log">Told when the thumbnails had to be left out.</param>
    public static string Write(RunDirectory run, int target, Dataset? samples = null, Action<string>? log = null)
    {
        var metrics = RunMetrics.Read(run.Paths.Metrics);
        var summary = metrics.Targets.FirstOrDefault(t => t.Target == target)
            ?? throw new InputException($"{run.Paths.Metrics}: has no results for target {target} " +
                $"(targets: {(metrics.Targets.Count == 0 ? "none" : string.Join(", ", metrics.Targets.Select(t => t.Target)))}); run 'mialab attack --run {run.Root} --target {target}'");
        var keep = run.ReadKeep()[target];
        var labels = run.ReadLabels();
        var holdout = run.ReadHoldout() ?? new bool[run.Samples];
        var config = run.Config;
        samples ??= TryLoadSamples(config, run, log);

        var attacks = new List<AttackReport>();
        var scoresByAttack = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var evaluation in metrics.ForTarget(target))
        {
            string path = run.Paths.AttackScores(evaluation.Attack, target);
            if (FileHash.Sha256OrNull(path) != evaluation.ScoresSha256)
                throw new InputException($"{path}: changed or missing since {RunLayout.MetricsFile} was written; run 'mialab evaluate --run {run.Root}'");
            var scores = Npy.Read(path).ToFloat64();
            scoresByAttack[evaluation.Attack] = scores;
            var (members, nonMembers) = Split(scores, keep, holdout);
            var roc = Roc.Compute([.. members, .. nonMembers], [.. members.Select(_ => true), .. nonMembers.Select(_ => false)]);
            attacks.Add(new AttackReport(evaluation.Attack, AttackRegistry.Describe(evaluation.Attack), evaluation.Metrics, roc, members, nonMembers, evaluation.Family));
        }
        var strongest = attacks.Ranked().FirstOrDefault();
        // An image-to-image run's samples are shown with their outputs in the gallery instead.
        var exposed = strongest is null || samples?.Targets is not null ? [] : MostExposed(strongest.Name, scoresByAttack[strongest.Name], keep, labels, samples);
        bool fashion = config?.Dataset.Source == "fashion-mnist";
        var input = new ReportInput(
            Title: "Membership inference audit",
            CreatedUtc: DateTime.UtcNow,
            RunDirectory: run.Root,
            Target: new TargetSummary(target, summary.TrainAccuracy, summary.TestAccuracy, summary.Members, summary.NonMembers,
                config is null ? "(not recorded)" : DescribeModel(config), run.Dataset?.Name ?? "(not recorded)"),
            Attacks: attacks,
            MostExposed: exposed,
            ImageShape: samples is { IsImage: true } ? samples.SampleShape : null,
            ClassNames: fashion ? FashionMnist.ClassNames : null,
            Settings: config is null ? [("run directory", run.Root)] : Settings(config, run),
            Mint: MintResults.ReadAll(run.Paths.MintDirectory, target),
            Privacy: metrics.Privacy is { } dp ? new PrivacyBeside(metrics.PrivacyReading(target)!, dp.Epsilon, dp.Delta, dp.Accountant,
                metrics.ForTarget(target).Where(a => a.Metrics.EmpiricalEpsilon is not null)
                    .Select(a => (a.Attack, a.Metrics.EmpiricalEpsilon!.Epsilon)).OrderByDescending(a => a.Epsilon).ToList()) : null,
            Translation: TranslationGallery.Read(run, target, samples, scoresByAttack));
        return AuditReport.Write(input, run.Paths.ReportDirectory);
    }

    private static Dataset? TryLoadSamples(RunConfig? config, RunDirectory run, Action<string>? log)
    {
        if (config is null) return null;
        try
        {
            var data = PlanStage.LoadData(config).Samples;
            return data.Count == run.Samples ? data : null;
        }
        catch (InputException e)
        {
            log?.Invoke($"The report shows no thumbnails: the run's data could not be loaded ({e.Message})");
            return null;
        }
    }

    /// <summary>The scored population samples' scores, members first.</summary>
    private static (double[] Members, double[] NonMembers) Split(double[] scores, bool[] keep, bool[] holdout)
    {
        var members = new List<double>();
        var nonMembers = new List<double>();
        for (int i = 0; i < scores.Length; i++)
            if (!holdout[i] && !double.IsNaN(scores[i])) (keep[i] ? members : nonMembers).Add(scores[i]);
        return ([.. members], [.. nonMembers]);
    }

    /// <summary>The members the strongest attack ranks highest: the records the model gives away.</summary>
    private static List<ExposedSample> MostExposed(string attack, double[] scores, bool[] keep, long[] labels, Dataset? samples) =>
        Enumerable.Range(0, scores.Length)
            .Where(i => keep[i] && !double.IsNaN(scores[i]))
            .OrderByDescending(i => scores[i]).ThenBy(i => i)
            .Take(ExposedSamples)
            .Select(i => new ExposedSample(i, labels[i], scores[i], attack,
                samples?.Features.AsSpan(i * samples.FeatureLength, samples.FeatureLength).ToArray()))
            .ToList();

    private static string DescribeModel(RunConfig c)
    {
        if (c.Task is { } task)
            return $"unet (widths [{string.Join(", ", c.Model.Channels)}]) on {task.Kind}, {c.Training.Loss} loss, {c.Training.Epochs} epochs of {c.Training.Optimizer}";
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
        ("augmentation", $"flip {c.Training.AugmentFlip}, shift {c.Training.AugmentShift}; queries: {(c.Query.Augmentations is null ? "identity and hflip for images (auto)" : string.Join(", ", c.Query.Augmentations))}"),
        ("seed", $"{c.Seed}"),
        ("config sha256", ConfigFile.Sha256(c)),
    ];
}
