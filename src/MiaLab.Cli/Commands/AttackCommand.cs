using System.CommandLine;
using MiaLab.Cli.Terminal;
using MiaLab.Core;
using MiaLab.Core.Evaluation;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Runs;
using MiaLab.Reports;

namespace MiaLab.Cli.Commands;

internal static class AttackCommand
{
    public static Command Create()
    {
        var run = Options.Run();
        var target = new Option<int?>("--target") { Description = "The target model (default 0)." };
        var allTargets = new Option<bool>("--all-targets") { Description = "Attack every model in turn (LiRA's protocol) and add the pooled ROC." };
        var attacks = new Option<string>("--attacks") { Description = $"Comma-separated attacks (default: {string.Join(",", AttackStage.DefaultAttacks)}). Valid: {string.Join(", ", AttackStage.AllNames)}." };
        var refs = new Option<string>("--refs") { Description = "Comma-separated reference models (default: every model but the target)." };
        var bootstrap = new Option<int>("--bootstrap") { Description = "Bootstrap resamples for the confidence intervals.", DefaultValueFactory = _ => 1000 };
        var command = new Command("attack", "Run membership inference attacks on a run directory (needs only labels.npy, keep.npy and logits/), " +
            "write attacks/, metrics.json and report/index.html.\nExample: mialab attack --run runs/fm --attacks lira-online,rmia-online")
        { run, target, allTargets, attacks, refs, bootstrap };
        command.SetAction(p => CommandRunner.Run(cancel =>
        {
            var dir = RunDirectory.Open(p.GetValue(run)!);
            if (p.GetValue(allTargets) && p.GetValue(target) is not null)
                throw new InputException("give either --target or --all-targets, not both");
            int[] targets = p.GetValue(allTargets) ? Enumerable.Range(0, dir.Models).ToArray() : [p.GetValue(target) ?? 0];
            var plan = new AttackPlan(targets, ParseList(p.GetValue(attacks)) ?? AttackStage.DefaultAttacks,
                ParseList(p.GetValue(refs))?.Select(r => ParseInt(r, "--refs")).ToArray(), dir.Config?.Seed ?? 0,
                new EvaluationOptions(BootstrapResamples: p.GetValue(bootstrap), Seed: dir.Config?.Seed ?? 0));
            // Runs made by MiaLab know their data, so the report can show thumbnails.
            var samples = dir.Config is { } config ? PlanStage.LoadData(config).Samples : null;
            Attack(dir, plan, samples, cancel);
            return 0;
        }));
        return command;
    }

    /// <summary>Attack, evaluate, report; prints the summary. Shared with the audit command.</summary>
    public static AttackStageResult Attack(RunDirectory run, AttackPlan plan, MiaLab.Core.Data.Dataset? samples, CancellationToken cancel)
    {
        AttackStage.CheckNames(plan.Attacks);
        var stage = ProgressDisplay.Run(progress => AttackStage.Run(run, plan, progress, cancel));
        string report = ReportStage.Write(run, stage, plan.Targets[0], samples, run.Config);
        Tables.PrintAttacks(stage, plan.Targets[0]);
        if (stage.Pooled.Count > 0) Tables.PrintPooled(stage.Pooled);
        Console.WriteLine($"Metrics: {Path.GetFullPath(run.MetricsPath)}");
        Console.WriteLine($"Report:  {report}");
        return stage;
    }

    public static string[]? ParseList(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static int ParseInt(string text, string option) =>
        int.TryParse(text, out int value) ? value : throw new InputException($"{option}: '{text}' is not a model index");
}
