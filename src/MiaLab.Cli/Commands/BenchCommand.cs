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
        var translation = new Command("translation", "Image-to-image: U-Net training throughput for K = 1 and K = 4 stacked models, and the " +
            "predictability error (backbone features, ridge fits) of edges2image samples, extrapolated to 25,000.\nExample: mialab bench translation --samples 5000");
        var samples = new Option<int>("--samples") { Description = "Samples whose predictability error is timed.", DefaultValueFactory = _ => 25_000 };
        var caseSeconds = new Option<double>("--seconds") { Description = "Timed seconds per training case.", DefaultValueFactory = _ => 10 };
        translation.Options.Add(samples);
        translation.Options.Add(caseSeconds);
        translation.SetAction(p => CommandRunner.Run(_ =>
        {
            int count = p.GetValue(samples);
            if (count < 1 || count > 60_000) throw new Core.InputException($"--samples must be in 1…60000 (got {count})");
            var (train, _) = FashionMnist.Load(log: Console.WriteLine);
            var result = TranslationBenchmark.Run(train, count, p.GetValue(caseSeconds), Console.WriteLine);
            var table = new Table().AddColumns("model", "K", "samples/s");
            foreach (var r in result.Training) table.AddCells(r.Model, $"{r.K}", $"{r.SamplesPerSecond:0}");
            AnsiConsole.Write(table);
            var q = result.Predictability;
            Console.WriteLine($"predictability: {q.Samples} samples in {q.Seconds:0.0} s ({q.Features} features on a {q.Grid}×{q.Grid} grid); 25,000 samples ≈ {q.SecondsFor25000 / 60:0.0} min");
            return 0;
        }));
        return new Command("bench", "Benchmarks (speed figures for docs/benchmarks.md; never part of the tests).\nExample: mialab bench train") { train, attack, translation };
    }
}
