using MiaLab.Cli.Terminal;
using MiaLab.Core;
using MiaLab.Core.Attacks;
using MiaLab.Core.Config;
using MiaLab.Core.Evaluation;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Runs;
using MiaLab.Reports;
using MiaLab.Torch.Pipeline;

namespace MiaLab.Cli.Commands;

/// <summary>The chains of stages that several commands share, with their progress bars and
/// summaries. Each stage reads the files the one before wrote; nothing else passes between them.</summary>
internal static class Stages
{
    /// <summary>Plan → (image-to-image: predictability) → train → query (of one shard).</summary>
    public static RunData TrainAndQuery(RunConfig cfg, string runRoot, int shardIndex, int shardCount, CancellationToken cancel)
    {
        // The bars show a download of the dataset, when it has to be fetched.
        var (run, data) = ProgressDisplay.Run((progress, log) => PlanStage.Prepare(cfg, runRoot, log, progress, cancel));
        Console.WriteLine($"Run {run.Root}: {data.Population} samples (+{data.Holdout} holdout), {cfg.Plan.Models} {cfg.Model.Kind} models");
        if (cfg.Task is not null)
            ProgressDisplay.Run((progress, log) => PredictabilityStage.Run(run, cfg, data, progress: progress, log: log, cancel: cancel));
        ProgressDisplay.Run(progress => TrainStage.Run(run, cfg, data, shardIndex, shardCount, progress, cancel));
        var query = ProgressDisplay.Run(progress => QueryStage.Run(run, cfg, data, shardIndex, shardCount, progress, cancel));
        Tables.PrintModels(TrainStage.Shard(cfg, shardIndex, shardCount).Select(run.Records.Read).OfType<ModelRecord>().ToList());
        return data;
    }

    /// <summary>Attack → evaluate → report; prints the target's table (and the pooled one).</summary>
    public static RunMetrics AttackEvaluateReport(RunDirectory run, AttackPlan plan, EvaluationOptions evaluation, MiaLab.Core.Data.Dataset? samples,
        CancellationToken cancel)
    {
        var attacked = ProgressDisplay.Run(progress => AttackStage.Run(run, plan, progress, cancel));
        foreach (var (attack, reason) in attacked.Skipped) Console.WriteLine($"Skipped {attack}: it {reason}.");
        var metrics = EvaluateAndReport(run, plan.Targets[0], evaluation, samples, cancel);
        if (metrics.Pooled.Count > 0) Tables.PrintPooled(metrics.Pooled);
        return metrics;
    }

    /// <summary>Evaluate → report for one target; prints its table.</summary>
    public static RunMetrics EvaluateAndReport(RunDirectory run, int target, EvaluationOptions evaluation, MiaLab.Core.Data.Dataset? samples,
        CancellationToken cancel)
    {
        var metrics = ProgressDisplay.Run(progress => EvaluateStage.Run(run, evaluation, progress, cancel));
        foreach (var left in metrics.LeftOut) Console.WriteLine($"Left out {left.Attack} against target {left.Target}: {left.Reason}.");
        string report = ReportStage.Write(run, target, samples, Console.WriteLine);
        Tables.PrintAttacks(metrics, target);
        Console.WriteLine($"Metrics: {run.Paths.Metrics}");
        Console.WriteLine($"Report:  {report}");
        return metrics;
    }

    /// <summary>Comma-separated names; null when the option was not given. An option given as an
    /// empty list is an error, never "all".</summary>
    public static string[]? ParseList(string? text, string option)
    {
        if (text is null) return null;
        var items = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (items.Length == 0) throw new InputException($"{option} is empty; give a comma-separated list, or leave the option out for the default");
        return items;
    }

    /// <summary>The attack list of an --attacks option, checked against the registry before any work starts.</summary>
    public static IReadOnlyList<string>? Attacks(string? text)
    {
        var names = ParseList(text, "--attacks");
        if (names is not null) AttackRegistry.Resolve(names);
        return names;
    }
}
