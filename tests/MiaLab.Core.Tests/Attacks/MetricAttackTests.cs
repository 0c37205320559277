using MiaLab.Core.Randomness;
using MiaLab.Core.Attacks;
using MiaLab.Core.Signals;

namespace MiaLab.Core.Tests.Attacks;

public class MetricAttackTests
{
    /// <summary>200 samples, 3 classes, 2 models; members of model 0 have a higher logit for their label.</summary>
    private static ModelOutputs Separable(int holdout = 0)
    {
        const int n = 200, c = 3, a = 2;
        var rng = new StableRandom(5);
        var logits = new float[2][];
        var keep = new bool[2][];
        var labels = new long[n];
        var hold = new bool[n];
        for (int m = 0; m < 2; m++) { logits[m] = new float[n * a * c]; keep[m] = new bool[n]; }
        for (int i = 0; i < n; i++)
        {
            hold[i] = i >= n - holdout;
            labels[i] = i % c;
            keep[0][i] = !hold[i] && rng.Next(2) == 0;
            keep[1][i] = !hold[i] && !keep[0][i];
            for (int m = 0; m < 2; m++)
                for (int q = 0; q < a; q++)
                {
                    int row = ((i * a) + q) * c;
                    for (int j = 0; j < c; j++) logits[m][row + j] = (float)AttackTestData.Normal(rng);
                    logits[m][row + (int)labels[i]] += keep[m][i] ? 3f : 0.5f;
                }
        }
        return new ModelOutputs(logits, labels, keep, a, c, holdout > 0 ? hold : null);
    }

    [Fact]
    public void ScoreIsTheMemberScoreOfTheIdentityQuery()
    {
        var o = Separable();
        var r = MetricAttack.Run(o, 0, SignalKind.Loss, seed: 1);
        Assert.Equal("loss", r.Name);
        for (int i = 0; i < o.Samples; i++)
            Assert.Equal(-Signal.FromLogits(SignalKind.Loss, o.LogitsOf(0, i, 0), o.Labels[i]), r.Scores[i]);
        Assert.Empty(r.Unscored);
    }

    [Fact]
    public void ThresholdsComeFromTheEvalSplitAndAreReportedOnBoth()
    {
        var o = Separable();
        var r = MetricAttack.Run(o, 0, SignalKind.Confidence, seed: 1);
        foreach (var key in new[] { "threshold", "eval_accuracy", "test_accuracy", "class_eval_accuracy", "class_test_accuracy" })
            Assert.True(r.Extras.ContainsKey(key), key);
        Assert.Equal(200.0, r.Extras["eval_samples"] + r.Extras["test_samples"]);
        Assert.InRange(r.Extras["eval_accuracy"], 0.7, 1.0);
        Assert.InRange(r.Extras["test_accuracy"], 0.6, 1.0);
        // Class thresholds maximise ½(TPR + TNR), not accuracy, but they are fitted per class on the
        // same eval data, so they do at least as well as chance.
        Assert.InRange(r.Extras["class_eval_accuracy"], 0.5, 1.0);

        // The split is seeded and stratified: half of each group goes to eval.
        var (eval, test) = MetricAttack.Split(o, 0, seed: 1);
        int members = o.Keep[0].Count(k => k), evalMembers = eval.Count(i => o.Keep[0][i]);
        Assert.Equal(members / 2, evalMembers);
        Assert.Equal((o.Samples - members) / 2, eval.Length - evalMembers);
        Assert.Empty(eval.Intersect(test));
        Assert.Equal(eval, MetricAttack.Split(o, 0, seed: 1).Eval);
        Assert.NotEqual(eval, MetricAttack.Split(o, 0, seed: 2).Eval);

        // The reported eval accuracy is the one the threshold achieves on the eval split.
        var s = eval.Select(i => r.Scores[i]).ToArray();
        var m = eval.Select(i => o.Keep[0][i]).ToArray();
        Assert.Equal(r.Extras["eval_accuracy"], ThresholdSelection.Accuracy(s, m, r.Extras["threshold"]), 12);
    }

    [Fact]
    public void HoldoutIsUnscoredAndLeftOutOfTheSplit()
    {
        var o = Separable(holdout: 20);
        var r = MetricAttack.Run(o, 0, SignalKind.Entropy, seed: 3);
        Assert.Equal(Enumerable.Range(180, 20).ToArray(), r.Unscored);
        Assert.All(r.Unscored, i => Assert.True(double.IsNaN(r.Scores[i])));
        Assert.Equal(180.0, r.Extras["eval_samples"] + r.Extras["test_samples"]);
    }

    [Fact]
    public void CorrectnessIsTheGapAttack()
    {
        var o = Separable();
        var gap = AttackRegistry.Get("label-only-gap").Run(new AttackContext(o, 0, [], 0));
        var corr = AttackRegistry.Get("correctness").Run(new AttackContext(o, 0, [], 0));
        Assert.Equal("label-only-gap", gap.Name);
        Assert.Equal(corr.Scores, gap.Scores);
        Assert.All(gap.Scores, s => Assert.True(s == 0.0 || s == 1.0));
    }

    [Fact]
    public void TargetOutOfRangeIsAnInputError()
    {
        var o = Separable();
        Assert.Throws<InputException>(() => MetricAttack.Run(o, 2, SignalKind.Loss, 0));
        Assert.Throws<InputException>(() => MetricAttack.Run(o, -1, SignalKind.Loss, 0));
    }
}
