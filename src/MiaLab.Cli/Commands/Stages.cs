using MiaLab.Cli.Terminal;
using MiaLab.Core;
using MiaLab.Core.Attacks;
using MiaLab.Core.Config;
using MiaLab.Core.Evaluation;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Runs;
using MiaLab.Core.Translation;
using MiaLab.Onnx;
using MiaLab.Reports;
using MiaLab.Torch.Pipeline;

namespace MiaLab.Cli.Commands;

/// <summary>The chains of stages that several commands share, with their progress bars and
/// summaries. Each stage reads the files the one before wrote; nothing else passes between them.</summary>
internal static class Stages
{
    /// <summary>Plan (image-to-image: and predictability) → train → query (of one shard).</summary>
    public static RunData TrainAndQuery(RunConfig cfg, string runRoot, int shardIndex, int shardCount, CancellationToken cancel)
    {
        var (run, data) = Plan(cfg, runRoot, cancel);
        ProgressDisplay.Run(progress => TrainStage.Run(run, cfg, data, shardIndex, shardCount, progress, cancel));
        ProgressDisplay.Run(progress => QueryStage.Run(run, cfg, data, shardIndex, shardCount, progress, cancel,
            OnnxTarget.Loader(run, cfg, data.Samples)));
        Tables.PrintModels(TrainStage.Shard(cfg, shardIndex, shardCount).Select(run.Records.Read).OfType<ModelRecord>().ToList());
        return data;
    }

    /// <summary>Plan (an external target's or a predictability backbone's ONNX model checked against the data first),
    /// then, for an image-to-image run, the predictability stage; says what the run holds.</summary>
    public static (RunDirectory Run, RunData Data) Plan(RunConfig cfg, string runRoot, CancellationToken cancel)
    {
        // An ONNX backbone is opened once, in the check before anything is written, and kept for the
        // predictability stage (null: the zoo backbone).
        PredictabilityBackbone? backbone = null;
        try
        {
            // The bars show a download of the dataset, when it has to be fetched.
            var (run, data) = ProgressDisplay.Run((progress, log) =>
                PlanStage.Prepare(cfg, runRoot, log, progress, cancel, checkData: d =>
                {
                    OnnxTarget.Check(cfg, d);
                    backbone = OnnxPredictabilityBackbone.Load(cfg, d.Samples);
                }));
            Console.WriteLine($"Run {run.Root}: {data.Population} samples (+{data.Holdout} holdout), " + (run.Target is { } t
                ? $"target {t.Onnx} ({(t.MembersKnown ? "members known" : "membership unknown")}) and {cfg.Plan.Models - 1} {cfg.Model.Kind} reference models"
                : $"{cfg.Plan.Models} {cfg.Model.Kind} models"));
            // Computed from the data alone, once, before any model trains (a SLURM array's tasks reuse it).
            if (cfg.Task is not null)
                ProgressDisplay.Run((progress, log) => PredictabilityStage.Run(run, cfg, data, backbone, progress, log, cancel));
            return (run, data);
        }
        finally
        {
            backbone?.Dispose();
        }
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
        Tables.NoteReducedBootstrap(metrics.Attacks.Select(a => a.Metrics).Concat(metrics.Pooled.Select(p => p.Metrics)), evaluation.BootstrapResamples);
        if (EvaluateStage.MembershipUnknown(run, target))
        {
            // The HTML report is built on ROC curves; without membership the table is the report.
            Tables.PrintDistributions(metrics, target);
            Console.WriteLine($"Metrics: {run.Paths.Metrics}");
            return metrics;
        }
        Console.WriteLine($"Metrics: {run.Paths.Metrics}");
        if (metrics.Targets.All(t => t.Target != target))
        {
            Console.WriteLine($"No attack results for target {target} yet, so no report: run 'mialab attack --run {run.Root} --target {target}'.");
            return metrics;
        }
        string report = ReportStage.Write(run, target, samples, Console.WriteLine);
        Tables.PrintAttacks(metrics, target);
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
