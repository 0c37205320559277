using MiaLab.Core.Evaluation;
using MiaLab.Core.Randomness;

namespace MiaLab.Experiments.PowerLaw;

/// <summary>
/// Bootstrap over samples of TPR − FPR at FPR levels: a resample draws as many samples as the pairs
/// cover, with replacement, and every pair of a drawn sample counts once per draw, so a sample's scores
/// against all targets move together (they share the sample; resampling pairs alone would understate
/// the spread). The pairs are sorted once; a resample is one weighted pass over them that reads each
/// level at the ROC point <see cref="Roc.PointAt"/> would choose (highest TPR with FPR ≤ α, the last
/// such point). Resample r draws from its own stream, so the resamples run in parallel and repeat exactly.
/// </summary>
public sealed class SampleBootstrap
{
    private readonly int[] _clusterAt;  // dense sample id of each sorted pair
    private readonly bool[] _memberAt;
    private readonly int[] _groupEnd;   // exclusive end of each tie group in sorted order
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
        for (int k = 0; k < _clusterAt.Length; k++)
            if (_memberAt[k]) members += weights[_clusterAt[k]]; else nonMembers += weights[_clusterAt[k]];
        if (members == 0 || nonMembers == 0)
        {
            Array.Fill(values, double.NaN);
            return;
        }
        Span<double> bestTpr = stackalloc double[alphas.Count];
        Span<double> bestFpr = stackalloc double[alphas.Count];
        long tp = 0, fp = 0;
        int at = 0;
        foreach (int end in _groupEnd)
        {
            for (; at < end; at++)
                if (_memberAt[at]) tp += weights[_clusterAt[at]]; else fp += weights[_clusterAt[at]];
            double tpr = (double)tp / members, fpr = (double)fp / nonMembers;
            for (int j = 0; j < alphas.Count; j++)
                if (fpr <= alphas[j] + Roc.Epsilon && tpr >= bestTpr[j]) { bestTpr[j] = tpr; bestFpr[j] = fpr; }
        }
        for (int j = 0; j < alphas.Count; j++) values[j] = bestTpr[j] - bestFpr[j];
    }
}
