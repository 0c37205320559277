using MiaLab.Core.Randomness;
using MiaLab.Core.Config;
using MiaLab.Core.Data;
using MiaLab.Torch.Models;
using MiaLab.Core.Pipeline;
using MiaLab.Torch.Training;

namespace MiaLab.Torch.Tests;

public class TrainerTests
{
    private static TrainingConfig Config(string optimizer = "sgd") => new()
    {
        Optimizer = optimizer,
        LearningRate = optimizer == "adam" ? 0.01 : 0.1,
        Momentum = 0.9,
        Epochs = 4,
        BatchSize = 32,
        Schedule = "cosine",
        WeightDecay = 1e-4,
    };

    private static Dataset Synthetic() => SyntheticGaussian.Generate(400, 8, 3, 4.0, seed: 7);

    [Fact]
    public void AnMlpLearnsSeparableSyntheticData()
    {
        var data = Synthetic();
        var all = Enumerable.Range(0, data.Count).ToArray();
        using var model = ModelZoo.Create(new ModelConfig { Hidden = [32] }, data.SampleShape, data.NumClasses, [11]);
        var config = Config();
        config.Epochs = 15;
        StackedTrainer.Train(model, config, data, [all], [3], 5);
        var logits = TorchModel.QueryEach(model, data, ["identity"])[0];
        int hits = Enumerable.Range(0, data.Count).Count(i => ArgMax(logits.AsSpan(i * 3, 3)) == data.Labels[i]);
        Assert.True(hits > 0.95 * data.Count, $"train accuracy {hits}/{data.Count} should exceed 95%");
    }

    [Theory]
    [InlineData("mlp", "sgd", "cross-entropy")]
    [InlineData("mlp", "adam", "cross-entropy")]
    [InlineData("cnn", "sgd", "cross-entropy")]
    [InlineData("resnet", "adam", "cross-entropy")]
    [InlineData("mlp", "sgd", "focal")]
    [InlineData("cnn", "sgd", "cosface")]
    [InlineData("mlp", "adam", "arcface")]
    public void KModelsTrainedTogetherMatchTheSameModelsTrainedOneByOne(string kind, string optimizer, string loss)
    {
        var data = kind == "mlp" ? Synthetic() : TinyImages();
        var modelConfig = new ModelConfig
        {
            Kind = kind,
            Hidden = [16],
            Channels = [4, 8],
            BlocksPerStage = 1,
            Classifier = loss is "cosface" or "arcface" ? "cosine" : "linear",
        };
        var config = Config(optimizer);
        config.Loss = loss;
        config.Epochs = 2;
        config.AugmentFlip = kind != "mlp";
        config.AugmentShift = kind != "mlp" ? 1 : 0;
        int[] initSeeds = [101, 202, 303];
        int[] orderSeeds = [1, 2, 3];
        // Different sizes with the same number of batches (4 of 32), so the last batches of the
        // stacked run carry padding of different lengths.
        var sets = new[] { Range(0, 100), Range(20, 97), Range(10, 110) };

        using var stacked = ModelZoo.Create(modelConfig, data.SampleShape, data.NumClasses, initSeeds);
        var together = StackedTrainer.Train(stacked, config, data, sets, orderSeeds, 9);

        for (int m = 0; m < 3; m++)
        {
            using var single = ModelZoo.Create(modelConfig, data.SampleShape, data.NumClasses, [initSeeds[m]]);
            var alone = StackedTrainer.Train(single, config, data, [sets[m]], [orderSeeds[m]], 9);
            int steps = alone.StepLosses[0].Length;
            Assert.Equal(4, alone.StepsPerEpoch);
            for (int s = 0; s < steps; s++)
                Assert.True(Math.Abs(together.StepLosses[m][s] - alone.StepLosses[0][s]) < 2e-3,
                    $"model {m} step {s}: stacked loss {together.StepLosses[m][s]} vs alone {alone.StepLosses[0][s]}");
        }
    }

    [Fact]
    public void SavedWeightsLoadIntoAnotherSlotAndGiveIdenticalLogits()
    {
        var data = TinyImages();
        var modelConfig = new ModelConfig { Kind = "resnet", Channels = [4, 8] };
        using var source = ModelZoo.Create(modelConfig, data.SampleShape, data.NumClasses, [1, 2]);
        StackedTrainer.Train(source, Config(), data, [Range(0, 60), Range(30, 60)], [1, 2], 3);
        // Training must have moved each model's batch-norm running means (updated in place through slices).
        var means = source.StackedState().Where(s => s.Name.EndsWith("running_mean")).ToList();
        Assert.NotEmpty(means);
        Assert.All(means, s => Assert.True(s.Tensor.abs().max().item<float>() > 1e-4, $"{s.Name} never moved"));
        string path = Path.Combine(Directory.CreateTempSubdirectory("mialab-w").FullName, "m.npz");
        ModelWeights.Save(source, 1, path);
        using var target = ModelZoo.Create(modelConfig, data.SampleShape, data.NumClasses, [5, 6, 7]);
        ModelWeights.Load(target, 2, path);
        var expected = TorchModel.QueryEach(source, data, ["identity", "hflip"])[1];
        var actual = TorchModel.QueryEach(target, data, ["identity", "hflip"])[2];
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("mlp", new[] { "hidden1", "hidden2", "logits" })]
    [InlineData("cnn", new[] { "conv1", "conv2", "dense", "logits" })]
    [InlineData("resnet", new[] { "stem", "stage1", "stage2", "logits" })]
    public void ModelsNameTheirCapturePointsAndRecordThem(string kind, string[] points)
    {
        var data = TinyImages();
        using var model = ModelZoo.Create(new ModelConfig { Kind = kind, Hidden = [16, 8], Channels = [4, 8] },
            data.SampleShape, data.NumClasses, [1, 2]);
        Assert.Equal(points, model.CapturePoints);
        var capture = new Dictionary<string, TorchSharp.torch.Tensor>();
        var x = TorchSharp.torch.zeros([2L, 5, 1, 8, 8]);
        var logits = model.Forward(x, capture);
        Assert.Equal(points.OrderBy(p => p), capture.Keys.OrderBy(p => p));
        Assert.Equal([2L, 5, data.NumClasses], logits.shape);
        foreach (var p in points) Assert.Equal([2L, 5], capture[p].shape[..2]);
    }

    [Fact]
    public void LearningRateScheduleFollowsWarmupThenCosine()
    {
        var config = new TrainingConfig { LearningRate = 1.0, Epochs = 3, WarmupEpochs = 1, Schedule = "cosine" };
        var schedule = new LearningRateSchedule(config, stepsPerEpoch: 2);
        // Warm-up over 2 steps: 1/2, 2/2; then cosine over the 4 remaining steps: ½(1+cos(πt/4)).
        Assert.Equal(0.5, schedule.At(0), 12);
        Assert.Equal(1.0, schedule.At(1), 12);
        Assert.Equal(1.0, schedule.At(2), 12);
        Assert.Equal(0.5 * (1 + Math.Cos(Math.PI / 4)), schedule.At(3), 12);
        Assert.Equal(0.5, schedule.At(4), 12);
        var step = new LearningRateSchedule(new TrainingConfig { LearningRate = 1.0, Schedule = "step", StepEpochs = 2, StepGamma = 0.1 }, 10);
        Assert.Equal(1.0, step.At(19), 12);
        Assert.Equal(0.1, step.At(20), 12);
    }

    [Fact]
    public void TheCosineScheduleEndsAtItsFloor()
    {
        // f + (1−f)·½(1+cos(πt/T)) with f = 0.2, T = 4 steps, no warm-up: 1, f + 0.8·½(1+cos π/4), 0.6, …, and f at t = T.
        var config = new TrainingConfig { LearningRate = 2.0, Epochs = 2, Schedule = "cosine", FinalLrFraction = 0.2 };
        var schedule = new LearningRateSchedule(config, stepsPerEpoch: 2);
        Assert.Equal(2.0, schedule.At(0), 12);
        Assert.Equal(2.0 * (0.2 + (0.8 * 0.5 * (1 + Math.Cos(Math.PI / 4)))), schedule.At(1), 12);
        Assert.Equal(2.0 * 0.6, schedule.At(2), 12);
        Assert.Equal(2.0 * 0.2, schedule.At(4), 12);
        Assert.True(Enumerable.Range(0, 5).All(s => schedule.At(s) >= 0.4 - 1e-12));
    }

    [Theory]
    [InlineData(false, 9)]
    [InlineData(true, 18)]
    public void ShiftMovesPixelsAndFillsWithZero(bool flip, int variants)
    {
        // A 1×3×3 image of distinct values 1…9. Every augmented copy must be one of the images
        // obtained by an optional mirror and a shift (dy, dx) ∈ {−1, 0, 1}² with zero fill, and
        // over 400 draws every one of those variants must turn up (with the shift or the flip
        // disabled, most never would).
        float[] image = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        var data = new Dataset("one", image, [1, 3, 3], [0], 1);
        var builder = new BatchBuilder(data, flip, shift: 1);
        var expected = new Dictionary<string, float[]>();
        foreach (bool mirror in flip ? new[] { false, true } : [false])
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++)
                {
                    var v = new float[9];
                    for (int h = 0; h < 3; h++)
                        for (int w = 0; w < 3; w++)
                        {
                            int sh = h - dy, sw = (mirror ? 2 - w : w) - dx;
                            v[h * 3 + w] = sh is >= 0 and < 3 && sw is >= 0 and < 3 ? image[sh * 3 + sw] : 0f;
                        }
                    expected[string.Join(",", v)] = v;
                }
        Assert.Equal(variants, expected.Count);
        var seen = new HashSet<string>();
        var random = new StableRandom(3);
        for (int trial = 0; trial < 400; trial++)
        {
            var x = new float[9]; var y = new long[1]; var weight = new float[1];
            builder.Fill(0, 1, [0], 0, random, x, y, weight);
            string key = string.Join(",", x);
            Assert.True(expected.ContainsKey(key), $"augmented image [{key}] is no shift/flip of the original");
            seen.Add(key);
            Assert.Equal(1f, weight[0]);
        }
        Assert.Equal(variants, seen.Count);
    }

    private static int[] Range(int start, int count) => Enumerable.Range(start, count).ToArray();

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int j = 1; j < row.Length; j++) if (row[j] > row[best]) best = j;
        return best;
    }

    /// 120 random 1×8×8 images in 3 classes whose mean brightness differs by class.
    private static Dataset TinyImages()
    {
        var random = new StableRandom(5);
        int n = 120;
        var labels = Enumerable.Range(0, n).Select(i => (long)(i % 3)).ToArray();
        var pixels = new float[n * 64];
        for (int i = 0; i < n; i++)
            for (int p = 0; p < 64; p++) pixels[i * 64 + p] = (float)(random.NextDouble() * 0.5 + 0.2 * labels[i] * (p % 2));
        return new Dataset("tiny-images", pixels, [1, 8, 8], labels, 3);
    }
}
