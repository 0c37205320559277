using MiaLab.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MiaLab.Experiments.Tests;

public class LossesTests
{
    private static Tensor Logits(params float[][] rows) =>
        torch.tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length]);

    private static Tensor Labels(params long[] y) => torch.tensor(y);

    private static double[] Values(Tensor t) => t.to(ScalarType.Float64).data<double>().ToArray();

    [Fact]
    public void FocalWithGammaZeroIsCrossEntropy()
    {
        var logits = Logits([1f, 2f, -3f], [0.5f, -1f, 4f], [10f, -10f, 0f]);
        var y = Labels(1, 0, 0);
        var focal = Values(Losses.PerSample(logits, y, new LossSettings("focal", FocalGamma: 0)));
        var ce = Values(Losses.PerSample(logits, y, LossSettings.CrossEntropy));
        for (int i = 0; i < 3; i++) Assert.Equal(ce[i], focal[i], 5);
    }

    [Fact]
    public void CrossEntropyAndFocalMatchHandValues()
    {
        // Logits [1, 2, −3], y = 1: p_y = e² / (e + e² + e⁻³).
        double py = Math.Exp(2) / (Math.Exp(1) + Math.Exp(2) + Math.Exp(-3));
        var logits = Logits([1f, 2f, -3f]);
        var y = Labels(1);
        Assert.Equal(-Math.Log(py), Values(Losses.PerSample(logits, y, LossSettings.CrossEntropy))[0], 5);
        Assert.Equal(-Math.Pow(1 - py, 2) * Math.Log(py), Values(Losses.PerSample(logits, y, new LossSettings("focal", FocalGamma: 2)))[0], 5);
        // Focal down-weights a confident correct sample: its loss is below cross-entropy.
        Assert.True(Values(Losses.Focal(logits, y, 2))[0] < -Math.Log(py));
    }

    [Fact]
    public void LabelSmoothingMatchesItsDefinition()
    {
        // −(1−ε) log p_y − ε/C Σ_j log p_j with ε = 0.1, C = 3.
        var l = new[] { 1.0, 2.0, -3.0 };
        double lse = Math.Log(l.Sum(Math.Exp));
        var logp = l.Select(v => v - lse).ToArray();
        double expected = -0.9 * logp[1] - 0.1 / 3 * logp.Sum();
        var loss = Losses.PerSample(Logits([1f, 2f, -3f]), Labels(1), new LossSettings("cross-entropy", LabelSmoothing: 0.1));
        Assert.Equal(expected, Values(loss)[0], 5);
    }

    [Fact]
    public void CosFaceSubtractsTheMarginFromTheTrueClassOnly()
    {
        const double s = 16, m = 0.35;
        var logits = Logits([(float)(s * 0.5), (float)(s * 0.2), (float)(s * -0.1)], [(float)(s * 0.3), (float)(s * 0.9), 0f]);
        var y = Labels(0, 1);
        var settings = new LossSettings("cosface", Margin: m, Scale: s);
        var shifted = Values(Losses.WithMargin(logits, y, settings));
        double[] expected = [s * (0.5 - m), s * 0.2, s * -0.1, s * 0.3, s * (0.9 - m), 0];
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], shifted[i], 4);
        // The loss is cross-entropy on the shifted logits, so larger than on the plain ones.
        var loss = Values(Losses.PerSample(logits, y, settings));
        var plain = Values(Losses.PerSample(logits, y, LossSettings.CrossEntropy));
        var onShifted = Values(Losses.CrossEntropy(Losses.WithMargin(logits, y, settings), y));
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(onShifted[i], loss[i], 5);
            Assert.True(loss[i] > plain[i]);
        }
    }

    [Fact]
    public void ArcFaceAddsTheAngularMarginToTheTrueClassOnly()
    {
        const double s = 16, m = 0.5;
        // Row 0: cos θ_y = 0.5 (θ = π/3), θ + m < π → s·cos(π/3 + m).
        // Row 1: cos θ_y = −0.95 (θ ≈ 2.82 > π − m) → the safe form s·(cos θ − m·sin m).
        var logits = Logits([(float)(s * 0.5), (float)(s * 0.8)], [(float)(s * 0.1), (float)(s * -0.95)]);
        var y = Labels(0, 1);
        var shifted = Values(Losses.WithMargin(logits, y, new LossSettings("arcface", Margin: m, Scale: s)));
        Assert.Equal(s * Math.Cos(Math.PI / 3 + m), shifted[0], 3);
        Assert.Equal(s * 0.8, shifted[1], 4);
        Assert.Equal(s * 0.1, shifted[2], 4);
        Assert.Equal(s * (-0.95 - m * Math.Sin(m)), shifted[3], 3);
    }

    [Fact]
    public void ArcFaceGradientIsFiniteAtTheEdges()
    {
        const double s = 16;
        var logits = Logits([(float)s, (float)-s], [(float)-s, (float)s]).requires_grad_(true);
        var loss = Losses.PerSample(logits, Labels(0, 0), new LossSettings("arcface", Margin: 0.5, Scale: s)).sum();
        loss.backward();
        Assert.All(Values(logits.grad!), g => Assert.True(double.IsFinite(g)));
    }

    [Theory]
    [InlineData("cross-entropy")]
    [InlineData("focal")]
    public void OtherLossesLeaveTheLogitsAlone(string kind)
    {
        var logits = Logits([1f, 2f]);
        Assert.Equal(Values(logits), Values(Losses.WithMargin(logits, Labels(0), new LossSettings(kind, Margin: 0.5, Scale: 16))));
    }
}
