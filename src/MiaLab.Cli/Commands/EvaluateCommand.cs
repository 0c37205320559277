using System.CommandLine;
using System.Text.Json;
using MiaLab.Cli.Terminal;
using MiaLab.Core;
using MiaLab.Core.Evaluation;
using MiaLab.Core.IO;

namespace MiaLab.Cli.Commands;

internal static class EvaluateCommand
{
    public static Command Create()
    {
        var scores = new Option<string>("--scores") { Description = "Scores [N] (higher = member; NaN = unscored), .npy.", Required = true };
        var membership = new Option<string>("--membership") { Description = "Membership [N], bool or 0/1, .npy.", Required = true };
        var labels = new Option<string>("--labels") { Description = "Optional labels [N], .npy, for per-class slices." };
        var json = new Option<bool>("--json") { Description = "Print JSON with the same keys as metrics.json." };
        var bootstrap = new Option<int>("--bootstrap") { Description = "Bootstrap resamples.", DefaultValueFactory = _ => 1000 };
        var command = new Command("evaluate", "ROC metrics of any score vector: AUC, balanced accuracy, advantage, TPR at FPR with intervals.\n" +
            "Example: mialab evaluate --scores runs/fm/attacks/lira-online/target-0000.npy --membership member.npy --json")
        { scores, membership, labels, json, bootstrap };
        command.SetAction(p => CommandRunner.Run(_ =>
        {
            var s = Npy.Read(p.GetValue(scores)!).ToFloat64();
            var m = Membership(p.GetValue(membership)!);
            long[]? y = p.GetValue(labels) is { } path ? Npy.Read(path).ToInt64() : null;
            if (s.Length != m.Length)
                throw new InputException($"--scores has {s.Length} values but --membership has {m.Length}");
            if (y is not null && y.Length != s.Length)
                throw new InputException($"--labels has {y.Length} values but --scores has {s.Length}");
            var metrics = Evaluator.Evaluate(s, m, y, new EvaluationOptions(BootstrapResamples: p.GetValue(bootstrap)));
            if (p.GetValue(json))
                Console.WriteLine(MetricsJson.ToJson(metrics).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            else
                Tables.PrintMetrics(metrics);
            return 0;
        }));
        return command;
    }

    private static bool[] Membership(string path)
    {
        var array = Npy.Read(path);
        if (array.DType == DType.Bool) return array.Get<bool>();
        var values = array.ToInt64();
        if (values.Any(v => v is not (0 or 1)))
            throw new InputException($"{path}: membership must be bool or 0/1");
        return values.Select(v => v == 1).ToArray();
    }
}
