namespace MiaLab.Core.Translation;

/// <summary>
/// Which samples' outputs the query stage keeps for the report: for each of the two scores the
/// report can rank by (−L_rec, and −(L_rec − L_pred) when L_pred is known), the members that score
/// highest (most exposed) and the non-members that score lowest (most confidently rejected).
/// Holdout samples are never candidates.
/// </summary>
public static class Gallery
{
    public const int PerGroup = 6;

    /// <param name="recon">L_rec of each sample under the identity query.</param>
    /// <param name="predictability">L_pred of each sample, or null.</param>
    public static int[] Select(IReadOnlyList<double> recon, IReadOnlyList<double>? predictability, bool[] keep, bool[]? holdout, int perGroup = PerGroup)
    {
        var chosen = new SortedSet<int>();
        var scores = new List<Func<int, double>> { i => -recon[i] };
        if (predictability is not null) scores.Add(i => -(recon[i] - predictability[i]));
        foreach (var score in scores)
        {
            chosen.UnionWith(Top(score, keep.Length, i => keep[i] && holdout?[i] != true, descending: true, perGroup));
            chosen.UnionWith(Top(score, keep.Length, i => !keep[i] && holdout?[i] != true, descending: false, perGroup));
        }
        return [.. chosen];
    }

    /// <summary>The <paramref name="count"/> samples of a group that a score ranks first (ties by index).</summary>
    public static IEnumerable<int> Top(Func<int, double> score, int n, Func<int, bool> inGroup, bool descending, int count)
    {
        var group = Enumerable.Range(0, n).Where(inGroup).Where(i => !double.IsNaN(score(i)));
        var ordered = descending ? group.OrderByDescending(score) : group.OrderBy(score);
        return ordered.ThenBy(i => i).Take(count);
    }
}
