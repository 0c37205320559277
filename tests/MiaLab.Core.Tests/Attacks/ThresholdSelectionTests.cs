using MiaLab.Core.Attacks;

namespace MiaLab.Core.Tests.Attacks;

public class ThresholdSelectionTests
{
    [Fact]
    public void GlobalThresholdMaximisesAccuracy()
    {
        // Sorted high → low: 0.8 (M), 0.4 (M), 0.35 (N), 0.1 (N).
        // τ = 0.8: TP 1, FP 0 → (1 + 2)/4 = .75; τ = 0.4: TP 2, FP 0 → 1.0;
        // τ = 0.35: TP 2, FP 1 → .75; τ = 0.1: TP 2, FP 2 → .5.
        double[] s = [0.1, 0.4, 0.35, 0.8];
        bool[] m = [false, true, false, true];
        var t = ThresholdSelection.MaxAccuracy(s, m);
        Assert.Equal(0.4, t.Tau);
        Assert.Equal(1.0, t.Objective);
        Assert.Equal(1.0, ThresholdSelection.Accuracy(s, m, 0.4));
        Assert.Equal(0.5, ThresholdSelection.Accuracy(s, m, 0.0));
    }

    [Fact]
    public void TiesFormOneThresholdAndTheHighestBestTauWins()
    {
        // Scores 1 (N), 1 (M), 2 (N), 3 (M): τ = 3 → (1 + 2)/4 = .75; τ = 2 → (1 + 1)/4 = .5;
        // τ = 1 (both tied samples at once) → (2 + 0)/4 = .5.
        var t = ThresholdSelection.MaxAccuracy([1, 1, 2, 3], [false, true, false, true]);
        Assert.Equal(3.0, t.Tau);
        Assert.Equal(0.75, t.Objective);

        // Scores 1 (M), 2 (N), 3 (M), 4 (N): τ = 4 → .25, τ = 3 → .5, τ = 2 → .25, τ = 1 → .5:
        // τ = 3 and τ = 1 tie; the higher one is kept.
        t = ThresholdSelection.MaxAccuracy([1, 2, 3, 4], [true, false, true, false]);
        Assert.Equal(3.0, t.Tau);
        Assert.Equal(0.5, t.Objective);
    }

    [Fact]
    public void BalancedAccuracyCanPickADifferentThreshold()
    {
        // Scores 1..6, only score 2 is a member (P = 1, N = 5).
        // Accuracy: τ = 6 → (0 + 4)/6 = .667 is best.
        // ½(TPR + TNR): τ = 6 → ½(0 + 4/5) = .4; τ = 2 → ½(1 + 1/5) = .6 is best; τ = 1 → ½(1 + 0) = .5.
        double[] s = [1, 2, 3, 4, 5, 6];
        bool[] m = [false, true, false, false, false, false];
        var acc = ThresholdSelection.MaxAccuracy(s, m);
        Assert.Equal(6.0, acc.Tau);
        Assert.Equal(4.0 / 6, acc.Objective, 12);
        var bal = ThresholdSelection.MaxBalancedAccuracy(s, m);
        Assert.Equal(2.0, bal.Tau);
        Assert.Equal(0.6, bal.Objective, 12);
    }

    [Fact]
    public void PerClassThresholds()
    {
        // Class 0: .9 (M), .2 (N), .1 (N) → τ = .9 separates perfectly: ½(1 + 1) = 1.
        // Class 1: .5 (M), .6 (N), .4 (N) → τ = .6: ½(0 + ½) = .25; τ = .5: ½(1 + ½) = .75; τ = .4: ½(1 + 0) = .5.
        double[] s = [0.9, 0.2, 0.1, 0.5, 0.6, 0.4];
        bool[] m = [true, false, false, true, false, false];
        long[] y = [0, 0, 0, 1, 1, 1];
        var t = ThresholdSelection.PerClass(s, m, y);
        Assert.Equal(2, t.Count);
        Assert.Equal(new Threshold(0.9, 1.0), t[0]);
        Assert.Equal(0.5, t[1].Tau);
        Assert.Equal(0.75, t[1].Objective, 12);
        // Class 0 all right; class 1 wrong only on .6 (N predicted M) → 5/6.
        Assert.Equal(5.0 / 6, ThresholdSelection.Accuracy(s, m, y, t, fallback: 0.0), 12);
        // A label without its own threshold uses the fallback: label 7 with τ = 1 → predicted N, right.
        Assert.Equal(1.0, ThresholdSelection.Accuracy([0.3], [false], [7], t, fallback: 1.0));
    }

    [Fact]
    public void OneSidedClassesUseTheRateThatExists()
    {
        // Only non-members: TPR counts as 0, so the highest τ (fewest false positives) wins: TNR = 2/3.
        var t = ThresholdSelection.MaxBalancedAccuracy([1, 2, 3], [false, false, false]);
        Assert.Equal(3.0, t.Tau);
        Assert.Equal(1.0 / 3, t.Objective, 12);
    }

    [Fact]
    public void BadInputs()
    {
        Assert.Throws<InputException>(() => ThresholdSelection.MaxAccuracy([1, 2], [true]));
        Assert.Throws<InputException>(() => ThresholdSelection.MaxAccuracy([], []));
        Assert.Throws<InputException>(() => ThresholdSelection.MaxAccuracy([double.NaN], [true]));
    }
}
