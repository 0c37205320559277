using MiaLab.Core.Signals;

namespace MiaLab.Core.Tests.Signals;

public class SignalTests
{
    // Logits l = [1, 2, −3]. S = e¹ + e² + e⁻³, so p = [e/S, e²/S, e⁻³/S] ≈ [0.2676, 0.7275, 0.0049].
    private static readonly float[] L = [1f, 2f, -3f];
    private static readonly double S = Math.Exp(1) + Math.Exp(2) + Math.Exp(-3);
    private static readonly double[] P = [Math.Exp(1) / S, Math.Exp(2) / S, Math.Exp(-3) / S];

    private static double Logits(SignalKind k, long y) => Signal.FromLogits(k, L, y);

    [Fact]
    public void LossIsMinusLogPyFromLogits()
    {
        // −log p_y = log S − l_y.
        Assert.Equal(Math.Log(S) - 2, Logits(SignalKind.Loss, 1), 12);   // ≈ 0.3182
        Assert.Equal(Math.Log(S) + 3, Logits(SignalKind.Loss, 2), 12);   // ≈ 5.3182
        Assert.True(Logits(SignalKind.Loss, 1) >= 0);
    }

    [Fact]
    public void ConfidenceAndMaxConfidence()
    {
        Assert.Equal(Math.Exp(2) / S, Logits(SignalKind.Confidence, 1), 14);
        Assert.Equal(Math.Exp(-3) / S, Logits(SignalKind.Confidence, 2), 14);
        // max_j p_j = p_1 whatever the label.
        Assert.Equal(Math.Exp(2) / S, Logits(SignalKind.MaxConfidence, 1), 14);
        Assert.Equal(Math.Exp(2) / S, Logits(SignalKind.MaxConfidence, 2), 14);
    }

    [Fact]
    public void EntropyDoesNotDependOnTheLabel()
    {
        // −Σ p_j log p_j ≈ 0.6129.
        double h = -((P[0] * Math.Log(P[0])) + (P[1] * Math.Log(P[1])) + (P[2] * Math.Log(P[2])));
        Assert.Equal(h, Logits(SignalKind.Entropy, 1), 12);
        Assert.Equal(h, Logits(SignalKind.Entropy, 2), 12);
    }

    [Fact]
    public void ModifiedEntropyFollowsSongAndMittal()
    {
        // y = 1: −(1−p1)·log p1 − p0·log(1−p0) − p2·log(1−p2).
        double m1 = (-(1 - P[1]) * Math.Log(P[1])) - (P[0] * Math.Log(1 - P[0])) - (P[2] * Math.Log(1 - P[2]));
        // y = 2: −(1−p2)·log p2 − p0·log(1−p0) − p1·log(1−p1).
        double m2 = (-(1 - P[2]) * Math.Log(P[2])) - (P[0] * Math.Log(1 - P[0])) - (P[1] * Math.Log(1 - P[1]));
        Assert.Equal(m1, Logits(SignalKind.ModifiedEntropy, 1), 12);
        Assert.Equal(m2, Logits(SignalKind.ModifiedEntropy, 2), 12);
    }

    [Fact]
    public void StableLogitAndHinge()
    {
        // φ = l_y − log Σ_{j≠y} e^{l_j}: y = 1 → 2 − log(e + e⁻³); y = 2 → −3 − log(e + e²).
        Assert.Equal(2 - Math.Log(Math.Exp(1) + Math.Exp(-3)), Logits(SignalKind.StableLogit, 1), 12);
        Assert.Equal(-3 - Math.Log(Math.Exp(1) + Math.Exp(2)), Logits(SignalKind.StableLogit, 2), 12);
        // Same as log(p_y / (1 − p_y)).
        Assert.Equal(Math.Log(P[1] / (1 - P[1])), Logits(SignalKind.StableLogit, 1), 10);
        // Hinge l_y − max_{j≠y} l_j: y = 1 → 2 − 1 = 1; y = 2 → −3 − 2 = −5.
        Assert.Equal(1.0, Logits(SignalKind.Hinge, 1));
        Assert.Equal(-5.0, Logits(SignalKind.Hinge, 2));
    }

    [Fact]
    public void Correctness()
    {
        Assert.Equal(1.0, Logits(SignalKind.Correctness, 1)); // argmax = 1
        Assert.Equal(0.0, Logits(SignalKind.Correctness, 2));
        Assert.Equal(1.0, Signal.FromLogits(SignalKind.Correctness, [3f, 3f], 0)); // ties: first index
        Assert.Equal(0.0, Signal.FromLogits(SignalKind.Correctness, [3f, 3f], 1));
    }

    [Fact]
    public void ExtremeLogitsStayFinite()
    {
        float[] l = [1000f, 0f, -1000f];
        // p_2 = e^{−2000}/… underflows; the log-domain forms do not.
        Assert.Equal(2000.0, Signal.FromLogits(SignalKind.Loss, l, 2), 9);
        Assert.Equal(-1000.0, Signal.FromLogits(SignalKind.StableLogit, l, 1), 9); // 0 − log(e^1000 + e^−1000)
        Assert.Equal(1000.0, Signal.FromLogits(SignalKind.StableLogit, l, 0), 9);
        // Confident and correct: 1 − p_0 ≈ e^{−1000} underflows → log floored at log(1e−30);
        // every term is ≈ 0 so Mentr ≈ 0.
        double m = Signal.FromLogits(SignalKind.ModifiedEntropy, l, 0);
        Assert.True(double.IsFinite(m) && m >= 0 && m < 1e-12);
        // Confident and wrong (y = 2): −(1−p2)·max(log p2, log 1e−30) − p0·max(log(1−p0), log 1e−30) ≈ 2·69.08.
        Assert.Equal(-2 * Math.Log(1e-30), Signal.FromLogits(SignalKind.ModifiedEntropy, l, 2), 9);
    }

    [Fact]
    public void MinusInfinityLogitsMeanZeroProbability()
    {
        float[] l = [0f, 0f, float.NegativeInfinity];
        // p = [½, ½, 0]: entropy log 2, loss log 2, stable logit 0 − log(e⁰) = 0.
        Assert.Equal(Math.Log(2), Signal.FromLogits(SignalKind.Entropy, l, 0), 14);
        Assert.Equal(Math.Log(2), Signal.FromLogits(SignalKind.Loss, l, 0), 14);
        Assert.Equal(0.0, Signal.FromLogits(SignalKind.StableLogit, l, 0), 14);
        // Mentr y = 0: −½·log ½ − ½·log ½ − 0 = log 2.
        Assert.Equal(Math.Log(2), Signal.FromLogits(SignalKind.ModifiedEntropy, l, 0), 14);
    }

    [Fact]
    public void FromProbabilitiesClampsZeroBeforeLogs()
    {
        float[] p = [0.5f, 0.5f, 0f];
        double log8 = Math.Log(1e-8); // ≈ −18.4207
        // y = 2 has p = 0 → clamped to 1e−8.
        Assert.Equal(-log8, Signal.FromProbabilities(SignalKind.Loss, p, 2), 12);
        Assert.Equal(0.0, Signal.FromProbabilities(SignalKind.Confidence, p, 2));
        Assert.Equal(0.5, Signal.FromProbabilities(SignalKind.MaxConfidence, p, 2));
        // Entropy: −2·½·log ½ − 0·log(1e−8) = log 2.
        Assert.Equal(Math.Log(2), Signal.FromProbabilities(SignalKind.Entropy, p, 2), 7);
        // Mentr y = 2: −(1 − 0)·log(1e−8) − ½·log ½ − ½·log ½ = 18.42 + log 2.
        Assert.Equal(-log8 + Math.Log(2), Signal.FromProbabilities(SignalKind.ModifiedEntropy, p, 2), 7);
        // Stable logit: log(1e−8) − log(½ + ½) = −18.42.
        Assert.Equal(log8, Signal.FromProbabilities(SignalKind.StableLogit, p, 2), 7);
        // Hinge on log p: log(1e−8) − log ½.
        Assert.Equal(log8 - Math.Log(0.5), Signal.FromProbabilities(SignalKind.Hinge, p, 2), 7);
        Assert.Equal(0.0, Signal.FromProbabilities(SignalKind.Correctness, p, 2));

        float[] certain = [0f, 1f, 0f];
        Assert.Equal(0.0, Signal.FromProbabilities(SignalKind.Loss, certain, 1), 12);
        // log 1 − log(max(0, 1e−8)) = 18.42.
        Assert.Equal(-log8, Signal.FromProbabilities(SignalKind.StableLogit, certain, 1), 12);
        Assert.Equal(0.0, Signal.FromProbabilities(SignalKind.ModifiedEntropy, certain, 1), 12);
    }

    [Fact]
    public void FromProbabilitiesAgreesWithLogitsAwayFromTheClamp()
    {
        var probs = Array.ConvertAll(P, v => (float)v);
        foreach (SignalKind k in Enum.GetValues<SignalKind>())
            foreach (long y in new long[] { 0, 1, 2 })
                Assert.Equal(Signal.FromLogits(k, L, y), Signal.FromProbabilities(k, probs, y), 5);
    }

    [Fact]
    public void EveryMemberScorePrefersTheConfidentCorrectSample()
    {
        // Confident and correct (p_0 ≈ 0.987) versus unconfident and wrong (argmax 1, p_0 ≈ 0.31).
        float[] confident = [5f, 0f, 0f];
        float[] unconfident = [0f, 0.3f, 0.1f];
        foreach (SignalKind k in Enum.GetValues<SignalKind>())
        {
            double hi = Signal.ToMemberScore(k, Signal.FromLogits(k, confident, 0));
            double lo = Signal.ToMemberScore(k, Signal.FromLogits(k, unconfident, 0));
            Assert.True(hi > lo, $"{Signal.Name(k)}: {hi} should exceed {lo}");

            float[] pc = Softmax(confident), pu = Softmax(unconfident);
            hi = Signal.ToMemberScore(k, Signal.FromProbabilities(k, pc, 0));
            lo = Signal.ToMemberScore(k, Signal.FromProbabilities(k, pu, 0));
            Assert.True(hi > lo, $"{Signal.Name(k)} from probabilities: {hi} should exceed {lo}");
        }
    }

    [Fact]
    public void ToMemberScoreNegatesOnlyTheLowerIsMemberSignals()
    {
        Assert.Equal(-3.0, Signal.ToMemberScore(SignalKind.Loss, 3));
        Assert.Equal(-3.0, Signal.ToMemberScore(SignalKind.Entropy, 3));
        Assert.Equal(-3.0, Signal.ToMemberScore(SignalKind.ModifiedEntropy, 3));
        foreach (var k in new[] { SignalKind.Confidence, SignalKind.MaxConfidence, SignalKind.StableLogit, SignalKind.Hinge, SignalKind.Correctness })
            Assert.Equal(3.0, Signal.ToMemberScore(k, 3));
    }

    [Fact]
    public void ParseAndNameRoundTrip()
    {
        foreach (SignalKind k in Enum.GetValues<SignalKind>())
            Assert.Equal(k, Signal.Parse(Signal.Name(k)));
        Assert.Equal(SignalKind.ModifiedEntropy, Signal.Parse("modified-entropy"));
        Assert.Equal(SignalKind.MaxConfidence, Signal.Parse("max-confidence"));
        var e = Assert.Throws<InputException>(() => Signal.Parse("softmax"));
        Assert.Contains("stable-logit", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void ComputeLaysOutSamplesThenQueries()
    {
        // N = 2, A = 2, C = 3: rows (0,0), (0,1), (1,0), (1,1).
        float[] values = [1, 2, -3, 2, 1, -3, 0, 0, 5, 5, 0, 0];
        long[] labels = [1, 2];
        double[] h = Signal.Compute(SignalKind.Hinge, values, labels, 2, 3, probabilities: false);
        Assert.Equal([1.0, -1.0, 5.0, -5.0], h);
        Assert.Throws<InputException>(() => Signal.Compute(SignalKind.Hinge, values, [1, 3], 2, 3, false));
        Assert.Throws<InputException>(() => Signal.Compute(SignalKind.Hinge, values, labels, 3, 3, false));
    }

    [Fact]
    public void LabelOutOfRangeIsAnInputError()
    {
        Assert.Throws<InputException>(() => Signal.FromLogits(SignalKind.Loss, L, 3));
        Assert.Throws<InputException>(() => Signal.FromProbabilities(SignalKind.Loss, L, -1));
    }

    private static float[] Softmax(float[] l)
    {
        double max = l.Max(), sum = l.Sum(v => Math.Exp(v - max));
        return Array.ConvertAll(l, v => (float)(Math.Exp(v - max) / sum));
    }
}
