using System.CommandLine;
using MiaLab.Core.Benchmarks;
using MiaLab.Core.Data;
using MiaLab.Onnx;
using MiaLab.Torch.Benchmarks;
using MiaLab.Torch.Models;
using MiaLab.Cli.Terminal;
using Spectre.Console;

namespace MiaLab.Cli.Commands;

internal static class BenchCommand
{
    public static Command Create()
    {
        var train = new Command("train", "Training throughput for K = 1 and K = 16 batched models (MLP 784-512-256-10 and the small CNN, " +
            "batch 128, Fashion-MNIST) beside the machine's fp32 matmul rate, and DP-SGD against non-private training of the MLP at expected batch 256.\nExample: mialab bench train");
        var seconds = Options.Number("--seconds", "Timed seconds per case.", 0.5, 3600.0, 10.0);
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
            foreach (var k in result.Rows.Where(r => r.Model.EndsWith(TrainBenchmark.DpSuffix, StringComparison.Ordinal)).Select(r => r.K))
            {
                var dp = result.Rows.First(r => r.K == k && r.Model.EndsWith(TrainBenchmark.DpSuffix, StringComparison.Ordinal));
                var plain = result.Rows.First(r => r.K == k && r.Model.EndsWith(TrainBenchmark.PlainSuffix, StringComparison.Ordinal));
                Console.WriteLine($"DP-SGD, K = {k}, expected batch {dp.BatchSize}: {dp.SamplesPerSecond / plain.SamplesPerSecond:0.00}× the samples/s of non-private training");
            }
            foreach (var model in result.Rows.Where(r => !r.Model.Contains(", ", StringComparison.Ordinal)).Select(r => r.Model).Distinct())
            {
                var rows = result.Rows.Where(r => r.Model == model).OrderBy(r => r.K).ToList();
                Console.WriteLine($"{model}: K = {rows[^1].K} trains {rows[^1].SamplesPerSecond / rows[0].SamplesPerSecond:0.0}× the samples/s of K = {rows[0].K}");
            }
            return 0;
        }));
        var attack = new Command("attack", "LiRA and RMIA scoring at N = Z = 50,000, M = 16, A = 2, beside brute-force pairwise RMIA at N = Z = 5,000, " +
            "and the evaluation's bootstrap on one core and on every core.\n" +
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
        var samples = Options.Number("--samples", "Samples whose predictability error is timed.", 1, 60_000, 25_000);
        var caseSeconds = Options.Number("--seconds", "Timed seconds per training case.", 0.5, 3600.0, 10.0);
        translation.Options.Add(samples);
        translation.Options.Add(caseSeconds);
        translation.SetAction(p => CommandRunner.Run(_ =>
        {
            int count = p.GetValue(samples);
            var (train, _) = FashionMnist.Load(log: Console.WriteLine);
            var result = TranslationBenchmark.Run(train, count, p.GetValue(caseSeconds), Console.WriteLine);
            var table = new Table().AddColumns("model", "K", "samples/s");
            foreach (var r in result.Training) table.AddCells(r.Model, $"{r.K}", $"{r.SamplesPerSecond:0}");
            AnsiConsole.Write(table);
            var q = result.Predictability;
            Console.WriteLine($"predictability: {q.Samples} samples in {q.Seconds:0.0} s ({q.Features} features on a {q.Grid}×{q.Grid} grid); 25,000 samples ≈ {q.SecondsFor25000 / 60:0.0} min");
            return 0;
        }));
        var query = new Command("query", "Querying the same MLP 784-512-256-10 through TorchSharp and through ONNX Runtime (its ONNX export), " +
            "10,000 Fashion-MNIST images in batches of 1,000, as the query stage does.\nExample: mialab bench query");
        var querySeconds = Options.Number("--seconds", "Timed seconds per runtime.", 0.5, 3600.0, 10.0);
        query.Options.Add(querySeconds);
        query.SetAction(p => CommandRunner.Run(_ =>
        {
            var (images, _) = FashionMnist.Load(log: Console.WriteLine);
            var data = images.Subset(Enumerable.Range(0, 10_000).ToArray());
            var config = new MiaLab.Core.Config.ModelConfig { Kind = "mlp", Hidden = [512, 256] };
            using var stack = ModelZoo.Create(config, data.SampleShape, data.NumClasses, [0]);
            using var torchModel = TorchModel.Wrap(stack, data.SampleShape);
            string onnxPath = Path.Combine(Path.GetTempPath(), $"mialab-bench-{Environment.ProcessId}.onnx");
            try
            {
                OnnxExport.Write(torchModel.ToGraph(), onnxPath);
                using var onnxModel = OnnxModel.Load(new MiaLab.Core.Config.OnnxModelConfig { Onnx = onnxPath }, data.SampleShape, data.NumClasses);
                var rows = QueryBenchmark.Run([("TorchSharp", torchModel), ("ONNX Runtime", onnxModel)], data, "MLP 784-512-256-10",
                    p.GetValue(querySeconds), Console.WriteLine);
                var table = new Table().AddColumns("runtime", "model", "samples/s", "passes", "max |Δ logit|");
                foreach (var r in rows)
                    table.AddCells(r.Runtime, r.Model, $"{r.SamplesPerSecond:0}", $"{r.Passes}", $"{r.MaxDifference:0.0e+0}");
                AnsiConsole.Write(table);
                Console.WriteLine($"threads: TorchSharp {TorchSharp.torch.get_num_threads()}, ONNX Runtime {Environment.ProcessorCount}; " +
                    $"ONNX Runtime answers {rows[1].SamplesPerSecond / rows[0].SamplesPerSecond:0.00}× the samples/s of TorchSharp");
            }
            finally
            {
                File.Delete(onnxPath);
            }
            return 0;
        }));
        var heads = new Command("heads", "The power-law study's heads on its stored features: all heads of a setting in one stacked pass " +
            "against one head at a time, per setting of the first seeds.\nExample: mialab bench heads --run runs/power-law");
        var study = Options.Run(create: false);
        study.Description = "A finished power-law study's folder.";
        var seeds = Options.Number("--seeds", "How many of the study's seeds to time (the first ones).", 1, 1000, 1);
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
        return new Command("bench", "Benchmarks (speed figures for docs/benchmarks.md; never part of the tests).\nExample: mialab bench train") { train, attack, translation, query, heads };
    }
}
