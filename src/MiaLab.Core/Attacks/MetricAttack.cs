using MiaLab.Core.Randomness;
using MiaLab.Core.Signals;

namespace MiaLab.Core.Attacks;

/// <summary>
/// Metric (threshold) attacks, ALGORITHMS.md §2: the score is one signal of the target model on the
/// identity query (a = 0), turned so that higher = member. With correctness this is the label-only
/// gap attack of §6.
/// <para>Challenge protocol, reported in Extras: the target's scored samples are split (seeded,
/// stratified by membership; the eval split gets ⌊f·n⌋ of the members and of the non-members,
/// f = eval split, ½ by default) into an eval and a test split. "threshold" maximises accuracy on eval
/// (<see cref="ThresholdSelection.MaxAccuracy"/>); "eval_accuracy" and "test_accuracy" apply it.
/// Class-dependent thresholds maximise ½(TPR + TNR) per class on eval; "class_eval_accuracy" and
/// "class_test_accuracy" are the overall accuracies of that rule (a class absent from eval uses
/// the global threshold). With fewer than 2 scored samples these keys are absent.</para>
/// </summary>
public static class MetricAttack
{
    public const string GapName = "label-only-gap";

    public const double DefaultEvalSplit = 0.5;

    public static AttackResult Run(ModelOutputs o, int target, SignalKind kind, int seed) =>
        Run(o, target, kind, seed, Signal.Name(kind));

    /// <summary>The same attack reported under another name (e.g. <see cref="GapName"/> for correctness),
    /// with the share <paramref name="evalSplit"/> ∈ (0, 1) of samples that chooses the thresholds.</summary>
    public static AttackResult Run(ModelOutputs o, int target, SignalKind kind, int seed, string name, double evalSplit = DefaultEvalSplit)
    {
        if (!(evalSplit > 0 && evalSplit < 1)) throw new InputException($"metric eval split must be in (0, 1), got {evalSplit}");
        AttackChecks.Target(o, target);
        AttackChecks.CheckLabels(o);
        int n = o.Samples;
        var scores = new double[n];
        var unscored = AttackChecks.HoldoutIndices(o);
        for (int i = 0; i < n; i++)
            scores[i] = o.Holdout[i]
                ? double.NaN
                : Signal.ToMemberScore(kind, Signal.FromLogits(kind, o.LogitsOf(target, i, 0), o.Labels[i]));

        var extras = new Dictionary<string, double>();
        var (eval, test) = Split(o, target, seed, evalSplit);
        if (eval.Length > 0 && test.Length > 0)
        {
            var (es, em, el) = Gather(o, target, scores, eval);
            var (ts, tm, tl) = Gather(o, target, scores, test);
            var global = ThresholdSelection.MaxAccuracy(es, em);
            var perClass = ThresholdSelection.PerClass(es, em, el);
            extras["threshold"] = global.Tau;
            extras["eval_accuracy"] = global.Objective;
            extras["test_accuracy"] = ThresholdSelection.Accuracy(ts, tm, global.Tau);
            extras["class_eval_accuracy"] = ThresholdSelection.Accuracy(es, em, el, perClass, global.Tau);
            extras["class_test_accuracy"] = ThresholdSelection.Accuracy(ts, tm, tl, perClass, global.Tau);
            extras["eval_samples"] = eval.Length;
            extras["test_samples"] = test.Length;
        }
        return new AttackResult(name, scores, unscored, extras);
    }

    /// <summary>The seeded stratified split of the target's non-holdout samples (sorted indices):
    /// ⌊evalSplit · count⌋ of each membership group go to eval.</summary>
    internal static (int[] Eval, int[] Test) Split(ModelOutputs o, int target, int seed, double evalSplit = DefaultEvalSplit)
    {
        var members = new List<int>();
        var nonMembers = new List<int>();
        for (int i = 0; i < o.Samples; i++)
        {
            if (o.Holdout[i]) continue;
            (o.Keep[target][i] ? members : nonMembers).Add(i);
        }
        var rng = StableRandom.For(seed, "threshold-split", target);
        var eval = new List<int>();
        var test = new List<int>();
        foreach (var group in new[] { members, nonMembers })
        {
            rng.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(group));
            int cut = (int)Math.Floor(evalSplit * group.Count);
            for (int k = 0; k < group.Count; k++) (k < cut ? eval : test).Add(group[k]);
        }
        eval.Sort();
        test.Sort();
        return ([.. eval], [.. test]);
    }

    private static (double[] Scores, bool[] Members, long[] Labels) Gather(ModelOutputs o, int target, double[] scores, int[] idx)
    {
        var s = new double[idx.Length];
        var m = new bool[idx.Length];
        var l = new long[idx.Length];
        for (int k = 0; k < idx.Length; k++)
        {
            s[k] = scores[idx[k]];
            m[k] = o.Keep[target][idx[k]];
            l[k] = o.Labels[idx[k]];
        }
        return (s, m, l);
    }
}
