using System.CommandLine;
using MiaLab.Cli.Terminal;
using MiaLab.Core;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Runs;
using MiaLab.Torch.Pipeline;

namespace MiaLab.Cli.Commands;

internal static class QueryCommand
{
    public static Command Create()
    {
        var run = Options.Run();
        var command = new Command("query", "Recompute the logits of trained models whose logits are missing or corrupt.\n" +
            "Example: mialab query --run runs/fm")
        { run };
        command.SetAction(p => CommandRunner.Run(_ =>
        {
            string root = p.GetValue(run)!;
            var existing = RunDirectory.Open(root);
            var cfg = existing.Config ?? throw new InputException($"{root}: no manifest.json; 'query' needs a run directory made by 'mialab train'");
            var (dir, data) = PlanStage.Prepare(cfg, root);
            int count = ProgressDisplay.Run(progress => TrainStage.QueryMissing(dir, cfg, data, progress));
            Console.WriteLine(count == 0 ? "Every trained model's logits are present and verified." : $"Queried {count} model(s).");
            Tables.PrintModels(Enumerable.Range(0, cfg.Plan.Models).Select(dir.ReadModelRecord).OfType<ModelRecord>().ToList());
            return 0;
        }));
        return command;
    }
}
