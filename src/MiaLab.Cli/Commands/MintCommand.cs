using MiaLab.Core.Randomness;
using System.CommandLine;
using MiaLab.Cli.Terminal;
using MiaLab.Core;
using MiaLab.Core.Evaluation;
using MiaLab.Core.IO;
using MiaLab.Core.Mint;
using MiaLab.Core.Pipeline;
using MiaLab.Onnx;
using MiaLab.Reports;
using MiaLab.Core.Runs;
using MiaLab.Experiments;
using MiaLab.Torch.Mint;
using Spectre.Console;

namespace MiaLab.Cli.Commands;

/// <summary><c>mialab mint train</c> and <c>mialab mint test</c>: the Membership Inference Test (ALGORITHMS.md §8).</summary>
internal static class MintCommand
{
    public static Command Create()
    {
        var command = new Command("mint", "Membership Inference Test: an auditor who holds the model trains a detector on its activations " +
            "and asks whether given data was used to train it.\nExample: mialab mint train --run runs/fm --model 0");
        command.Subcommands.Add(Train());
        command.Subcommands.Add(Test());
        command.Subcommands.Add(Probe());
        return command;
    }

    private static Command Probe()
    {
        var run = Options.Run();
        run.Description = "The run directory holding the audited model.";
        var model = Options.Number("--model", "The audited model.", 0, 1_000_000, 0);
        var cnn = new Option<bool>("--cnn") { Description = "Also train the CNN detector on each conv capture point (slow)." };
        var groups = new Option<string>("--groups") { Description = $"Only these comma-separated variant groups: {string.Join(", ", MintProbe.Groups)} (default: all)." };
        var command = new Command("probe", "Why MINT finds what it finds: trains many detectors (penalty kind and scale, standardisation, " +
            "capacity, balance, epochs, each capture point, max vs mean pooling, MINT-train size, the CNN detector per conv point) on the " +
            "same split, beside the max-confidence baseline and the loss attack. Writes <run>/mint/probe-XXXX.md/.csv/.json; a rerun " +
            "trains only the variants not yet measured.\nExample: mialab mint probe --run runs/fm --model 0")
        { run, model, cnn, groups };
        command.SetAction(p => CommandRunner.Run(cancel =>
        {
            var dir = RunDirectory.Open(p.GetValue(run)!);
            int target = p.GetValue(model);
            if (target < 0 || target >= dir.Models) throw new InputException($"--model {target} is outside the run's models 0..{dir.Models - 1}");
            var config = dir.Config ?? throw new InputException($"{dir.Root}: has no manifest.json with a config, so the audited model cannot be rebuilt");
            var groupList = Stages.ParseList(p.GetValue(groups), "--groups");
            var data = PlanStage.LoadData(config);
            var (rows, baselines, path) = ProgressDisplay.Run(progress => MintProbe.Run(dir, target, p.GetValue(cnn), progress, cancel,
                groupList, data, OnnxTarget.Loader(dir, config, data.Samples)));
            // Headers and cells are plain text: "[95% CI]" is not Spectre markup.
            var table = new Table().AddColumns(new[] { "group", "variant", "train BA", "eval BA [95% CI]", "AUC [95% CI]" }.Select(Markup.Escape).ToArray());
            foreach (var r in rows)
                table.AddCells(r.Group, r.Name, $"{r.TrainBalancedAccuracy:0.000}", $"{r.BalancedAccuracy:0.000} [{r.BalancedAccuracyLow:0.000}, {r.BalancedAccuracyHigh:0.000}]",
                    $"{r.Auc:0.000} [{r.AucLow:0.000}, {r.AucHigh:0.000}]");
            foreach (var b in baselines)
                table.AddCells("baseline", b.Name, $"{b.TrainBalancedAccuracy:0.000}", $"{b.Eval.BalancedAccuracy:0.000} [{b.Eval.Ci95.Low:0.000}, {b.Eval.Ci95.High:0.000}]",
                    $"{b.Metrics.Auc:0.000} [{b.Metrics.AucCi?.Low:0.000}, {b.Metrics.AucCi?.High:0.000}]");
            AnsiConsole.Write(table);
            Console.WriteLine($"Wrote {path} (and .csv, .json).");
            return 0;
        }));
        return command;
    }

    private static Command Train()
    {
        var run = Options.Run();
        run.Description = "The run directory holding the audited model.";
        var model = Options.Number("--model", "The audited model.", 0, 1_000_000, 0);
        var points = new Option<string>("--points") { Description = "Comma-separated capture points, 'confidence' (the outputs' sorted logit-scaled probabilities) or 'all' (every capture point; 'all,confidence' is both). Default: confidence for vanilla (a classifier; every point otherwise), the last conv point for cnn." };
        var detector = new Option<string>("--detector") { Description = "vanilla (dense net on reduced activations) or cnn (conv net on one conv point's full map).", DefaultValueFactory = _ => "vanilla" };
        var reduction = new Option<string>("--reduction") { Description = "Per-channel reduction of conv maps: max or mean.", DefaultValueFactory = _ => "max" };
        var output = new Option<string>("--out") { Description = "Detector file (.npz; a .json is written beside it). Default: <run>/mint/model-XXXX-<detector>.npz." };
        var epochs = Options.OptionalNumber("--epochs", "Detector epochs (default: 20 vanilla, 30 cnn).", 1, 10_000);
        var l1 = Options.OptionalNumber("--l1", $"L1 penalty λ on the vanilla detector's first layer (default {new MintTrainingOptions().L1}: off; the paper's is 0.1, with --penalty weight).", 0.0, 1000.0);
        var penalty = new Option<string>("--penalty") { Description = $"What λ applies to: weight (λ·Σ|w|) or activity (λ·mean over the batch of Σ|h|). Default {new MintTrainingOptions().Penalty}." };
        var bootstrap = Options.Bootstrap();
        var command = new Command("train", "Train and evaluate a MINT detector for one model: used = its training samples, unused = the holdout " +
            "(or the samples it did not train on); each split 2/3 to train, 1/3 to evaluate.\nExample: mialab mint train --run runs/fm --model 0 --points hidden1,logits")
        { run, model, points, detector, reduction, output, epochs, l1, penalty, bootstrap };
        command.SetAction(p => CommandRunner.Run(cancel =>
        {
            var dir = RunDirectory.Open(p.GetValue(run)!);
            int seed = dir.Config?.Seed ?? 0;
            var options = new MintOptions(
                Detector: MintDetectorKinds.Check(p.GetValue(detector)),
                Points: Stages.ParseList(p.GetValue(points), "--points"),
                Reduction: ActivationCapture.ParseReduction(p.GetValue(reduction)),
                Training: Training(p.GetValue(epochs), p.GetValue(l1), p.GetValue(penalty), Seeds.Derive(seed, "mint-detector", p.GetValue(model))),
                Seed: Seeds.Derive(seed, "mint", p.GetValue(model)),
                BootstrapResamples: p.GetValue(bootstrap));
            var config = dir.Config ?? throw new InputException($"{dir.Root}: has no manifest.json with a config, so the audited model cannot be rebuilt");
            var data = PlanStage.LoadData(config);
            var result = ProgressDisplay.Run(progress => MintStage.Train(dir, p.GetValue(model), options, p.GetValue(output), data, progress, cancel,
                OnnxTarget.Loader(dir, config, data.Samples)));
            Print(result, p.GetValue(model));
            // The report shows MINT beside the attacks: rebuild it when the attacks have run.
            if (RunMetrics.TryRead(dir.Paths.Metrics)?.Targets.Any(t => t.Target == p.GetValue(model)) == true)
                Console.WriteLine($"Report:   {ReportStage.Write(dir, p.GetValue(model), null, Console.WriteLine)}");
            else
                Console.WriteLine($"The run has no attack results for model {p.GetValue(model)} yet; 'mialab attack --run {dir.Root} --target {p.GetValue(model)}' makes a report that shows MINT beside them.");
            return 0;
        }));
        return command;
    }

    private static MintTrainingOptions Training(int? epochs, double? l1, string? penalty, int seed)
    {
        var defaults = new MintTrainingOptions();
        return defaults with { Epochs = epochs, L1 = l1 ?? defaults.L1, Penalty = MintPenalties.Check(penalty ?? defaults.Penalty), Seed = seed };
    }

    private static Command Test()
    {
        var detector = new Option<string>("--detector") { Description = "A detector written by 'mint train' (.npz or .json).", Required = true };
        var data = new Option<string>("--data") { Description = "The auditor's samples: .npy [N, …], .npz with key x, .csv with a label column, or an IDX images file.", Required = true };
        var labelColumn = new Option<string>("--label-column") { Description = "CSV only: the label column to drop (default: the first column)." };
        var output = new Option<string>("--out") { Description = "Write each sample's probability of having been used (float64 [N]) to this .npy." };
        var command = new Command("test", "Ask a trained MINT detector whether the given samples were used to train its audited model.\n" +
            "Example: mialab mint test --detector runs/fm/mint/model-0000-vanilla.npz --data mine.npy --out probs.npy")
        { detector, data, labelColumn, output };
        command.SetAction(p => CommandRunner.Run(_ =>
        {
            using var d = MintDetector.Load(p.GetValue(detector)!);
            var samples = MintData.Read(p.GetValue(data)!, p.GetValue(labelColumn));
            double[] probabilities = ProgressDisplay.Run(progress => MintStage.Test(d, samples, progress,
                (config, onnx) => OnnxTarget.Load(config, onnx, d.Info.Audited!.SampleShape, d.Info.Audited.Classes)));
            if (p.GetValue(output) is { } path)
            {
                Npy.Write(path, new NpyArray(probabilities, probabilities.Length));
                Console.WriteLine($"Probabilities: {Path.GetFullPath(path)}");
            }
            int above = probabilities.Count(v => v > 0.5);
            Console.WriteLine($"{probabilities.Length} samples, mean probability of having been used {probabilities.Average():0.000}; " +
                $"{above} ({(double)above / probabilities.Length:P1}) above 0.5 (detector: {d.Kind} on {string.Join(", ", d.Info.Points)}).");
            return 0;
        }));
        return command;
    }

    private static void Print(MintStageResult r, int model)
    {
        var m = r.Result.Metrics;
        var s = r.Result.Split;
        Console.WriteLine($"MINT for model {model}: {r.Result.Detector} detector on {string.Join(", ", r.Result.Points)} ({r.Result.InputLength} inputs); " +
            $"used {s.UsedTrain.Length}/{s.UsedEval.Length}, unused ({r.UnusedSource}) {s.UnusedTrain.Length}/{s.UnusedEval.Length} (MINT-train/MINT-eval).");
        var table = new Table().AddColumns("metric (MINT-eval)", "value");
        void Row(string name, string value) => table.AddCells(name, value);
        var baCi = r.Result.BalancedAccuracyCi95;
        Row("balanced accuracy at 0.5", $"{r.Result.BalancedAccuracy:0.000} [{baCi.Low:0.000}, {baCi.High:0.000}] (MINT-train {r.Result.TrainBalancedAccuracy:0.000})");
        Row("best balanced accuracy", $"{m.BalancedAccuracy:0.000}");
        Row("AUC", m.AucCi is { } ci ? $"{m.Auc:0.000} [{ci.Low:0.000}, {ci.High:0.000}]" : $"{m.Auc:0.000}");
        foreach (var (alpha, t) in m.TprAtFpr.Where(t => t.Value.Alpha >= 0.001))
            Row($"TPR @ FPR ≤ {alpha}", t.Estimable ? $"{t.Tpr:P2} (FPR {t.AchievedFpr:P2}, CI {t.Ci.Low:P1}–{t.Ci.High:P1})" : "n/e");
        foreach (var b in r.Result.Baselines)
        {
            string name = b.Name == MintBaselines.Loss ? "loss attack" : "max-confidence baseline";
            Row($"{name}: balanced accuracy", $"{b.Eval.BalancedAccuracy:0.000} [{b.Eval.Ci95.Low:0.000}, {b.Eval.Ci95.High:0.000}] (threshold from MINT-train)");
            Row($"{name}: AUC", b.Metrics.AucCi is { } bc ? $"{b.Metrics.Auc:0.000} [{bc.Low:0.000}, {bc.High:0.000}]" : $"{b.Metrics.Auc:0.000}");
        }
        AnsiConsole.Write(table);
        Console.WriteLine($"Detector: {r.DetectorPath}");
        Console.WriteLine($"Metrics:  {r.MetricsPath}");
        if (r.ActivationsPath is not null) Console.WriteLine($"Activations: {r.ActivationsPath}");
    }
}
