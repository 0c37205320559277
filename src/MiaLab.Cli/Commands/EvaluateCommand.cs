using System.CommandLine;
using System.Text.Json;
using MiaLab.Cli.Terminal;
using MiaLab.Core;
using MiaLab.Core.Evaluation;
using MiaLab.Core.IO;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Runs;

namespace MiaLab.Cli.Commands;

internal static class EvaluateCommand
{
    public static Command Create()
    {
        var run = Options.Run(required: false, create: false);
        run.Description = "A run directory: evaluate every score file under attacks/ into metrics.json and rebuild the report.";
        var target = Options.Target();
        target.Description = "With --run: the target the report shows (default 0).";
        var scores = new Option<string>("--scores") { Description = "Without --run: scores [N] (higher = member; NaN = unscored), .npy." };
        var membership = new Option<string>("--membership") { Description = "Without --run: membership [N], bool or 0/1, .npy." };
        var labels = new Option<string>("--labels") { Description = "Optional labels [N], .npy, for per-class slices." };
        var json = new Option<bool>("--json") { Description = "Print JSON with the same keys as metrics.json." };
        var bootstrap = Options.Bootstrap();
        var confidence = Options.Confidence();
        var command = new Command("evaluate", "ROC metrics (AUC, balanced accuracy, advantage, TPR at FPR with intervals) of a run's score files " +
            "(--run) or of any score vector (--scores, --membership).\n" +
            "Example: mialab evaluate --run runs/fm   or   mialab evaluate --scores s.npy --membership member.npy --json")
        { run, target, scores, membership, labels, json, bootstrap, confidence };
        command.SetAction(p => CommandRunner.Run(cancel =>
        {
            int resamples = p.GetValue(bootstrap);
            double level = Options.CheckConfidence(p.GetValue(confidence));
            if (p.GetValue(run) is string root)
            {
                if (p.GetValue(scores) is not null || p.GetValue(membership) is not null || p.GetValue(labels) is not null)
                    throw new InputException("give either --run or --scores/--membership, not both");
                var dir = RunDirectory.Open(root);
                var evaluated = Stages.EvaluateAndReport(dir, p.GetValue(target) ?? 0, new EvaluationOptions(resamples, dir.Config?.Seed ?? 0) { ConfidenceLevel = level }, null, cancel);
                if (evaluated.Pooled.Count > 0) Tables.PrintPooled(evaluated.Pooled);
                return 0;
            }
            if (p.GetValue(scores) is null || p.GetValue(membership) is null)
                throw new InputException("give --run DIR, or both --scores and --membership");
            var s = NpyVectors.Scores(p.GetValue(scores)!);
            var m = NpyVectors.Membership(p.GetValue(membership)!);
            long[]? y = p.GetValue(labels) is { } path ? NpyVectors.Labels(path) : null;
            if (s.Length != m.Length)
                throw new InputException($"--scores has {s.Length} values but --membership has {m.Length}");
            if (y is not null && y.Length != s.Length)
                throw new InputException($"--labels has {y.Length} values but --scores has {s.Length}");
            // A large sample's bootstrap takes minutes: show it (resamples finish on several threads),
            // except under --json, whose output is the JSON alone.
            var options = new EvaluationOptions(BootstrapResamples: resamples) { ConfidenceLevel = level };
            var metrics = p.GetValue(json) ? Evaluator.Evaluate(s, m, y, options)
                : ProgressDisplay.Run(progress => Evaluator.Evaluate(s, m, y, options,
                    StageProgress.Throttled(progress, (done, total) => new StageProgress("bootstrap", done, total))));
            if (!p.GetValue(json)) Tables.NoteReducedBootstrap([metrics], resamples); // the JSON records the count itself
            if (p.GetValue(json))
                Console.WriteLine(MetricsJson.ToJson(metrics).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            else
                Tables.PrintMetrics(metrics);
            return 0;
        }));
        return command;
    }
}
