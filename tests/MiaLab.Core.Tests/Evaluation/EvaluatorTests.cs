using MiaLab.Core.Randomness;
using System.Text.Json.Nodes;
using MiaLab.Core.Evaluation;

namespace MiaLab.Core.Tests.Evaluation;

public class EvaluatorTests
{
    private static readonly EvaluationOptions NoBootstrap = new(BootstrapResamples: 0);

    [Fact]
    public void AlphaKeysAreInvariant()
    {
        Assert.Equal(["0.1", "0.01", "0.001", "0.0001"], Evaluator.Alphas.Select(Evaluator.AlphaKey));
    }

    [Fact]
    public void WorkedExampleWithUnscoredSamples()
    {
        // Members {3, 2, 2}, non-members {2, 1}, plus two unscored (NaN) samples that are dropped.
        double[] s = [3, double.NaN, 2, 2, 2, 1, double.NaN];
        bool[] y = [true, true, true, true, false, false, false];
        var m = Evaluator.Evaluate(s, y, null, NoBootstrap);
        Assert.Equal(5.0 / 6, m.Auc, 12);      // see RocTests: 5 of 6 pairs
        Assert.Equal(0.75, m.BalancedAccuracy, 12);
        Assert.Equal(0.5, m.Advantage, 12);
        Assert.Equal(3, m.Members);
        Assert.Equal(2, m.NonMembers);
        Assert.Equal(2, m.Unscored);
        Assert.Null(m.AucCi);
        Assert.Empty(m.PerClass);
        // α = 0.1: only FPR 0 admissible → TPR 1/3 (the member at 3); n_out = 2 < 10: not estimable.
        var t = m.TprAtFpr["0.1"];
        Assert.Equal(1.0 / 3, t.Tpr, 12);
        Assert.Equal(0.0, t.AchievedFpr);
        Assert.False(t.Estimable);
        Assert.Null(t.BootstrapCi);
        Assert.Equal(4, m.TprAtFpr.Count);
    }

    [Fact]
    public void PerClassSlices()
    {
        // Class 0: members {3, 2}, non-members {1}        → AUC 2/2 = 1, BA 1, advantage 1.
        // Class 1: member {1}, non-members {2, 1}         → pairs: 1<2 loss, 1=1 tie → AUC ½/2 = ¼;
        //          points (0,0) (½,0) (1,1): BA max(½, 1 − (½ + 1)/2 = ¼, ½) = ½, advantage 0.
        // Class 2: members only → no slice.  Class 3 unscored only (NaN) → no slice.
        double[] s = [3, 2, 1, 1, 2, 1, 5, double.NaN];
        bool[] y = [true, true, false, true, false, false, true, true];
        long[] labels = [0, 0, 0, 1, 1, 1, 2, 3];
        var m = Evaluator.Evaluate(s, y, labels, NoBootstrap);
        Assert.Equal(2, m.PerClass.Count);
        var c0 = m.PerClass[0];
        Assert.Equal((0L, 2, 1), (c0.Label, c0.Members, c0.NonMembers));
        Assert.Equal((1.0, 1.0, 1.0), (c0.Auc, c0.BalancedAccuracy, c0.Advantage));
        var c1 = m.PerClass[1];
        Assert.Equal((1L, 1, 2), (c1.Label, c1.Members, c1.NonMembers));
        Assert.Equal(0.25, c1.Auc, 12);
        Assert.Equal(0.5, c1.BalancedAccuracy, 12);
        Assert.Equal(0.0, c1.Advantage, 12);

        Assert.Empty(Evaluator.Evaluate(s, y, labels, NoBootstrap with { PerClass = false }).PerClass);
    }

    [Fact]
    public void BootstrapIntervalsAreFilledAndContainTheEstimates()
    {
        var (s, y) = Random(3000, 21);
        var m = Evaluator.Evaluate(s, y, null, new EvaluationOptions(BootstrapResamples: 300, Seed: 4));
        Assert.NotNull(m.AucCi);
        Assert.InRange(m.Auc, m.AucCi!.Value.Low, m.AucCi.Value.High);
        foreach (var t in m.TprAtFpr.Values) Assert.NotNull(t.BootstrapCi);
        var t1 = m.TprAtFpr["0.1"];
        Assert.InRange(t1.Tpr, t1.BootstrapCi!.Value.Low, t1.BootstrapCi.Value.High);
        Assert.InRange(t1.Tpr, t1.Ci.Low, t1.Ci.High);
        // Same seed, same intervals.
        var again = Evaluator.Evaluate(s, y, null, new EvaluationOptions(BootstrapResamples: 300, Seed: 4));
        Assert.Equal(m.AucCi, again.AucCi);
    }

    [Fact]
    public void PooledEqualsTheConcatenation()
    {
        var (s1, y1) = Random(300, 1);
        var (s2, y2) = Random(200, 2);
        s2[5] = double.NaN;
        var options = new EvaluationOptions(BootstrapResamples: 50, Seed: 3);
        var (roc, pooled) = Evaluator.EvaluatePooled([(s1, y1), (s2, y2)], options);
        var direct = Evaluator.Evaluate([.. s1, .. s2], [.. y1, .. y2], null, options);
        Assert.Equal(MetricsJson.ToJson(direct).ToJsonString(), MetricsJson.ToJson(pooled).ToJsonString());
        Assert.Equal(1, pooled.Unscored);
        Assert.Equal(499, roc.Members + roc.NonMembers);
        Assert.Equal(Roc.BalancedAccuracy(roc), pooled.BalancedAccuracy);
    }

    [Fact]
    public void MetricsJsonRoundTrip()
    {
        var (s, y) = Random(400, 8);
        long[] labels = s.Select((_, i) => (long)(i % 3)).ToArray();
        s[0] = double.NaN;
        var m = Evaluator.Evaluate(s, y, labels, new EvaluationOptions(BootstrapResamples: 100, Seed: 2));
        string text = MetricsJson.ToJson(m).ToJsonString();
        var back = MetricsJson.FromJson(JsonNode.Parse(text)!.AsObject());

        Assert.Equal(text, MetricsJson.ToJson(back).ToJsonString());
        Assert.Equal(m.Auc, back.Auc);
        Assert.Equal(m.AucCi, back.AucCi);
        Assert.Equal((m.Members, m.NonMembers, m.Unscored), (back.Members, back.NonMembers, back.Unscored));
        Assert.Equal(m.PerClass, back.PerClass);
        foreach (var (key, t) in m.TprAtFpr) Assert.Equal(t, back.TprAtFpr[key]);

        var o = JsonNode.Parse(text)!.AsObject();
        Assert.Equal(3, o["per_class"]!.AsObject().Count);
        Assert.Equal(["0.1", "0.01", "0.001", "0.0001"], o["tpr_at_fpr"]!.AsObject().Select(p => p.Key));
        Assert.Equal(2, o["auc_ci"]!.AsArray().Count);
        Assert.False(o["tpr_at_fpr"]!["0.001"]!["estimable"]!.GetValue<bool>()); // 400 samples < 1000
    }

    [Fact]
    public void MetricsJsonWritesNullForMissingIntervals()
    {
        var m = Evaluator.Evaluate([3, 2, 2, 2, 1], [true, true, true, false, false], null, NoBootstrap);
        var o = MetricsJson.ToJson(m);
        Assert.Null(o["auc_ci"]);
        Assert.True(o.ContainsKey("auc_ci"));
        Assert.Null(o["tpr_at_fpr"]!["0.1"]!["bootstrap_ci"]);
        var back = MetricsJson.FromJson(JsonNode.Parse(o.ToJsonString())!.AsObject());
        Assert.Null(back.AucCi);
    }

    [Fact]
    public void TheConfidenceLevelSetsEveryInterval()
    {
        var (s, y) = Random(600, 4);
        var options = new EvaluationOptions(BootstrapResamples: 200, Seed: 5) { ConfidenceLevel = 0.8 };
        var m = Evaluator.Evaluate(s, y, null, options);
        var wide = Evaluator.Evaluate(s, y, null, options with { ConfidenceLevel = 0.95 });
        var dist = Bootstrap.Run(s, y, Evaluator.Alphas, 200, 5);

        Assert.Equal(0.8, m.ConfidenceLevel);
        Assert.Equal(dist.AucCi(0.8), m.AucCi);
        var t = m.TprAtFpr["0.1"];
        Assert.Equal(dist.TprCi(0, 0.8), t.BootstrapCi);
        Assert.Equal(ClopperPearson.Compute((int)Math.Round(t.Tpr * m.Members), m.Members, 0.8), t.Ci);
        // A lower level gives narrower intervals around the same estimates.
        Assert.True(m.AucCi!.Value.High - m.AucCi.Value.Low < wide.AucCi!.Value.High - wide.AucCi.Value.Low);
        Assert.True(t.Ci.High - t.Ci.Low < wide.TprAtFpr["0.1"].Ci.High - wide.TprAtFpr["0.1"].Ci.Low);
        Assert.Equal(0.8, MetricsJson.FromJson(MetricsJson.ToJson(m)).ConfidenceLevel);
        Assert.Throws<InputException>(() => Evaluator.Evaluate(s, y, null, options with { ConfidenceLevel = 1 }));
    }

    [Fact]
    public void MetricsWrittenBeforeTheLevelWasAChoiceReadAsNinetyFivePercent()
    {
        var m = Evaluator.Evaluate([3, 2, 2, 2, 1], [true, true, true, false, false], null, new EvaluationOptions(BootstrapResamples: 20));
        string text = MetricsJson.ToJson(m).ToJsonString()
            .Replace("\"auc_ci\"", "\"auc_ci95\"", StringComparison.Ordinal)
            .Replace("\"bootstrap_ci\"", "\"bootstrap_ci95\"", StringComparison.Ordinal)
            .Replace("\"ci\"", "\"ci95\"", StringComparison.Ordinal)
            .Replace(",\"confidence_level\":0.95", "", StringComparison.Ordinal);
        Assert.DoesNotContain("confidence_level", text);
        var back = MetricsJson.FromJson(JsonNode.Parse(text)!.AsObject());
        Assert.Equal(m.AucCi, back.AucCi);
        Assert.Equal(m.TprAtFpr["0.1"], back.TprAtFpr["0.1"]);
        Assert.Equal(0.95, back.ConfidenceLevel);
    }

    [Fact]
    public void MistakesAreInputExceptions()
    {
        Assert.Throws<InputException>(() => Evaluator.Evaluate([1, 2], [true], null, NoBootstrap));
        Assert.Throws<InputException>(() => Evaluator.Evaluate([1, 2], [true, false], [0], NoBootstrap));
        Assert.Throws<InputException>(() => Evaluator.Evaluate([1, 2], [false, false], null, NoBootstrap));
        Assert.Throws<InputException>(() => Evaluator.Evaluate([1, 2], [true, true], null, NoBootstrap));
        // The only non-member is unscored: nothing left to compare against.
        Assert.Throws<InputException>(() => Evaluator.Evaluate([1, double.NaN], [true, false], null, NoBootstrap));
    }

    private static (double[] Scores, bool[] IsMember) Random(int n, int seed)
    {
        var rng = new StableRandom((ulong)seed);
        var s = new double[n];
        var y = new bool[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = rng.Next(2) == 0;
            s[i] = Math.Round(rng.NextDouble() + (y[i] ? 0.4 : 0), 2);
        }
        return (s, y);
    }
}
