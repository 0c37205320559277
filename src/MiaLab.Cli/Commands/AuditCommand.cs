using System.CommandLine;
using MiaLab.Core.Config;
using MiaLab.Core.Evaluation;
using MiaLab.Core.Pipeline;

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
        var attacks = new Option<string>("--attacks") { Description = "Comma-separated attacks (default: every attack)." };
        var command = new Command("audit", "The whole audit: plan → train (batched, resumable) → query → attack → evaluate → report.\n" +
            "Example: mialab audit   (the built-in Fashion-MNIST default; or --config examples/synthetic-tiny.yaml)")
        { config, run, attacks };
        command.SetAction(p => CommandRunner.Run(cancel =>
        {
            string? configPath = p.GetValue(config);
            var cfg = configPath is null ? RunConfig.BuiltInAudit() : ConfigFile.Load(configPath);
            string root = p.GetValue(run) ?? (configPath is null ? DefaultRun : Path.Combine("runs", Path.GetFileNameWithoutExtension(configPath)));
            var data = TrainCommand.Train(cfg, root, 0, 1, cancel);
            var dir = MiaLab.Core.Runs.RunDirectory.Open(root);
            var plan = new AttackPlan([0], AttackCommand.ParseList(p.GetValue(attacks)) ?? AttackStage.DefaultAttacks, null, cfg.Seed,
                new EvaluationOptions(Seed: cfg.Seed));
            AttackCommand.Attack(dir, plan, data.Samples, cancel);
            return 0;
        }));
        return command;
    }
}
