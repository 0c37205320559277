using MiaLab.Core;
using MiaLab.Core.Config;
using MiaLab.Core.Data;
using MiaLab.Core.Randomness;
using MiaLab.Torch.Defenses;
using MiaLab.Torch.Models;
using MiaLab.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MiaLab.Torch.Tests.Defenses;

public class DpSgdTests
{
    private static Dataset Images()
    {
        var random = new StableRandom(9);
        var pixels = new float[12 * 64];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (float)random.NextDouble();
        return new Dataset("tiny-images", pixels, [1, 8, 8], Enumerable.Range(0, 12).Select(i => (long)(i % 3)).ToArray(), 3);
    }

    private static StackedModel Model(string kind, Dataset data, int k) => ModelZoo.Create(
        kind == "mlp" ? new ModelConfig { Hidden = [6, 5] } : new ModelConfig { Kind = "cnn", Channels = [2, 3] },
        data.SampleShape, data.NumClasses, Enumerable.Range(1, k).ToArray());

    /// <summary>Inputs [K, B, …] with model k's batch = samples k·B … k·B + B − 1, labels [K·B].</summary>
    private static (Tensor X, Tensor Y) Batch(Dataset data, int k, int b)
    {
        var x = torch.tensor(data.Features.Take(k * b * data.FeatureLength).ToArray(), [k, b, .. data.SampleShape.Select(d => (long)d)]);
        var y = torch.tensor(data.Labels.Take(k * b).ToArray());
        return (x, y);
    }

    private static float[] Flat(StackedModel model, int k, bool grad = true) => model.parameters()
        .SelectMany(p => (grad ? p.grad! : p).detach().view(model.Models, -1)[k].data<float>().ToArray()).ToArray();

    [Theory]
    [InlineData("mlp")]
    [InlineData("cnn")]
    public void PerExampleGradientsEqualOneSampleBackwardPasses(string kind)
    {
        var data = Images();
        const int k = 2, b = 3;
        using var model = Model(kind, data, k);
        model.train();
        var layers = model.modules().OfType<IPerExampleLayer>().ToArray();
        // One-sample backward passes: the gradient of example (m, j)'s loss alone.
        var single = new float[k, b][];
        for (int m = 0; m < k; m++)
            for (int j = 0; j < b; j++)
            {
                using var scope = torch.NewDisposeScope();
                model.zero_grad();
                var (x, y) = Batch(data, k, b);
                var loss = nn.functional.cross_entropy(model.forward(x).reshape(k * b, -1), y, reduction: nn.Reduction.None);
                loss[m * b + j].backward();
                single[m, j] = Flat(model, m);
            }
        using (var scope = torch.NewDisposeScope())
        {
            foreach (var l in layers) l.KeepActivations = true;
            var (x, y) = Batch(data, k, b);
            var loss = nn.functional.cross_entropy(model.forward(x).reshape(k * b, -1), y, reduction: nn.Reduction.None).sum();
            var grads = torch.autograd.grad([loss], layers.Select(l => l.Output!).ToList());
            var squared = torch.zeros(k, b);
            for (int l = 0; l < layers.Length; l++) squared += layers[l].SquaredNorms(grads[l]);
            var norms = squared.data<float>().ToArray();
            var scale = torch.tensor(new float[] { 0.5f, -1f, 2f, 1f, 0.25f, 3f }).view(k, b);
            for (int l = 0; l < layers.Length; l++) layers[l].SetScaledGradientSum(grads[l], scale);
            var s = scale.data<float>().ToArray();
            for (int m = 0; m < k; m++)
            {
                for (int j = 0; j < b; j++)
                {
                    double expected = single[m, j].Sum(v => (double)v * v);
                    Assert.True(Math.Abs(norms[m * b + j] - expected) <= 1e-4 * Math.Max(1, expected), $"‖g‖² of ({m}, {j}): {norms[m * b + j]} vs {expected}");
                }
                var summed = Flat(model, m);
                for (int i = 0; i < summed.Length; i++)
                {
                    double expected = Enumerable.Range(0, b).Sum(j => s[m * b + j] * (double)single[m, j][i]);
                    Assert.True(Math.Abs(summed[i] - expected) < 1e-5, $"parameter {i} of model {m}: {summed[i]} vs {expected}");
                }
            }
            foreach (var l in layers) l.Release();
        }
    }

    private static float[] DpGradient(StackedModel model, Dataset data, int k, int b, float[] weight, double sigma, double c, double expectedBatch)
    {
        using var scope = torch.NewDisposeScope();
        var dp = new DpSgdGradients(sigma, c, Enumerable.Repeat(expectedBatch, k).ToArray(), Enumerable.Range(0, k).Select(i => (long)i).ToArray());
        dp.Prepare(model);
        model.zero_grad();
        var (x, y) = Batch(data, k, b);
        var loss = nn.functional.cross_entropy(model.forward(x).reshape(k * b, -1), y, reduction: nn.Reduction.None).view(k, b);
        dp.Backward(model, loss, torch.tensor(weight).view(k, b), new TrainingStep(0, 0, k, b, new long[k * b], weight));
        dp.Dispose(); // also stops the layers keeping activations
        return Flat(model, 0);
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("cnn")]
    public void ClippingBoundsEveryExamplesNormByC(string kind)
    {
        var data = Images();
        const int b = 4;
        using var model = Model(kind, data, 1);
        model.train();
        const double c = 0.05;
        for (int j = 0; j < b; j++)
        {
            // Only example j is real: with σ = 0 and expected batch 1 the update is its clipped gradient.
            var weight = new float[b];
            weight[j] = 1;
            var clipped = DpGradient(model, data, 1, b, weight, 0, c, 1);
            var raw = DpGradient(model, data, 1, b, weight, 0, double.PositiveInfinity, 1);
            double norm = Math.Sqrt(clipped.Sum(v => (double)v * v)), rawNorm = Math.Sqrt(raw.Sum(v => (double)v * v));
            Assert.True(norm <= c * (1 + 1e-5), $"example {j}: clipped norm {norm} > C");
            Assert.True(rawNorm > c, "the test needs gradients above C");
            Assert.Equal(c, norm, 4); // clipped exactly to C, direction kept
            for (int i = 0; i < raw.Length; i++) Assert.True(Math.Abs(raw[i] * c / rawNorm - clipped[i]) < 1e-5 * c, $"coordinate {i}");
        }
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("cnn")]
    public void WithoutNoiseOrClippingTheUpdateIsPlainSgds(string kind)
    {
        // The same batch of 3 real examples (and one padding slot), q·N = 3: DP-SGD's normalisation by
        // the expected batch then equals the mean over the batch.
        var data = Images();
        const int k = 2, b = 4;
        using var model = Model(kind, data, k);
        model.train();
        float[] weight = [1, 1, 1, 0, 1, 1, 1, 0];
        var dp = DpGradient(model, data, k, b, weight, 0, double.PositiveInfinity, 3);
        using var scope = torch.NewDisposeScope();
        model.zero_grad();
        var (x, y) = Batch(data, k, b);
        var loss = nn.functional.cross_entropy(model.forward(x).reshape(k * b, -1), y, reduction: nn.Reduction.None).view(k, b);
        new MeanLossBackward().Backward(model, loss, torch.tensor(weight).view(k, b), new TrainingStep(0, 0, k, b, new long[k * b], weight));
        var plain = Flat(model, 0);
        for (int i = 0; i < plain.Length; i++) Assert.Equal(plain[i], dp[i], 5);
    }

    [Fact]
    public void NoiseHasStandardDeviationSigmaCOverTheExpectedBatch()
    {
        // All slots padding: the gradient is pure noise, N(0, (σC / qN)²) per coordinate.
        var data = Images();
        using var model = Model("mlp", data, 1);
        var noise = DpGradient(model, data, 1, 2, [0, 0], 2.0, 0.5, 4);
        double mean = noise.Average(v => (double)v), sd = Math.Sqrt(noise.Average(v => (double)v * v));
        Assert.True(noise.Length > 70);
        Assert.InRange(sd, 0.25 * 0.8, 0.25 * 1.2);
        Assert.InRange(mean, -0.1, 0.1);
    }

    [Fact]
    public void PoissonBatchSizesHaveMeanQN()
    {
        var sampler = new PoissonBatches(0.05);
        int[] set = Enumerable.Range(0, 2000).ToArray();
        var random = new StableRandom(11);
        var sizes = Enumerable.Range(0, 10).SelectMany(e => sampler.Batches(0, e, set, 100, random)).Select(x => x.Length).ToList();
        Assert.Equal(10 * 20, sizes.Count); // round(1/q) = 20 batches per epoch
        double mean = sizes.Average();
        // Binomial(2000, 0.05): sd 9.75 per batch, 0.69 for the mean of 200.
        Assert.InRange(mean, 100 - 3 * 0.69, 100 + 3 * 0.69);
        Assert.True(sizes.Distinct().Count() > 5, "batch sizes vary");
    }

    [Fact]
    public void ModelsWithBatchNormAreRefused()
    {
        var data = Images();
        using var model = ModelZoo.Create(new ModelConfig { Kind = "resnet", Channels = [2] }, data.SampleShape, data.NumClasses, [1]);
        var dp = new DpSgdGradients(1, 1, [1], [1]);
        var e = Assert.Throws<InputException>(() => dp.Prepare(model));
        Assert.Contains("BatchNorm", e.Message);
    }

    [Fact]
    public void EachStackedModelTrainsAsItWouldAlone()
    {
        // Own clipping and own noise per model: model 0 trained beside model 1 matches model 0 trained alone.
        var data = Images();
        var config = new RunConfig();
        config.Training = new TrainingConfig { Epochs = 2, BatchSize = 4, LearningRate = 0.1, Schedule = "constant", Momentum = 0 };
        config.Defense = new DefenseConfig { Kind = "dp-sgd", NoiseMultiplier = 1.0, MaxGradNorm = 0.5, SampleRate = 0.25 };
        int[][] sets = [[0, 1, 2, 3, 4, 5, 6, 7], [4, 5, 6, 7, 8, 9, 10, 11]];
        float[] Train(int k)
        {
            using var model = Model("mlp", data, k);
            var hooks = DefenseHooks.For(config, data, sets.Take(k).ToArray(), Enumerable.Range(0, k).ToArray());
            StackedTrainer.Train(model, config.Training, data, sets.Take(k).ToArray(), [.. Enumerable.Range(7, k)], 1, hooks: hooks);
            (hooks.Gradients as IDisposable)?.Dispose();
            return Flat(model, 0, grad: false);
        }
        var alone = Train(1);
        var stacked = Train(2);
        for (int i = 0; i < alone.Length; i++) Assert.Equal(alone[i], stacked[i], 5);
    }
}
