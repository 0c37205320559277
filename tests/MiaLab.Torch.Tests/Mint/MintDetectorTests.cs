using MiaLab.Core;
using MiaLab.Core.Config;
using MiaLab.Core.Data;
using MiaLab.Torch.Mint;
using MiaLab.Torch.Models;
using Xunit.Abstractions;

namespace MiaLab.Torch.Tests.Mint;

/// <summary>One overfit MLP shared by the tests of a class (they run one after another).</summary>
public sealed class OverfitModelFixture : IDisposable
{
    public Dataset Data { get; } = MintTestData.Overlapping();
    public TorchModel Model { get; }
    public OverfitModelFixture() => Model = MintTestData.OverfitMlp(Data, members: 100);
    public void Dispose() => Model.Dispose();
}

public class MintDetectorTests(OverfitModelFixture overfit, ITestOutputHelper output) : IClassFixture<OverfitModelFixture>
{
    [Fact]
    public void VanillaMintDetectsTheTrainingDataOfAnOverfitModel()
    {
        // 100 members the MLP memorised, 200 samples it never saw, from overlapping classes; the paper's
        // detector (20 epochs; L1 off, the default) on every capture point and the confidence view.
        var (data, model) = (overfit.Data, overfit.Model);
        var (detector, r) = MintProtocol.Run(model, data, Enumerable.Range(0, 100).ToArray(), Enumerable.Range(100, 200).ToArray(),
            new MintOptions(Points: [ActivationCapture.All, ActivationCapture.Confidence], Seed: 1, BootstrapResamples: 0));
        using (detector)
        {
            output.WriteLine($"balanced accuracy {r.BalancedAccuracy:0.000} (train {r.TrainBalancedAccuracy:0.000}), AUC {r.Metrics.Auc:0.000}, " +
                $"loss {string.Join(" ", r.Log.EpochLoss.Select(l => l.ToString("0.000")))}, penalty {r.Log.EpochPenalty[^1]:0.000}");
            Assert.Equal(["hidden1", "hidden2", "logits", ActivationCapture.Confidence], r.Points);
            Assert.Equal(64 + 32 + 4 + 4, r.InputLength);
            Assert.Equal(20, r.Log.EpochLoss.Length);
            Assert.Equal((67, 33, 133, 67), (r.Split.UsedTrain.Length, r.Split.UsedEval.Length, r.Split.UnusedTrain.Length, r.Split.UnusedEval.Length));
            Assert.Equal(100, r.Metrics.Members + r.Metrics.NonMembers);
            Assert.True(r.BalancedAccuracy > 0.6, $"MINT balanced accuracy {r.BalancedAccuracy} should exceed 0.6");
            Assert.True(r.Metrics.Auc > 0.8, $"MINT AUC {r.Metrics.Auc} should exceed 0.8");
        }
    }

    [Fact]
    public void AModelThatSawNothingGivesAChanceLevelDetector()
    {
        // Direction check: "used" samples the model never trained on look like the rest.
        var (data, model) = (overfit.Data, overfit.Model);
        var (detector, r) = MintProtocol.Run(model, data, Enumerable.Range(100, 100).ToArray(), Enumerable.Range(200, 100).ToArray(),
            new MintOptions(Seed: 1, BootstrapResamples: 0));
        detector.Dispose();
        output.WriteLine($"balanced accuracy {r.BalancedAccuracy:0.000}, AUC {r.Metrics.Auc:0.000}");
        Assert.InRange(r.Metrics.Auc, 0.3, 0.7);
    }

    [Theory]
    [InlineData("vanilla")]
    [InlineData("cnn")]
    public void ASavedDetectorLoadsAndGivesIdenticalOutputs(string kind)
    {
        var data = MintTestData.TinyImages(90);
        using var model = TorchModel.Own(ModelZoo.Create(new ModelConfig { Kind = "cnn", Channels = [4, 8] }, data.SampleShape, data.NumClasses, [3]), data.SampleShape);
        var options = new MintOptions(kind, Points: kind == "cnn" ? ["conv1"] : [ActivationCapture.All, ActivationCapture.Confidence], Seed: 2, BootstrapResamples: 0,
            Training: new MintTrainingOptions { Epochs = 2, Hidden = 16, Filters = 8, Seed = 5 });
        var (detector, r) = MintProtocol.Run(model, data, Enumerable.Range(0, 45).ToArray(), Enumerable.Range(45, 45).ToArray(), options);
        string path = Path.Combine(MintTestData.TempDirectory(), "detector.npz");
        using (detector)
        {
            Assert.Equal(kind == "cnn" ? [4, 4, 4] : new[] { 4 + 8 + SmallCnn.DenseWidth + 3 + 3 }, detector.Info.InputShape);
            detector.Save(path);
            var (inputs, _, _, _) = MintProtocol.Inputs(model, data, kind, options.Points, MintReduction.Max);
            double[] before = detector.Predict(inputs);
            using var loaded = MintDetector.Load(Path.ChangeExtension(path, ".json"));
            Assert.Equal(before, loaded.Predict(inputs));
            Assert.Equal(detector.Info.Mean, loaded.Info.Mean);
            Assert.Equal(detector.Info.Std, loaded.Info.Std);
            Assert.Equal(kind, loaded.Kind);
            Assert.All(before, p => Assert.InRange(p, 0.0, 1.0));
        }
    }

    [Fact]
    public void TrainingIsReproducibleWithTheSameSeed()
    {
        var data = MintTestData.TinyImages(60);
        using var model = TorchModel.Own(ModelZoo.Create(new ModelConfig { Kind = "mlp", Hidden = [16] }, data.SampleShape, data.NumClasses, [3]), data.SampleShape);
        var options = new MintOptions(Seed: 4, BootstrapResamples: 0, Training: new MintTrainingOptions { Epochs = 3, Seed = 9 });
        double[] Probabilities()
        {
            var (d, r) = MintProtocol.Run(model, data, Enumerable.Range(0, 30).ToArray(), Enumerable.Range(30, 30).ToArray(), options);
            d.Dispose();
            return r.EvalProbabilities;
        }
        Assert.Equal(Probabilities(), Probabilities());
    }

    [Fact]
    public void TheSplitIsTwoThirdsToOneThirdSeededAndDisjoint()
    {
        int[] used = Enumerable.Range(0, 90).ToArray(), unused = Enumerable.Range(200, 30).ToArray();
        var a = MintProtocol.Split(used, unused, seed: 7);
        var b = MintProtocol.Split(used, unused, seed: 7);
        var c = MintProtocol.Split(used, unused, seed: 8);
        Assert.Equal((60, 30, 20, 10), (a.UsedTrain.Length, a.UsedEval.Length, a.UnusedTrain.Length, a.UnusedEval.Length));
        Assert.Equal(a.UsedTrain, b.UsedTrain);
        Assert.NotEqual(a.UsedTrain, c.UsedTrain);
        Assert.Equal(used, a.UsedTrain.Concat(a.UsedEval).Order());
        Assert.Empty(a.UnusedTrain.Intersect(a.UnusedEval));
    }

    [Fact]
    public void OverlappingUsedAndUnusedSetsAreAnInputError()
    {
        var e = Assert.Throws<InputException>(() => MintProtocol.Split([1, 2, 3, 4], [4, 5, 6, 3], seed: 0));
        Assert.Contains("overlap in 2 samples (first: sample 3)", e.Message);
        var data = MintTestData.TinyImages(20);
        using var model = TorchModel.Own(ModelZoo.Create(new ModelConfig { Kind = "mlp", Hidden = [8] }, data.SampleShape, data.NumClasses, [1]), data.SampleShape);
        Assert.Throws<InputException>(() => MintProtocol.Run(model, data, [0, 1, 2, 3], [3, 4, 5], new MintOptions()));
    }

    [Fact]
    public void TheTrainThresholdComesFromMintTrainAndIsAppliedToMintEval()
    {
        // MINT-train [0.9, 0.7 | 0.6, 0.4]: τ = 0.7 separates it perfectly. On MINT-eval [0.8, 0.65 | 0.75, 0.2]
        // that τ keeps 1 of 2 used and rejects 1 of 2 unused → ½(½ + ½) = 0.5, where ½ would give ½(1 + ½) = 0.75.
        var a = MintProtocol.AtTrainThreshold([0.9, 0.7, 0.6, 0.4], [true, true, false, false], [0.8, 0.65, 0.75, 0.2], [true, true, false, false]);
        Assert.Equal(0.5, a.BalancedAccuracy, 12);
        Assert.Equal((0.5, 0.5), (a.Tpr, a.Tnr));
        Assert.Equal(0.75, MintProtocol.BalancedAccuracyAtHalf([0.8, 0.65, 0.75, 0.2], [true, true, false, false]), 12);
    }

    [Fact]
    public void BalancedAccuracyAtOneHalfCountsEachClassEqually()
    {
        // Used: 3 of 4 above 0.5; unused: 1 of 2 at or below 0.5 → ½(0.75 + 0.5).
        Assert.Equal(0.625, MintProtocol.BalancedAccuracyAtHalf([0.9, 0.8, 0.7, 0.2, 0.5, 0.6], [true, true, true, true, false, false]), 12);
    }

    [Fact]
    public void TheCnnDetectorNeedsOneConvPoint()
    {
        var data = MintTestData.TinyImages(20);
        using var mlp = TorchModel.Own(ModelZoo.Create(new ModelConfig { Kind = "mlp", Hidden = [8] }, data.SampleShape, data.NumClasses, [1]), data.SampleShape);
        var e = Assert.Throws<InputException>(() => MintProtocol.Inputs(mlp, data, "cnn", null, MintReduction.Max));
        Assert.Contains("needs a conv capture point", e.Message);
        using var cnn = TorchModel.Own(ModelZoo.Create(new ModelConfig { Kind = "cnn", Channels = [4, 8] }, data.SampleShape, data.NumClasses, [1]), data.SampleShape);
        var (_, shape, points, _) = MintProtocol.Inputs(cnn, data, "cnn", null, MintReduction.Max);
        Assert.Equal(["conv2"], points); // the last conv point by default
        Assert.Equal([8, 2, 2], shape);
        Assert.Throws<InputException>(() => MintProtocol.Inputs(cnn, data, "cnn", ["conv1", "conv2"], MintReduction.Max));
    }
}
