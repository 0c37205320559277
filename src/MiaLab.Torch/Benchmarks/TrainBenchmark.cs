using MiaLab.Core.Randomness;
using System.Diagnostics;
using MiaLab.Core.Config;
using MiaLab.Core.Data;
using MiaLab.Torch.Defenses;
using MiaLab.Torch.Models;
using MiaLab.Torch.Training;
using TorchSharp;

namespace MiaLab.Torch.Benchmarks;

public sealed record TrainBenchmarkRow(string Model, int K, int BatchSize, double SamplesPerSecond, double GflopsPerSecond, double FractionOfPeak);

public sealed record TrainBenchmarkResult(double MatmulGflops, int Threads, IReadOnlyList<TrainBenchmarkRow> Rows);

/// <summary>
/// Measures training throughput through the real trainer (batch assembly included) for
/// K = 1 and K = 16 stacked models, next to the machine's fp32 matrix-multiply rate.
/// FLOPs are counted analytically: a training step costs about 3× the forward pass
/// (forward, input gradient, weight gradient), 2 FLOPs per multiply–accumulate.
/// </summary>
public static class TrainBenchmark
{
    public static TrainBenchmarkResult Run(Dataset images, int batchSize = 128, int[]? ks = null, double secondsPerCase = 8, Action<string>? log = null)
    {
        ks ??= [1, 16];
        double peak = MatmulGflops();
        log?.Invoke($"fp32 matmul 2048×2048: {peak:0.0} GFLOP/s on {torch.get_num_threads()} threads");
        var rows = new List<TrainBenchmarkRow>();
        var cases = new (string Name, ModelConfig Config, double Macs)[]
        {
            ("mlp 784-512-256-10", new ModelConfig { Kind = "mlp", Hidden = [512, 256] }, MlpMacs([784, 512, 256, 10])),
            // A small model, where per-step overhead rather than arithmetic bounds a single model.
            ("mlp 784-64-10", new ModelConfig { Kind = "mlp", Hidden = [64] }, MlpMacs([784, 64, 10])),
            ("cnn 32-64 + dense 128", new ModelConfig { Kind = "cnn", Channels = [32, 64] }, CnnMacs(images.SampleShape, [32, 64], 10)),
        };
        foreach (var (name, config, macs) in cases)
            foreach (int k in ks)
            {
                double samplesPerSecond = SamplesPerSecond(config, images, k, batchSize, secondsPerCase);
                double gflops = samplesPerSecond * 3 * 2 * macs / 1e9;
                rows.Add(new TrainBenchmarkRow(name, k, batchSize, samplesPerSecond, gflops, gflops / peak));
                log?.Invoke($"{name}, K = {k}: {samplesPerSecond:0} samples/s, {gflops:0.0} GFLOP/s");
            }
        // DP-SGD beside non-private training of the same model at the same (expected) batch of 256.
        var mlp = cases[0];
        foreach (int k in ks)
            foreach (bool dp in new[] { false, true })
            {
                double samplesPerSecond = SamplesPerSecond(mlp.Config, images, k, DpBatch, secondsPerCase, dp);
                double gflops = samplesPerSecond * 3 * 2 * mlp.Macs / 1e9;
                string name = mlp.Name + (dp ? DpSuffix : PlainSuffix);
                rows.Add(new TrainBenchmarkRow(name, k, DpBatch, samplesPerSecond, gflops, gflops / peak));
                log?.Invoke($"{name}, K = {k}: {samplesPerSecond:0} samples/s");
            }
        return new TrainBenchmarkResult(peak, torch.get_num_threads(), rows);
    }

    public const int DpBatch = 256;
    public const string DpSuffix = ", DP-SGD", PlainSuffix = ", non-private";

    /// <summary>Best of several timed 2048×2048 fp32 matrix products.</summary>
    public static double MatmulGflops(int n = 2048, int repeats = 10)
    {
        using var a = torch.randn(n, n);
        using var b = torch.randn(n, n);
        using (torch.mm(a, b)) { }
        double best = double.MaxValue;
        for (int r = 0; r < repeats; r++)
        {
            var clock = Stopwatch.StartNew();
            using (torch.mm(a, b)) { }
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return 2.0 * n * n * n / best / 1e9;
    }

    private static double SamplesPerSecond(ModelConfig config, Dataset data, int k, int batchSize, double seconds, bool dp = false)
    {
        var training = new TrainingConfig { Epochs = 1, BatchSize = batchSize, LearningRate = 0.01, Schedule = "constant" };
        var seeds = Enumerable.Range(0, k).ToArray();
        // Calibrate: a short run to estimate the step time, then a run of about `seconds`.
        int steps = 3;
        double elapsed = Time(config, data, training, seeds, steps, dp);
        steps = Math.Max(5, (int)(seconds / (elapsed / steps)));
        elapsed = Time(config, data, training, seeds, steps, dp);
        return (double)k * batchSize * steps / elapsed;
    }

    // DP-SGD: σ = 1, C = 1, Poisson sampling at q = 1/steps, so an epoch is `steps` batches of
    // expected size batchSize (the samples/s count the expected samples).
    private static double Time(ModelConfig config, Dataset data, TrainingConfig training, int[] seeds, int steps, bool dp = false)
    {
        using var model = ModelZoo.Create(config, data.SampleShape, data.NumClasses, seeds);
        var random = new StableRandom(1);
        var sets = seeds.Select(_ => Enumerable.Range(0, steps * training.BatchSize).Select(_ => random.Next(data.Count)).ToArray()).ToArray();
        TrainingHooks? hooks = null;
        DpSgdGradients? gradients = null;
        if (dp)
        {
            gradients = new DpSgdGradients(1.0, 1.0, sets.Select(s => (double)training.BatchSize).ToArray(), seeds.Select(s => (long)s).ToArray());
            hooks = TrainingHooks.Default(LossSettings.CrossEntropy) with { Sampler = new PoissonBatches(1.0 / steps), Gradients = gradients };
        }
        var clock = Stopwatch.StartNew();
        StackedTrainer.Train(model, training, data, sets, seeds, 0, hooks: hooks);
        double elapsed = clock.Elapsed.TotalSeconds;
        gradients?.Dispose();
        return elapsed;
    }

    public static double MlpMacs(int[] widths) => widths.Zip(widths.Skip(1), (a, b) => (double)a * b).Sum();

    /// <summary>3×3 same-padding convolutions with 2×2 pooling after each, dense 128, classifier.</summary>
    public static double CnnMacs(int[] sampleShape, int[] channels, int classes)
    {
        double macs = 0;
        int c = sampleShape[0], h = sampleShape[1], w = sampleShape[2];
        foreach (int next in channels)
        {
            macs += (double)h * w * next * c * 9;
            c = next; h /= 2; w /= 2;
        }
        return macs + (double)c * h * w * SmallCnn.DenseWidth + SmallCnn.DenseWidth * classes;
    }
}
