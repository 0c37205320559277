using System.CommandLine;
using MiaLab.Cli.Terminal;
using MiaLab.Core;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Runs;
using MiaLab.Onnx;
using MiaLab.Torch.Pipeline;

namespace MiaLab.Cli.Commands;

internal static class QueryCommand
{
    public static Command Create()
    {
        var run = Options.Run(create: false);
        var device = Options.Device();
        var command = new Command("query", "Compute the logits of trained models whose logits are missing or do not match their record.\n" +
            "Example: mialab query --run runs/fm")
        { run, device };
        command.SetAction(p => CommandRunner.Run(cancel =>
        {
            string root = p.GetValue(run)!;
            var existing = RunDirectory.Open(root);
            var cfg = Options.WithDevice(existing.Config ?? throw new InputException($"{existing.Root}: no manifest.json; 'query' needs a run directory made by 'mialab train'"),
                p.GetValue(device));
            var (dir, data) = PlanStage.Prepare(cfg, root);
            var result = ProgressDisplay.Run(progress => QueryStage.Run(dir, cfg, data, progress: progress, cancel: cancel,
                load: OnnxTarget.Loader(dir, cfg, data.Samples)));
            Tables.PrintModels(Enumerable.Range(0, cfg.Plan.Models).Select(dir.Records.Read).OfType<ModelRecord>().Where(r => dir.Records.IsTrained(r.Index)).ToList());
            if (result.Untrained.Count > 0)
                throw new InputException($"model(s) {string.Join(", ", result.Untrained)} have no valid weights (never trained, or the weights file changed); run 'mialab train' on {dir.Root}");
            Console.WriteLine(result.Queried.Count == 0 ? "Every model's logits are present and match their records." : $"Queried {result.Queried.Count} model(s).");
            return 0;
        }));
        return command;
    }
}
