using MiaLab.Core;
using MiaLab.Core.Config;
using MiaLab.Core.Data;
using MiaLab.Core.Signals;
using MiaLab.Torch.Defenses;
using MiaLab.Torch.Models;
using MiaLab.Torch.Training;
using TorchSharp;

namespace MiaLab.Torch.Tests.Defenses;

public class WeightedSmoothingTests
{
    private static float[] Values(torch.Tensor t) => t.detach().to_type(torch.ScalarType.Float32).data<float>().ToArray();

    [Fact]
    public void NoiseScalesWithTheTopTwoGapAndOneMinusTheWeight()
    {
        // p = [0.7, 0.2, 0.1], w = −1 (a confident sample), σ = 0.1, standard noise n = [1, −1, 0.5]:
        // gap p(1) − p(2) = 0.5, scale 0.1·0.5·(1 − (−1)) = 0.1, noise = [0.1, −0.1, 0.05],
        // p + noise = [0.8, 0.1, 0.15], sum 1.05 → [0.761905, 0.095238, 0.142857].
        using var p = torch.tensor(new float[] { 0.7f, 0.2f, 0.1f }).view(1, 3);
        using var w = torch.tensor(new float[] { -1f });
        using var n = torch.tensor(new float[] { 1f, -1f, 0.5f }).view(1, 3);
        var smoothed = Values(WeightedSmoothing.Smooth(p, w, 0.1, n));
        Assert.Equal(0.8 / 1.05, smoothed[0], 5);
        Assert.Equal(0.1 / 1.05, smoothed[1], 5);
        Assert.Equal(0.15 / 1.05, smoothed[2], 5);
        // The same sample with w = +1 (unconfident) gets no noise at all: 1 − w = 0.
        using var w1 = torch.tensor(new float[] { 1f });
        Assert.Equal(new[] { 0.7f, 0.2f, 0.1f }, Values(WeightedSmoothing.Smooth(p, w1, 0.1, n)).Select(v => MathF.Round(v, 6)));
    }

    [Fact]
    public void NegativeEntriesAreFoldedAndTheResultRenormalised()
    {
        // p = [0.5, 0.3, 0.2], w = 0, σ = 1, n = [0, −2, 0]: gap 0.2 → noise [0, −0.4, 0];
        // p + noise = [0.5, −0.1, 0.2] → |·| = [0.5, 0.1, 0.2] / 0.8 = [0.625, 0.125, 0.25].
        using var p = torch.tensor(new float[] { 0.5f, 0.3f, 0.2f }).view(1, 3);
        using var w = torch.tensor(new float[] { 0f });
        using var n = torch.tensor(new float[] { 0f, -2f, 0f }).view(1, 3);
        var smoothed = WeightedSmoothing.Smooth(p, w, 1.0, n);
        Assert.Equal(new[] { 0.625f, 0.125f, 0.25f }, Values(smoothed).Select(v => MathF.Round(v, 6)));
        // NLL of the renormalised probabilities: label 1 → −ln 0.125 = 2.0794415.
        using var y = torch.tensor(new long[] { 1 });
        Assert.Equal(-Math.Log(0.125), Values(WeightedSmoothing.NegativeLogLikelihood(smoothed, y))[0], 5);
    }

    [Fact]
    public void ProbabilitiesAreClippedToEMinus36()
    {
        using var p = torch.tensor(new float[] { 1f, 0f, 0f }).view(1, 3);
        using var w = torch.tensor(new float[] { 0f });
        var smoothed = Values(WeightedSmoothing.Smooth(p, w, 0, null));
        Assert.Equal((float)Math.Exp(-36), smoothed[1]);
    }

    [Fact]
    public void WeightsAreWithinClassZScoresAndConfidentSamplesGetNegativeOnes()
    {
        // Class 0: Mentr 1 and 3 (mean 2, std 1) → w = −1 for the confident (low-entropy) sample, +1 for
        // the other. Class 1: Mentr 2, 4, 9 (mean 5, std √(26/3)) → (2 − 5)/2.94392 = −1.01905 …
        // Class 2: one sample → 0.
        int[] set = [0, 1, 2, 3, 4, 5];
        long[] labels = [0, 0, 1, 1, 1, 2];
        double[] mentr = [1, 3, 2, 4, 9, 7];
        var w = new float[6];
        WeightedSmoothing.ZScoresWithinClass(set, mentr, labels, w);
        double std1 = Math.Sqrt(26.0 / 3);
        Assert.Equal(-1, w[0], 5);
        Assert.Equal(1, w[1], 5);
        Assert.Equal(-3 / std1, w[2], 5);
        Assert.Equal(-1 / std1, w[3], 5);
        Assert.Equal(4 / std1, w[4], 5);
        Assert.Equal(0, w[5]);
    }

    [Fact]
    public void AfterTheThirdEpochTheWeightsAreTheModelsModifiedEntropyZScores()
    {
        var data = SyntheticGaussian.Generate(60, 4, 3, 2.0, seed: 3);
        int[] set = Enumerable.Range(0, 40).ToArray();
        using var model = ModelZoo.Create(new ModelConfig { Hidden = [8] }, data.SampleShape, data.NumClasses, [5]);
        var ws = new WeightedSmoothing(0.01, data, [set]);
        ws.AfterEpoch(model, 1); // second epoch: nothing yet
        Assert.All(set, i => Assert.Equal(0f, ws.Weight(0, i)));
        ws.AfterEpoch(model, 2);
        var logits = TorchModel.QueryEach(model, data, ["identity"])[0];
        var mentr = new double[data.Count];
        foreach (int i in set) mentr[i] = Signal.FromLogits(SignalKind.ModifiedEntropy, logits.AsSpan(i * 3, 3), data.Labels[i]);
        var expected = new float[data.Count];
        WeightedSmoothing.ZScoresWithinClass(set, mentr, data.Labels, expected);
        foreach (int i in set) Assert.Equal(expected[i], ws.Weight(0, i), 4);
        Assert.Contains(set, i => ws.Weight(0, i) < -0.5f);
    }

    [Fact]
    public void GradientNormOfEachModelIsClippedAtTen()
    {
        var data = SyntheticGaussian.Generate(20, 4, 3, 2.0, seed: 3);
        using var model = ModelZoo.Create(new ModelConfig { Hidden = [8] }, data.SampleShape, data.NumClasses, [1, 2]);
        foreach (var p in model.parameters()) p.grad = torch.ones_like(p) * 100; // ‖g‖ far above 10 for each model
        WeightedSmoothing.ClipEachModel(model, 10);
        for (int k = 0; k < 2; k++)
        {
            double squared = model.parameters().Sum(p => p.grad!.view(2, -1)[k].pow(2).sum().item<float>());
            Assert.Equal(10, Math.Sqrt(squared), 3);
        }
    }

    [Fact]
    public void OneClassDataIsAUserError()
    {
        var data = new Dataset("one-class", new float[12], [3], [0, 0, 0, 0], 2);
        var e = Assert.Throws<InputException>(() => new WeightedSmoothing(0.1, data, [[0, 1, 2, 3]]));
        Assert.Contains("at least two classes", e.Message);
    }
}
