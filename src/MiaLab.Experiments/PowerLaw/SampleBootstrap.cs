using MiaLab.Core.Evaluation;
using MiaLab.Core.Randomness;

namespace MiaLab.Experiments.PowerLaw;

/// <summary>
/// Bootstrap over samples of TPR − FPR at FPR levels: a resample draws as many samples as the pairs
/// cover, with replacement, and every pair of a drawn sample counts once per draw, so a sample's scores
/// against all targets move together (they share the sample; resampling pairs alone would understate
/// the spread). The pairs are sorted once. Along the sorted order TPR never falls, so the ROC point
/// <see cref="Roc.PointAt"/> chooses (highest TPR with FPR ≤ α, the last such point) is the last group
/// end with FPR ≤ α: a resample's pass stops once the FPR passes the highest level, and its member and
/// non-member totals come from each sample's counts. Resample r draws from its own stream, so the
/// resamples run in parallel and repeat exactly.
/// </summary>
public sealed class SampleBootstrap
{
    private readonly int[] _clusterAt;  // dense sample id of each sorted pair
    private readonly bool[] _memberAt;
    private readonly int[] _groupEnd;   // exclusive end of each tie group in sorted order
    private readonly int[] _inPairs, _outPairs; // per sample, its member and non-member pairs
    private readonly int _clusters;

    public SampleBootstrap(PooledScores pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var order = Enumerable.Range(0, pairs.Count).ToArray();
        var keys = pairs.Scores.Select(s => -s).ToArray();
        Array.Sort(keys, order);
        var dense = new Dictionary<int, int>();
        _clusterAt = new int[order.Length];
        _memberAt = new bool[order.Length];
        var ends = new List<int>();
        for (int k = 0; k < order.Length; k++)
        {
            int sample = pairs.Samples[order[k]];
            if (!dense.TryGetValue(sample, out int id)) dense[sample] = id = dense.Count;
            _clusterAt[k] = id;
            _memberAt[k] = pairs.Members[order[k]];
            if (k + 1 == order.Length || keys[k + 1] != keys[k]) ends.Add(k + 1);
        }
        _groupEnd = ends.ToArray();
        _clusters = dense.Count;
        _inPairs = new int[_clusters];
        _outPairs = new int[_clusters];
        for (int k = 0; k < order.Length; k++)
            if (_memberAt[k]) _inPairs[_clusterAt[k]]++; else _outPairs[_clusterAt[k]]++;
    }

    /// <summary>Replicates[j][r]: TPR − FPR at FPR ≤ alphas[j] in resample r (NaN when the resample has
    /// no member or no non-member).</summary>
    public double[][] Replicates(IReadOnlyList<double> alphas, int resamples, int seed)
    {
        var result = alphas.Select(_ => new double[resamples]).ToArray();
        if (_clusters == 0)
        {
            foreach (var row in result) Array.Fill(row, double.NaN);
            return result;
        }
        Parallel.For(0, resamples, () => (Weights: new int[_clusters], Values: new double[alphas.Count]), (r, _, buffers) =>
        {
            var random = StableRandom.For(seed, "power-law-sample-bootstrap", r);
            Array.Clear(buffers.Weights);
            for (int d = 0; d < _clusters; d++) buffers.Weights[random.Next(_clusters)]++;
            Advantages(buffers.Weights, alphas, buffers.Values);
            for (int j = 0; j < alphas.Count; j++) result[j][r] = buffers.Values[j];
            return buffers;
        }, _ => { });
        return result;
    }

    /// <summary>TPR − FPR at each level when sample (cluster) c counts weights[c] times.</summary>
    public void Advantages(int[] weights, IReadOnlyList<double> alphas, double[] values)
    {
        long members = 0, nonMembers = 0;
        for (int c = 0; c < _clusters; c++)
        {
            members += (long)weights[c] * _inPairs[c];
            nonMembers += (long)weights[c] * _outPairs[c];
        }
        if (members == 0 || nonMembers == 0)
        {
            Array.Fill(values, double.NaN);
            return;
        }
        // Per level, the most false positives FPR ≤ α admits (with Roc's tolerance), then one pass in
        // order of the levels' limits: each level keeps the last group end within its limit.
        var limits = alphas.Select(a => (long)Math.Floor((a + Roc.Epsilon) * nonMembers)).ToArray();
        var byLimit = Enumerable.Range(0, alphas.Count).OrderBy(j => limits[j]).ToArray();
        long tp = 0, fp = 0;
        int at = 0, next = 0;
        foreach (int end in _groupEnd)
        {
            long groupTp = 0, groupFp = 0;
            for (; at < end; at++)
                if (_memberAt[at]) groupTp += weights[_clusterAt[at]]; else groupFp += weights[_clusterAt[at]];
            while (next < byLimit.Length && fp + groupFp > limits[byLimit[next]])
                Set(byLimit[next++], tp, fp);
            if (next == byLimit.Length) return;
            tp += groupTp;
            fp += groupFp;
        }
        while (next < byLimit.Length) Set(byLimit[next++], tp, fp);

        void Set(int j, long truePositives, long falsePositives) =>
            values[j] = (double)truePositives / members - (double)falsePositives / nonMembers;
    }
}
