using MathNet.Numerics.Distributions;

namespace MiaLab.Core.Privacy;

/// <summary>One abstention level of the audit: r guesses, v of them right, and the ε̂ they give.</summary>
public sealed record AuditGuesses(int Guesses, int Correct, double Epsilon);

/// <summary>The audit's result: the best level's ε̂ (already corrected for trying several levels).</summary>
public sealed record OneRunAuditResult(int Canaries, int Included, double Epsilon, AuditGuesses Best, IReadOnlyList<AuditGuesses> Levels,
    double Confidence, double Delta);

/// <summary>
/// Privacy auditing with one training run (Steinke, Nasr, Jagielski, NeurIPS 2023; ALGORITHMS.md §13).
/// m canaries, each in the training set with probability ½; the auditor guesses "in" for the k
/// highest scores and "out" for the k lowest. Under (ε, δ)-DP the number of correct guesses v among
/// r is dominated by Binomial(r, e^ε/(1 + e^ε)) plus their δ term 2mδ·max_i P[v − i ≤ B &lt; v]/i
/// (their Theorem 3.3 as their appendix code computes it); ε̂ is the largest ε whose p-value is below
/// 1 − confidence. Several abstention levels are tried; the confidence is split among them
/// (Bonferroni), so the best level's ε̂ is still a 95% lower bound.
/// </summary>
public static class OneRunAudit
{
    /// <summary>Guesses per side, as fractions of m.</summary>
    public static readonly IReadOnlyList<double> GuessFractions = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5];

    public static OneRunAuditResult Run(ReadOnlySpan<double> scores, ReadOnlySpan<bool> included, double delta = 0, double confidence = 0.95)
    {
        if (scores.Length != included.Length) throw new ArgumentException("one score per canary");
        int m = scores.Length;
        if (m < 2) throw new InputException($"the one-run audit needs at least 2 canaries (got {m})");
        for (int i = 0; i < m; i++)
            if (double.IsNaN(scores[i])) throw new InputException("the one-run audit: a canary's score is NaN");
        var order = Enumerable.Range(0, m).ToArray();
        var keys = scores.ToArray();
        Array.Sort(keys, order); // ascending
        var sizes = GuessFractions.Select(f => Math.Max(1, (int)(f * m))).Where(k => 2 * k <= m).Distinct().ToList();
        double level = (1 - confidence) / sizes.Count;
        var levels = new List<AuditGuesses>();
        foreach (int k in sizes)
        {
            int correct = 0;
            for (int j = 0; j < k; j++)
            {
                if (included[order[m - 1 - j]]) correct++; // guessed in
                if (!included[order[j]]) correct++;        // guessed out
            }
            levels.Add(new AuditGuesses(2 * k, correct, EpsilonLowerBound(m, 2 * k, correct, delta, level)));
        }
        var best = levels.MaxBy(l => l.Epsilon)!;
        int inCount = 0;
        foreach (bool b in included) if (b) inCount++;
        return new OneRunAuditResult(m, inCount, best.Epsilon, best, levels, confidence, delta);
    }

    /// <summary>P[at least v of r guesses correct] under (ε, δ)-DP with m canaries.</summary>
    public static double PValue(int m, int r, int v, double epsilon, double delta)
    {
        if (!(0 <= v && v <= r && r <= m)) throw new ArgumentException("need 0 ≤ v ≤ r ≤ m");
        double q = 1 / (1 + Math.Exp(-epsilon));
        double beta = v == 0 ? 1 : 1 - Binomial.CDF(q, r, v - 1);
        double alpha = 0, sum = 0;
        if (delta > 0)
            for (int i = 1; i <= v; i++)
            {
                sum += Binomial.PMF(q, r, v - i);
                if (sum > i * alpha) alpha = sum / i;
            }
        return Math.Min(1, beta + alpha * delta * 2 * m);
    }

    /// <summary>The largest ε whose p-value stays below <paramref name="level"/> (0 when even ε = 0 is not rejected).</summary>
    public static double EpsilonLowerBound(int m, int r, int v, double delta, double level)
    {
        if (PValue(m, r, v, 0, delta) >= level) return 0;
        double low = 0, high = 1;
        while (PValue(m, r, v, high, delta) < level)
        {
            low = high;
            high *= 2;
            if (high > 1e3) return low;
        }
        for (int i = 0; i < 50; i++)
        {
            double mid = (low + high) / 2;
            if (PValue(m, r, v, mid, delta) < level) low = mid; else high = mid;
        }
        return low;
    }
}
