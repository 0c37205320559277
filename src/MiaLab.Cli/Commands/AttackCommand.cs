using System.CommandLine;
using MiaLab.Core;
using MiaLab.Core.Attacks;
using MiaLab.Core.Evaluation;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Runs;

namespace MiaLab.Cli.Commands;

internal static class AttackCommand
{
    public static Command Create()
    {
        var run = Options.Run(create: false);
        var target = Options.Target();
        var allTargets = new Option<bool>("--all-targets") { Description = "Attack every model in turn (LiRA's protocol) and add the pooled ROC." };
        var attacks = new Option<string>("--attacks") { Description = $"Comma-separated attacks (default: {string.Join(",", AttackRegistry.DefaultNames)}). Valid: {string.Join(", ", AttackRegistry.Names)}." };
        var refs = new Option<string>("--refs") { Description = "Comma-separated reference models (default: every model but the target)." };
        var bootstrap = Options.Bootstrap();
        var command = new Command("attack", "Run membership inference attacks on a run directory (needs only labels.npy, keep.npy and logits/): " +
            "writes attacks/<attack>/target-XXXX.npy with a record beside each, then evaluates every score file into metrics.json and rebuilds report/index.html.\n" +
            "Example: mialab attack --run runs/fm --attacks lira-online,rmia-online")
        { run, target, allTargets, attacks, refs, bootstrap };
        command.SetAction(p => CommandRunner.Run(cancel =>
        {
            var names = Stages.Attacks(p.GetValue(attacks));
            var evaluation = new EvaluationOptions(p.GetValue(bootstrap));
            var references = Stages.ParseList(p.GetValue(refs), "--refs")?.Select(r => ParseInt(r, "--refs")).ToArray();
            if (p.GetValue(allTargets) && p.GetValue(target) is not null)
                throw new InputException("give either --target or --all-targets, not both");
            var dir = RunDirectory.Open(p.GetValue(run)!);
            int seed = dir.Config?.Seed ?? 0;
            int[] targets = p.GetValue(allTargets) ? Enumerable.Range(0, dir.Models).ToArray() : [p.GetValue(target) ?? 0];
            Stages.AttackEvaluateReport(dir, new AttackPlan(targets, names, references, seed), evaluation with { Seed = seed }, null, cancel);
            return 0;
        }));
        return command;
    }

    private static int ParseInt(string text, string option) =>
        int.TryParse(text, out int value) ? value : throw new InputException($"{option}: '{text}' is not a model index");
}
