using MiaLab.Core.Config;
using MiaLab.Core.Data;
using MiaLab.Core.Models;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Randomness;
using MiaLab.Torch.Mint;
using MiaLab.Torch.Models;
using MiaLab.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MiaLab.Torch.Tests;

/// <summary>The seams later features plug into, each exercised by something that is not MiaLab's own code.</summary>
public class SeamTests
{
    /// <summary>A model MiaLab did not train, in plain C#: logits = [x0, −x0, x1], and one capture point
    /// "flag" whose single activation is 1 for samples whose last feature is positive — by design it tells
    /// used from unused samples when the data marks them so.</summary>
    private sealed class HandWrittenModel(int features) : IModel
    {
        public IReadOnlyList<int> InputShape { get; } = [features];
        public IReadOnlyList<int> OutputShape { get; } = [3];
        public IReadOnlyList<string> CapturePoints { get; } = ["flag", "logits"];
        public string Sha256 => "hand-written";
        public string Description => "a hand-written linear model";
        public int Calls { get; private set; }

        public ModelRun Run(ReadOnlySpan<float> inputs, int count, IReadOnlyList<string>? capture = null)
        {
            Calls++;
            var logits = new float[count * 3];
            var flag = new float[count];
            for (int i = 0; i < count; i++)
            {
                var x = inputs.Slice(i * features, features);
                logits[i * 3] = x[0]; logits[i * 3 + 1] = -x[0]; logits[i * 3 + 2] = x[1];
                flag[i] = x[features - 1] > 0 ? 1 : 0;
            }
            var activations = new Dictionary<string, ActivationBatch>();
            foreach (var p in capture ?? [])
                activations[p] = p == "flag" ? new ActivationBatch(flag, [count, 1]) : new ActivationBatch(logits, [count, 3]);
            return new ModelRun(logits, activations);
        }

        public void Dispose() { }
    }

    private static Dataset MarkedData(int n, out int[] used, out int[] unused)
    {
        var random = new StableRandom(9);
        var x = new float[n * 4];
        var labels = new long[n];
        for (int i = 0; i < n; i++)
        {
            for (int f = 0; f < 3; f++) x[i * 4 + f] = (float)random.NextGaussian();
            x[i * 4 + 3] = i % 2 == 0 ? 1 : -1; // even samples are "used"
            labels[i] = i % 3;
        }
        used = Enumerable.Range(0, n).Where(i => i % 2 == 0).ToArray();
        unused = Enumerable.Range(0, n).Where(i => i % 2 == 1).ToArray();
        return new Dataset("marked", x, [4], labels, 3);
    }

    [Fact]
    public void TheQueryStageQueriesAModelItDidNotTrain()
    {
        var data = MarkedData(10, out _, out _);
        using var model = new HandWrittenModel(4);
        var logits = ModelQuery.Query(model, data, ["identity"]);
        Assert.Equal(30, logits.Length);
        Assert.Equal(data.Features[4 * 7], logits[7 * 3]);
        Assert.Equal(-data.Features[4 * 7], logits[7 * 3 + 1]);
        Assert.Equal(data.Features[4 * 7 + 1], logits[7 * 3 + 2]);
    }

    [Fact]
    public void TheQueryFlipsImagesForAnyModel()
    {
        // A 1×2×3 image; hflip reverses each row: [1 2 3 / 4 5 6] → [3 2 1 / 6 5 4].
        var data = new Dataset("img", [1, 2, 3, 4, 5, 6], [1, 2, 3], [0], 3);
        using var echo = new EchoModel();
        var outputs = ModelQuery.Query(echo, data, ["identity", "hflip"]);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6, 3, 2, 1, 6, 5, 4 }, outputs);
    }

    /// <summary>Outputs its input: [1, 2, 3] images in, the same six values out.</summary>
    private sealed class EchoModel : IModel
    {
        public IReadOnlyList<int> InputShape { get; } = [1, 2, 3];
        public IReadOnlyList<int> OutputShape { get; } = [6];
        public IReadOnlyList<string> CapturePoints { get; } = [];
        public string Sha256 => "echo";
        public string Description => "echo";
        public ModelRun Run(ReadOnlySpan<float> inputs, int count, IReadOnlyList<string>? capture = null) => new(inputs.ToArray(), new Dictionary<string, ActivationBatch>());
        public void Dispose() { }
    }

    [Fact]
    public void MintFindsTheSignalAModelItDidNotTrainCarriesByDesign()
    {
        var data = MarkedData(600, out var used, out var unused);
        using var model = new HandWrittenModel(4);
        // Every capture point plus the confidence view of the outputs.
        var options = new MintOptions(Points: [ActivationCapture.All, ActivationCapture.Confidence], Seed: 3, BootstrapResamples: 0,
            Training: new MintTrainingOptions { Epochs = 10, Seed = 2 });
        var (detector, result) = MintProtocol.Run(model, data, used, unused, options);
        detector.Dispose();
        Assert.Equal(["flag", "logits", ActivationCapture.Confidence], result.Points);
        Assert.True(result.BalancedAccuracy > 0.95, $"balanced accuracy {result.BalancedAccuracy}");
        Assert.True(model.Calls > 0);
        // The outputs carry no trace of the mark, so the baselines beside MINT, on the same samples, stay near chance.
        Assert.Equal([MiaLab.Core.Mint.MintBaselines.MaxConfidence, MiaLab.Core.Mint.MintBaselines.Loss], result.Baselines.Select(b => b.Name));
        Assert.All(result.Baselines, b => Assert.InRange(b.Eval.BalancedAccuracy, 0.4, 0.6));
        Assert.All(result.Baselines, b => Assert.Equal(result.EvalIsUsed.Length, b.Metrics.Members + b.Metrics.NonMembers));
        Assert.True(result.BalancedAccuracyCi95.Low > result.Baselines[0].Eval.Ci95.High, "MINT's interval must lie above the baseline's");

        // The same protocol on the logits alone stays near chance, and so does the default input (the
        // confidence view only): a mark that lives in a hidden point alone is what it gives up.
        var (blind, chance) = MintProtocol.Run(model, data, used, unused, options with { Points = ["logits"] });
        blind.Dispose();
        Assert.InRange(chance.BalancedAccuracy, 0.35, 0.65);
        var (outputsOnly, byDefault) = MintProtocol.Run(model, data, used, unused, options with { Points = null });
        outputsOnly.Dispose();
        Assert.Equal([ActivationCapture.Confidence], byDefault.Points);
        Assert.InRange(byDefault.BalancedAccuracy, 0.35, 0.65);
    }

    private static (StackedModel Model, Dataset Data, int[] Set) TinyMlp()
    {
        var data = SyntheticGaussian.Generate(120, 5, 3, 3.0, seed: 4);
        var model = ModelZoo.Create(new ModelConfig { Hidden = [8] }, data.SampleShape, data.NumClasses, [1]);
        return (model, data, Enumerable.Range(0, 120).ToArray());
    }

    private static float[][] Weights(StackedModel model) =>
        model.parameters().Select(p => p.detach().clone().data<float>().ToArray()).ToArray();

    private static TrainingConfig Plain() => new() { Epochs = 3, BatchSize = 16, LearningRate = 0.1, Schedule = "constant", Momentum = 0 };

    /// <summary>Every sample's loss is zero: nothing may move.</summary>
    private sealed class ZeroLoss : ITrainingLoss
    {
        public Tensor PerSample(Tensor logits, Tensor labels, TrainingStep step) => logits.sum(1) * 0;
    }

    [Fact]
    public void TheLossSeamDecidesWhatTheModelsLearn()
    {
        var (model, data, set) = TinyMlp();
        using var _ = model;
        var before = Weights(model);
        var hooks = TrainingHooks.Default(LossSettings.CrossEntropy) with { Loss = new ZeroLoss() };
        StackedTrainer.Train(model, Plain(), data, [set], [1], 1, hooks: hooks);
        Assert.Equal(before, Weights(model));
    }

    /// <summary>Counts batches and hands out one fixed two-sample batch per epoch.</summary>
    private sealed class TwoSampleSampler : IBatchSampler
    {
        public int Calls;
        public IReadOnlyList<int[]> Batches(int model, int epoch, int[] trainSet, int batchSize, StableRandom random)
        {
            Calls++;
            return [[trainSet[0], trainSet[1]]];
        }
    }

    /// <summary>Records every step, then does the default backward.</summary>
    private sealed class RecordingGradients : IGradientStep
    {
        public readonly List<(int Epoch, int Width, float[] Weights)> Steps = [];
        public bool Prepared;
        public void Prepare(StackedModel model) => Prepared = true;
        public void Backward(StackedModel model, Tensor perSampleLoss, Tensor weight, TrainingStep step)
        {
            Steps.Add((step.Epoch, step.BatchSize, (float[])step.Weights.Clone()));
            new MeanLossBackward().Backward(model, perSampleLoss, weight, step);
        }
    }

    private sealed class EpochCounter : IEpochHook
    {
        public readonly List<int> Epochs = [];
        public void AfterEpoch(StackedModel model, int epoch) => Epochs.Add(epoch);
    }

    [Fact]
    public void TheSamplerGradientAndEpochSeamsSeeEveryStep()
    {
        var (model, data, set) = TinyMlp();
        using var _ = model;
        var sampler = new TwoSampleSampler();
        var gradients = new RecordingGradients();
        var epochs = new EpochCounter();
        var hooks = TrainingHooks.Default(LossSettings.CrossEntropy) with { Sampler = sampler, Gradients = gradients, AfterEpoch = epochs };
        var log = StackedTrainer.Train(model, Plain(), data, [set], [1], 1, hooks: hooks);
        Assert.True(gradients.Prepared);
        Assert.Equal(3, sampler.Calls);                  // one call per epoch
        Assert.Equal([0, 1, 2], gradients.Steps.Select(s => s.Epoch));
        Assert.All(gradients.Steps, s => Assert.Equal(2, s.Width)); // the buffers take the sampler's batch width
        Assert.All(gradients.Steps, s => Assert.Equal(new float[] { 1, 1 }, s.Weights));
        Assert.Equal([0, 1, 2], epochs.Epochs);
        Assert.Equal(1, log.StepsPerEpoch);
    }

    [Fact]
    public void AVariableBatchIsPaddedWithWeightZeroAcrossModels()
    {
        // Model 0 gets batches of 3 then 1, model 1 a single batch of 2: the step width is the widest
        // batch, and slots past a model's batch carry weight 0.
        var data = SyntheticGaussian.Generate(20, 5, 3, 3.0, seed: 4);
        using var model = ModelZoo.Create(new ModelConfig { Hidden = [4] }, data.SampleShape, data.NumClasses, [1, 2]);
        var gradients = new RecordingGradients();
        var hooks = TrainingHooks.Default(LossSettings.CrossEntropy) with { Sampler = new FixedBatches(), Gradients = gradients };
        var oneEpoch = Plain();
        oneEpoch.Epochs = 1;
        StackedTrainer.Train(model, oneEpoch, data, [[0, 1, 2, 3], [4, 5]], [1, 2], 1, hooks: hooks);
        Assert.Equal(2, gradients.Steps.Count);
        Assert.Equal(new float[] { 1, 1, 1, 1, 1, 0 }, gradients.Steps[0].Weights);
        Assert.Equal(new float[] { 1, 0, 0, 0, 0, 0 }, gradients.Steps[1].Weights);
    }

    private sealed class FixedBatches : IBatchSampler
    {
        public IReadOnlyList<int[]> Batches(int model, int epoch, int[] trainSet, int batchSize, StableRandom random) =>
            model == 0 ? [[0, 1, 2], [3]] : [[4, 5]];
    }
}
