using System.Diagnostics;
using MiaLab.Core.Config;
using MiaLab.Core.Data;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Translation;
using MiaLab.Torch.Models;
using MiaLab.Torch.Pipeline;
using MiaLab.Torch.Training;

namespace MiaLab.Torch.Benchmarks;

public sealed record UNetTrainingRow(string Model, int K, double SamplesPerSecond);

/// <summary>The predictability error's cost: the backbone's forward passes and the per-sample fits, for
/// <paramref name="Samples"/> samples, and what 25,000 would take at that rate.</summary>
public sealed record PredictabilityBenchmarkRow(int Samples, int Grid, int Features, double Seconds, double SecondsFor25000);

public sealed record TranslationBenchmarkResult(IReadOnlyList<UNetTrainingRow> Training, PredictabilityBenchmarkRow Predictability);

/// <summary>
/// Image-to-image speed, through the real code: U-Net training throughput with K = 1 and K = 4 stacked
/// models (does stacking pay for conv models here?), and the predictability error of edges2image
/// samples with a freshly initialised backbone (the cost does not depend on its weights).
/// </summary>
public static class TranslationBenchmark
{
    public static TranslationBenchmarkResult Run(Dataset images, int predictabilitySamples, double secondsPerCase = 8, Action<string>? log = null)
    {
        var task = new TaskConfig { Kind = "edges2image" };
        int n = Math.Min(images.Count, Math.Max(predictabilitySamples, 512));
        var pairs = Pairs(images, n, task);
        var rows = new List<UNetTrainingRow>();
        foreach (int[] widths in new[] { new[] { 8, 16 }, new[] { 16, 32 } })
            foreach (int k in new[] { 1, 4 })
            {
                double rate = UNetSamplesPerSecond(pairs, widths, k, secondsPerCase);
                string name = $"unet [{string.Join(", ", widths)}]";
                log?.Invoke($"{name}, K = {k}: {rate:0} samples/s");
                rows.Add(new UNetTrainingRow(name, k, rate));
            }

        var p = new PredictabilityConfig();
        using var backbone = TorchModel.Own(ModelZoo.Create(PredictabilityStage.BackboneModel(p), [1, 28, 28], 10, [1]), [1, 28, 28], "untrained backbone");
        var subset = pairs.Subset(Enumerable.Range(0, Math.Min(predictabilitySamples, pairs.Count)).ToArray());
        var options = new PredictabilityOptions(14);
        var clock = Stopwatch.StartNew();
        PredictabilityScores.Compute(backbone, subset, options);
        double seconds = clock.Elapsed.TotalSeconds;
        var stages = PredictabilityScores.FeatureStages(backbone);
        int features = stages.Sum(s => backbone.Run(new float[784], 1, stages).Activations[s].Shape[1]);
        log?.Invoke($"predictability of {subset.Count} samples: {seconds:0.0} s");
        return new TranslationBenchmarkResult(rows, new PredictabilityBenchmarkRow(subset.Count, options.Grid, features, seconds, seconds / subset.Count * 25_000));
    }

    private static Dataset Pairs(Dataset images, int n, TaskConfig task)
    {
        var subset = images.Subset(Enumerable.Range(0, n).ToArray());
        var inputs = new float[subset.Features.Length];
        var targets = new float[subset.Features.Length];
        for (int i = 0; i < n; i++)
        {
            var (input, target, _) = ImageTasks.Pair(task, subset.Features.AsSpan(i * 784, 784), 1, 28, 28, Core.Randomness.StableRandom.For(0, "task", i));
            input.CopyTo(inputs, i * 784);
            target.CopyTo(targets, i * 784);
        }
        return new Dataset("bench", inputs, [1, 28, 28], subset.Labels, subset.NumClasses).WithTargets(targets, [1, 28, 28]);
    }

    private static double UNetSamplesPerSecond(Dataset pairs, int[] widths, int k, double seconds)
    {
        var config = new ModelConfig { Kind = "unet", Channels = widths };
        var sets = Enumerable.Range(0, k).Select(_ => Enumerable.Range(0, Math.Min(512, pairs.Count)).ToArray()).ToArray();
        var training = new TrainingConfig { Optimizer = "adam", LearningRate = 0.003, Loss = "l1", Epochs = 1, BatchSize = 64, Schedule = "constant" };
        // One warm-up epoch, then epochs until the time is up.
        using var model = ModelZoo.Create(config, [1, 28, 28], 10, Enumerable.Range(0, k).ToArray(), [1, 28, 28]);
        StackedTrainer.Train(model, training, pairs, sets, Enumerable.Range(0, k).ToArray(), 0);
        var clock = Stopwatch.StartNew();
        long samples = 0;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            StackedTrainer.Train(model, training, pairs, sets, Enumerable.Range(0, k).ToArray(), 0);
            samples += (long)k * sets[0].Length;
        }
        return samples / clock.Elapsed.TotalSeconds;
    }
}
