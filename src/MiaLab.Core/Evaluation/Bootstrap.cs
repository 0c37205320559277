using MiaLab.Core.Randomness;

namespace MiaLab.Core.Evaluation;

/// <summary>The bootstrap replicates of AUC and of TPR at each FPR level α.</summary>
/// <param name="Auc">One AUC per resample.</param>
/// <param name="Alphas">The FPR levels, in the order of <paramref name="Tpr"/>.</param>
/// <param name="Tpr">Tpr[j][r]: the TPR at FPR ≤ Alphas[j] of resample r.</param>
public sealed record BootstrapDistribution(double[] Auc, IReadOnlyList<double> Alphas, double[][] Tpr)
{
    public Interval AucCi(double level = Bootstrap.DefaultLevel) => Bootstrap.Percentile(Auc, level);

    public Interval TprCi(int alphaIndex, double level = Bootstrap.DefaultLevel) => Bootstrap.Percentile(Tpr[alphaIndex], level);
}

/// <summary>
/// Stratified bootstrap (ALGORITHMS.md §7): members and non-members are resampled separately
/// with replacement, so every resample keeps the original class sizes; the interval is the
/// percentile one (2.5% and 97.5% at the default level 0.95). The scores are sorted once; a resample is a vector of
/// multiplicities by sorted position, and its AUC and TPRs come from one O(n) pass over it in order.
/// </summary>
public static class Bootstrap
{
    public const double DefaultLevel = 0.95;

    /// <summary>Draws <paramref name="resamples"/> stratified resamples, deterministically from
    /// <paramref name="seed"/>, and returns each one's AUC and TPR at every α. The resamples run on
    /// up to <paramref name="cores"/> threads (-1 = every core); the numbers do not depend on it.</summary>
    /// <param name="onResample">Told (done, total) as resamples finish, from any thread.</param>
    public static BootstrapDistribution Run(ReadOnlySpan<double> scores, ReadOnlySpan<bool> isMember,
        IReadOnlyList<double> alphas, int resamples, int seed, int cores = -1, Action<int, int>? onResample = null)
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
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = cores };
        Parallel.For(0, resamples, parallel, () => (Counts: new int[n], Tpr: new double[alphaArray.Length]), (r, _, buffers) =>
        {
            sorted.DrawCounts(StableRandom.For(seed, "bootstrap", r), buffers.Counts);
            auc[r] = sorted.Statistics(buffers.Counts, alphaArray, buffers.Tpr);
            for (int j = 0; j < buffers.Tpr.Length; j++) tpr[j][r] = buffers.Tpr[j];
            onResample?.Invoke(Interlocked.Increment(ref finished), resamples);
            return buffers;
        }, _ => { });
        return new BootstrapDistribution(auc, alphaArray, tpr);
    }

    /// <summary>The percentile interval at <paramref name="level"/>: the (1−level)/2 and (1+level)/2
    /// quantiles (linear interpolation); 2.5% and 97.5% at 0.95.</summary>
    public static Interval Percentile(IReadOnlyList<double> values, double level = DefaultLevel)
    {
        if (values.Count == 0) throw new InputException("cannot take a percentile interval of no values");
        if (!(level > 0 && level < 1)) throw new InputException($"confidence level must be in (0, 1), got {level}");
        var sorted = values.ToArray();
        Array.Sort(sorted);
        // In decimal so that 0.95 gives exactly the quantiles 0.025 and 0.975.
        decimal l = (decimal)level;
        return new Interval(Quantile(sorted, (double)((1 - l) / 2)), Quantile(sorted, (double)((1 + l) / 2)));
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

    /// <summary>The scores sorted once (highest first, ties grouped), ready for weighted passes.</summary>
    internal sealed class SortedSample
    {
        private readonly int[] order;          // original index at each sorted position
        private readonly bool[] memberAt;      // membership at each sorted position
        private readonly int[] groupEnd;       // exclusive end position of each tie group
        private readonly int[] memberPositions;  // sorted positions of the members, in original order
        private readonly int[] nonMemberPositions;

        public SortedSample(ReadOnlySpan<double> scores, ReadOnlySpan<bool> isMember)
        {
            Roc.Validate(scores, isMember);
            order = Roc.SortDescending(scores);
            memberAt = new bool[order.Length];
            var ends = new List<int>();
            for (int k = 0; k < order.Length; k++)
            {
                memberAt[k] = isMember[order[k]];
                if (k + 1 == order.Length || scores[order[k + 1]] != scores[order[k]]) ends.Add(k + 1);
            }
            groupEnd = ends.ToArray();
            // The j-th member (non-member) in original order, by its sorted position: a draw of j
            // lands where the statistics pass reads it, in order.
            var position = new int[order.Length];
            for (int k = 0; k < order.Length; k++) position[order[k]] = k;
            var m = new List<int>();
            var n = new List<int>();
            for (int i = 0; i < isMember.Length; i++) (isMember[i] ? m : n).Add(position[i]);
            memberPositions = m.ToArray();
            nonMemberPositions = n.ToArray();
        }

        public int Members => memberPositions.Length;
        public int NonMembers => nonMemberPositions.Length;

        /// <summary>The original index of the sample at a sorted position.</summary>
        public int OriginalIndex(int position) => order[position];

        /// <summary>Fills counts[k] (by sorted position) with how often the sample there is drawn:
        /// Members draws among the members (the j-th member in original order for a draw of j),
        /// then NonMembers draws among the non-members.</summary>
        public void DrawCounts(StableRandom rng, int[] counts)
        {
            Array.Clear(counts);
            int m = memberPositions.Length, n = nonMemberPositions.Length;
            for (int d = 0; d < m; d++) counts[memberPositions[rng.Next(m)]]++;
            for (int d = 0; d < n; d++) counts[nonMemberPositions[rng.Next(n)]]++;
        }

        /// <summary>AUC of the sample where the sample at sorted position k appears counts[k] times,
        /// and its TPR at FPR ≤ alphas[j] into tpr[j]. The multiplicities must sum to the class sizes.</summary>
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
    }
}
