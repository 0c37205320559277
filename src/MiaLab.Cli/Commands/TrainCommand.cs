using System.CommandLine;
using MiaLab.Cli.Terminal;
using MiaLab.Core;
using MiaLab.Core.Config;
using MiaLab.Core.Pipeline;
using MiaLab.Torch.Pipeline;

namespace MiaLab.Cli.Commands;

internal static class TrainCommand
{
    public static Command Create()
    {
        var config = Options.Config(required: true);
        var run = Options.Run();
        var shard = new Option<string>("--shard") { Description = "Train only models k ≡ i (mod n), as i/n, so several processes can fill one run directory." };
        var command = new Command("train", "Plan the run and train (and query) its models, resuming where it stopped.\n" +
            "Example: mialab train --config examples/fashion-mnist.yaml --run runs/fm")
        { config, run, shard };
        command.SetAction(p => CommandRunner.Run(cancel =>
        {
            var (index, count) = ParseShard(p.GetValue(shard));
            var cfg = ConfigFile.Load(p.GetValue(config)!);
            Train(cfg, p.GetValue(run)!, index, count, cancel);
            return 0;
        }));
        return command;
    }

    /// <summary>Plan + train + query; shared with the audit command.</summary>
    public static RunData Train(RunConfig cfg, string runRoot, int shardIndex, int shardCount, CancellationToken cancel)
    {
        // The bars show a download of the dataset, when it has to be fetched.
        var (run, data) = ProgressDisplay.Run((progress, log) => PlanStage.Prepare(cfg, runRoot, log, progress, cancel));
        Console.WriteLine($"Run {runRoot}: {data.Population} samples (+{data.Holdout} holdout), {cfg.Plan.Models} {cfg.Model.Kind} models");
        var records = ProgressDisplay.Run(progress => TrainStage.Run(run, cfg, data, shardIndex, shardCount, progress, cancel));
        Tables.PrintModels(records);
        return data;
    }

    private static (int Index, int Count) ParseShard(string? text)
    {
        if (string.IsNullOrEmpty(text)) return (0, 1);
        var parts = text.Split('/');
        if (parts.Length == 2 && int.TryParse(parts[0], out int i) && int.TryParse(parts[1], out int n) && n >= 1 && i >= 0 && i < n)
            return (i, n);
        throw new InputException($"--shard '{text}' must be i/n with 0 ≤ i < n, e.g. 0/2");
    }
}
