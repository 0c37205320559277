using System.CommandLine;
using MiaLab.Core.Config;
using MiaLab.Core.Evaluation;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Runs;

namespace MiaLab.Cli.Commands;

internal static class AuditCommand
{
    public const string DefaultRun = "runs/audit-default";

    public static Command Create()
    {
        var config = Options.Config(required: false);
        config.Description = "A YAML or JSON config (default: the built-in audit, an MLP on Fashion-MNIST; see examples/fashion-mnist.yaml).";
        var run = Options.Run(required: false);
        run.Description = $"The run directory (default: {DefaultRun}, or runs/<config name>).";
        var attacks = new Option<string>("--attacks") { Description = "Comma-separated attacks (default: the registry's defaults; see 'mialab attack --help')." };
        var settings = new AttackOptions();
        var device = Options.Device();
        var command = new Command("audit", "The whole audit: plan → train (batched, resumable) → query → attack → evaluate → report. " +
            "The attack settings come from the config's attacks section; the options override them (see 'mialab attack --help').\n" +
            "Example: mialab audit   (the built-in Fashion-MNIST default; or --config examples/synthetic-tiny.yaml)")
        { config, run, attacks, device };
        settings.AddTo(command);
        command.SetAction(p => CommandRunner.Run(cancel =>
        {
            // Every option is checked before the first byte is written.
            var names = Stages.Attacks(p.GetValue(attacks));
            string? configPath = p.GetValue(config);
            var cfg = Options.WithDevice(configPath is null ? RunConfig.BuiltInAudit() : ConfigFile.Load(configPath), p.GetValue(device));
            var choice = settings.Apply(p, cfg.Attacks);
            string root = p.GetValue(run) ?? (configPath is null ? DefaultRun : Path.Combine("runs", Path.GetFileNameWithoutExtension(configPath)));
            var data = Stages.TrainAndQuery(cfg, root, 0, 1, cancel);
            Stages.AttackEvaluateReport(RunDirectory.Open(root), choice.Plan([0], names, cfg.Seed), choice.Evaluation(cfg.Seed), data.Samples, cancel);
            return 0;
        }));
        return command;
    }
}
