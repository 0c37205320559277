using System.CommandLine;
using MiaLab.Core.Benchmarks;
using MiaLab.Core.Data;
using MiaLab.Torch.Benchmarks;
using MiaLab.Cli.Terminal;
using Spectre.Console;

namespace MiaLab.Cli.Commands;

internal static class BenchCommand
{
    public static Command Create()
    {
        var train = new Command("train", "Training throughput for K = 1 and K = 16 batched models (MLP 784-512-256-10 and the small CNN, " +
            "batch 128, Fashion-MNIST) beside the machine's fp32 matmul rate.\nExample: mialab bench train");
        var seconds = new Option<double>("--seconds") { Description = "Timed seconds per case.", DefaultValueFactory = _ => 10 };
        train.Options.Add(seconds);
        train.SetAction(p => CommandRunner.Run(_ =>
        {
            var (images, _) = FashionMnist.Load(log: Console.WriteLine);
            var result = TrainBenchmark.Run(images, secondsPerCase: p.GetValue(seconds), log: Console.WriteLine);
            var table = new Table().AddColumns("model", "K", "batch", "samples/s", "GFLOP/s", "% of matmul peak");
            foreach (var r in result.Rows)
                table.AddCells(r.Model, $"{r.K}", $"{r.BatchSize}", $"{r.SamplesPerSecond:0}", $"{r.GflopsPerSecond:0.0}", $"{100 * r.FractionOfPeak:0}%");
            AnsiConsole.Write(table);
            Console.WriteLine($"fp32 matmul peak: {result.MatmulGflops:0.0} GFLOP/s on {result.Threads} threads");
            foreach (var model in result.Rows.Select(r => r.Model).Distinct())
            {
                var rows = result.Rows.Where(r => r.Model == model).OrderBy(r => r.K).ToList();
                Console.WriteLine($"{model}: K = {rows[^1].K} trains {rows[^1].SamplesPerSecond / rows[0].SamplesPerSecond:0.0}× the samples/s of K = {rows[0].K}");
            }
            return 0;
        }));
        var attack = new Command("attack", "LiRA and RMIA scoring at N = Z = 50,000, M = 16, A = 2, beside brute-force pairwise RMIA at N = Z = 5,000.\n" +
            "Example: mialab bench attack");
        attack.SetAction(_ => CommandRunner.Run(_ =>
        {
            var rows = AttackBenchmark.Run(log: Console.WriteLine);
            var table = new Table().AddColumns("case", "N", "Z", "seconds", "allocated MB", "peak RSS MB");
            foreach (var r in rows)
                table.AddCells(r.Case, $"{r.Candidates}", $"{r.Population}", $"{r.Seconds:0.000}", $"{r.AllocatedMegabytes:0}", $"{r.PeakWorkingSetMegabytes:0}");
            AnsiConsole.Write(table);
            return 0;
        }));
        var heads = new Command("heads", "The power-law study's heads on its stored features: all heads of a setting in one stacked pass " +
            "against one head at a time, per setting of the first seeds.\nExample: mialab bench heads --run runs/power-law");
        var study = Options.Run(create: false);
        study.Description = "A finished power-law study's folder.";
        var seeds = new Option<int>("--seeds") { Description = "How many of the study's seeds to time (default 1).", DefaultValueFactory = _ => 1 };
        heads.Options.Add(study);
        heads.Options.Add(seeds);
        heads.SetAction(p => CommandRunner.Run(cancel =>
        {
            var rows = MiaLab.Experiments.PowerLaw.HeadsBenchmark.Run(p.GetValue(study)!, p.GetValue(seeds), Console.WriteLine, cancel);
            var table = new Table().AddColumns("S", "seed", "pool", "heads", "stacked s", "one at a time s", "ratio", "max |Δ logit|");
            foreach (var r in rows)
                table.AddCells($"{r.Shots}", $"{r.Seed}", $"{r.Samples}", $"{r.Models}", $"{r.StackedSeconds:0.0}", $"{r.AloneSeconds:0.0}",
                    $"{r.AloneSeconds / r.StackedSeconds:0.0}×", $"{r.MaxDifference:0.0e0}");
            AnsiConsole.Write(table);
            double stacked = rows.Sum(r => r.StackedSeconds), alone = rows.Sum(r => r.AloneSeconds);
            Console.WriteLine($"All settings: stacked {stacked:0.0} s, one at a time {alone:0.0} s ({alone / stacked:0.0}×); " +
                $"stacked logits within {rows.Max(r => r.MaxDifferenceFromStudy):0.0e0} of the study's");
            return 0;
        }));
        return new Command("bench", "Benchmarks (speed figures for docs/benchmarks.md; never part of the tests).\nExample: mialab bench train") { train, attack, heads };
    }
}
