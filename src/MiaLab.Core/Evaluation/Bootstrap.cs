using MiaLab.Core.Randomness;

namespace MiaLab.Core.Evaluation;

/// <summary>The bootstrap replicates of AUC and of TPR at each FPR level α.</summary>
/// <param name="Auc">One AUC per resample.</param>
/// <param name="Alphas">The FPR levels, in the order of <paramref name="Tpr"/>.</param>
/// <param name="Tpr">Tpr[j][r]: the TPR at FPR ≤ Alphas[j] of resample r.</param>
public sealed record BootstrapDistribution(double[] Auc, IReadOnlyList<double> Alphas, double[][] Tpr)
{
    public Interval AucCi95 => Bootstrap.Percentile95(Auc);

    public Interval TprCi95(int alphaIndex) => Bootstrap.Percentile95(Tpr[alphaIndex]);
}

/// <summary>
/// Stratified bootstrap (ALGORITHMS.md §7): members and non-members are resampled separately
/// with replacement, so every resample keeps the original class sizes; the interval is the
/// percentile one (2.5% and 97.5%). The scores are sorted once; a resample is a vector of
/// multiplicities, and its AUC and TPRs come from one O(n) pass over the sorted order.
/// </summary>
public static class Bootstrap
{
    /// <summary>Draws <paramref name="resamples"/> stratified resamples, deterministically from
    /// <paramref name="seed"/>, and returns each one's AUC and TPR at every α.</summary>
    /// <param name="onResample">Told (done, total) as resamples finish, from any thread.</param>
    public static BootstrapDistribution Run(ReadOnlySpan<double> scores, ReadOnlySpan<bool> isMember,
        IReadOnlyList<double> alphas, int resamples, int seed, Action<int, int>? onResample = null)
    {
        if (resamples < 1) throw new InputException($"bootstrap resamples must be ≥ 1, got {resamples}");
        var sorted = new SortedSample(scores, isMember);
        double[] alphaArray = alphas.ToArray();
        foreach (double a in alphaArray)
            if (!(a > 0 && a <= 1)) throw new InputException($"FPR level alpha must be in (0, 1], got {a}");

        var auc = new double[resamples];
        var tpr = new double[alphaArray.Length][];
        for (int j = 0; j < tpr.Length; j++) tpr[j] = new double[resamples];

        // Resample r draws from its own stream (seed, "bootstrap", r), so the resamples can run on
        // every core and still give the same numbers, in the same order, as a serial loop.
        int n = scores.Length, finished = 0;
        Parallel.For(0, resamples, () => (Counts: new int[n], Tpr: new double[alphaArray.Length]), (r, _, buffers) =>
        {
            sorted.DrawCounts(StableRandom.For(seed, "bootstrap", r), buffers.Counts);
            auc[r] = sorted.Statistics(buffers.Counts, alphaArray, buffers.Tpr);
            for (int j = 0; j < buffers.Tpr.Length; j++) tpr[j][r] = buffers.Tpr[j];
            onResample?.Invoke(Interlocked.Increment(ref finished), resamples);
            return buffers;
        }, _ => { });
        return new BootstrapDistribution(auc, alphaArray, tpr);
    }

    /// <summary>The percentile 95% interval: the 2.5% and 97.5% quantiles (linear interpolation).</summary>
    public static Interval Percentile95(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new InputException("cannot take a percentile interval of no values");
        var sorted = values.ToArray();
        Array.Sort(sorted);
        return new Interval(Quantile(sorted, 0.025), Quantile(sorted, 0.975));
    }

    /// <summary>Quantile q ∈ [0, 1] of ascending values, interpolating linearly between order statistics.</summary>
    public static double Quantile(double[] ascending, double q)
    {
        double pos = q * (ascending.Length - 1);
        int lo = (int)Math.Floor(pos);
        int hi = Math.Min(lo + 1, ascending.Length - 1);
        double frac = pos - lo;
        return ascending[lo] + (frac * (ascending[hi] - ascending[lo]));
    }

    /// <summary>The scores sorted once (highest first, ties grouped), ready for weighted passes. A
    /// resample's multiplicities are kept by sorted position, so its pass reads them in order.</summary>
    internal sealed class SortedSample
    {
        private readonly bool[] memberAt;      // membership at each sorted position
        private readonly int[] groupEnd;       // exclusive end position of each tie group
        private readonly int[] memberPositions;  // sorted positions of the members
        private readonly int[] nonMemberPositions;

        public SortedSample(ReadOnlySpan<double> scores, ReadOnlySpan<bool> isMember)
        {
            Roc.Validate(scores, isMember);
            var order = Roc.SortDescending(scores);
            memberAt = new bool[order.Length];
            var ends = new List<int>();
            var m = new List<int>();
            var n = new List<int>();
            for (int k = 0; k < order.Length; k++)
            {
                memberAt[k] = isMember[order[k]];
                (memberAt[k] ? m : n).Add(k);
                if (k + 1 == order.Length || scores[order[k + 1]] != scores[order[k]]) ends.Add(k + 1);
            }
            groupEnd = ends.ToArray();
            memberPositions = m.ToArray();
            nonMemberPositions = n.ToArray();
        }

        public int Members => memberPositions.Length;
        public int NonMembers => nonMemberPositions.Length;

        /// <summary>Fills counts[k] (by sorted position) with how often that sample is drawn: Members
        /// draws among the members, then NonMembers draws among the non-members.</summary>
        public void DrawCounts(StableRandom rng, int[] counts)
        {
            Array.Clear(counts);
            int m = memberPositions.Length, n = nonMemberPositions.Length;
            for (int d = 0; d < m; d++) counts[memberPositions[rng.Next(m)]]++;
            for (int d = 0; d < n; d++) counts[nonMemberPositions[rng.Next(n)]]++;
        }

        /// <summary>AUC of the sample where the sample at sorted position k appears counts[k] times, and
        /// its TPR at FPR ≤ alphas[j] into tpr[j]. The multiplicities must sum to the class sizes.</summary>
        public double Statistics(int[] counts, double[] alphas, double[] tpr)
        {
            long m = Members, n = NonMembers;
            Array.Clear(tpr);
            double wins = 0;
            long tp = 0, nonAbove = 0;
            int k = 0;
            foreach (int end in groupEnd)
            {
                long groupMembers = 0, groupNon = 0;
                for (; k < end; k++)
                {
                    int c = counts[k];
                    if (memberAt[k]) groupMembers += c; else groupNon += c;
                }
                wins += groupMembers * ((n - nonAbove - groupNon) + (0.5 * groupNon));
                tp += groupMembers;
                nonAbove += groupNon;
                double fpr = (double)nonAbove / n;
                double tprHere = (double)tp / m;
                for (int j = 0; j < alphas.Length; j++)
                    if (fpr <= alphas[j] + Roc.Epsilon) tpr[j] = tprHere;
            }
            return wins / ((double)m * n);
        }

        /// <summary>The scores and membership of the resample with these multiplicities, materialised
        /// (for tests that check a resample against the definition).</summary>
        public (double[] Scores, bool[] IsMember) Materialise(int[] counts, ReadOnlySpan<double> scores)
        {
            var order = Roc.SortDescending(scores);
            var s = new List<double>();
            var y = new List<bool>();
            for (int k = 0; k < counts.Length; k++)
                for (int c = 0; c < counts[k]; c++) { s.Add(scores[order[k]]); y.Add(memberAt[k]); }
            return ([.. s], [.. y]);
        }
    }
}
