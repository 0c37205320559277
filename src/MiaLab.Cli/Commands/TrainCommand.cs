using System.CommandLine;
using MiaLab.Core;
using MiaLab.Core.Config;

namespace MiaLab.Cli.Commands;

internal static class TrainCommand
{
    public static Command Create()
    {
        var config = Options.Config(required: true);
        var run = Options.Run();
        var shard = new Option<string>("--shard") { Description = "Train only models k ≡ i (mod n), as i/n, so several processes can fill one run directory." };
        var command = new Command("train", "Plan the run, train its models and query them, resuming where it stopped.\n" +
            "Example: mialab train --config examples/fashion-mnist.yaml --run runs/fm")
        { config, run, shard };
        command.SetAction(p => CommandRunner.Run(cancel =>
        {
            var (index, count) = ParseShard(p.GetValue(shard));
            var cfg = ConfigFile.Load(p.GetValue(config)!);
            Stages.TrainAndQuery(cfg, p.GetValue(run)!, index, count, cancel);
            return 0;
        }));
        return command;
    }

    private static (int Index, int Count) ParseShard(string? text)
    {
        if (text is null) return (0, 1);
        var parts = text.Split('/');
        if (parts.Length == 2 && int.TryParse(parts[0], out int i) && int.TryParse(parts[1], out int n) && n >= 1 && n <= 100_000 && i >= 0 && i < n)
            return (i, n);
        throw new InputException($"--shard '{text}' must be i/n with 0 ≤ i < n ≤ 100000, e.g. 0/2");
    }
}
