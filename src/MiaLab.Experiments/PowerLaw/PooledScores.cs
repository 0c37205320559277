using MiaLab.Core.Evaluation;

namespace MiaLab.Experiments.PowerLaw;

/// <summary>
/// One attack's scores against several targets pooled into one list of (target, sample) pairs, as the
/// LiRA paper evaluates: pair k is sample Samples[k] scored against target Targets[k] (an index into the
/// attacked targets), a member when that target trained on it. Unscored (NaN) pairs are left out.
/// </summary>
public sealed class PooledScores
{
    private PooledScores(double[] scores, bool[] members, int[] samples, int[] targets)
    {
        Scores = scores;
        Members = members;
        Samples = samples;
        Targets = targets;
    }

    public double[] Scores { get; }
    public bool[] Members { get; }
    public int[] Samples { get; }
    public int[] Targets { get; }
    public int Count => Scores.Length;

    /// <param name="targets">The attacked models; scores[j] are the scores [N] against targets[j].</param>
    /// <param name="keep">keep[m][i]: model m trained on sample i.</param>
    public static PooledScores From(IReadOnlyList<int> targets, IReadOnlyList<double[]> scores, bool[][] keep)
    {
        if (targets.Count != scores.Count) throw new ArgumentException("need one score array per target");
        var s = new List<double>();
        var member = new List<bool>();
        var sample = new List<int>();
        var target = new List<int>();
        for (int j = 0; j < targets.Count; j++)
            for (int i = 0; i < scores[j].Length; i++)
            {
                if (double.IsNaN(scores[j][i])) continue;
                s.Add(scores[j][i]);
                member.Add(keep[targets[j]][i]);
                sample.Add(i);
                target.Add(j);
            }
        return new PooledScores(s.ToArray(), member.ToArray(), sample.ToArray(), target.ToArray());
    }

    /// <summary>The pairs for which <paramref name="keepPair"/>(target index, sample) holds.</summary>
    public PooledScores Where(Func<int, int, bool> keepPair)
    {
        var chosen = Enumerable.Range(0, Count).Where(k => keepPair(Targets[k], Samples[k])).ToArray();
        return new PooledScores(chosen.Select(k => Scores[k]).ToArray(), chosen.Select(k => Members[k]).ToArray(),
            chosen.Select(k => Samples[k]).ToArray(), chosen.Select(k => Targets[k]).ToArray());
    }

    /// <summary>These pairs followed by <paramref name="other"/>'s.</summary>
    public PooledScores Concat(PooledScores other) =>
        new([.. Scores, .. other.Scores], [.. Members, .. other.Members], [.. Samples, .. other.Samples], [.. Targets, .. other.Targets]);

    public bool HasBothClasses => Members.Contains(true) && Members.Contains(false);

    /// <summary>The pooled ROC (Core's one definition).</summary>
    public RocCurve Roc() => Core.Evaluation.Roc.Compute(Scores, Members);
}
