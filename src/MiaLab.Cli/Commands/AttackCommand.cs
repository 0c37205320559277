using System.CommandLine;
using MiaLab.Core;
using MiaLab.Core.Attacks;
using MiaLab.Core.Config;
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
        var config = Options.Config(required: false);
        config.Description = "A config file whose attacks section gives the settings below (the options override it; its other sections are not read).";
        var settings = new AttackOptions();
        var command = new Command("attack", "Run membership inference attacks on a run directory (needs only labels.npy, keep.npy and logits/): " +
            "writes attacks/<attack>/target-XXXX.npy with a record beside each, then evaluates every score file into metrics.json and rebuilds report/index.html. " +
            "Each attack parameter below is also attacks.parameters.<group>.<name> in a config; presets such as lira-online-fixed-var fix some of them.\n" +
            "Example: mialab attack --run runs/fm --all-targets --attacks rmia-offline --rmia-gamma 1 --ref-policy all-but-mate")
        { run, target, allTargets, attacks, config };
        settings.AddTo(command);
        command.SetAction(p => CommandRunner.Run(cancel =>
        {
            var names = Stages.Attacks(p.GetValue(attacks));
            if (p.GetValue(allTargets) && p.GetValue(target) is not null)
                throw new InputException("give either --target or --all-targets, not both");
            var section = p.GetValue(config) is string path ? ConfigFile.Load(path).Attacks : new AttacksConfig();
            var choice = settings.Apply(p, section);
            var dir = RunDirectory.Open(p.GetValue(run)!);
            int seed = dir.Config?.Seed ?? 0;
            int[] targets = p.GetValue(allTargets) ? Enumerable.Range(0, dir.Models).ToArray() : [p.GetValue(target) ?? 0];
            Stages.AttackEvaluateReport(dir, choice.Plan(targets, names, seed), choice.Evaluation(seed), null, cancel);
            return 0;
        }));
        return command;
    }
}
