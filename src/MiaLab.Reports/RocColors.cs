using ScottPlot;

namespace MiaLab.Reports;

/// <summary>One colour per attack, the same in the main ROC panel, in its family's panel and in the
/// table's colour key. The strongest attacks (the main panel's) get the first colours, each its own;
/// the others get, within their family's panel, a colour no other curve of that panel has, preferring
/// colours no highlighted attack uses.</summary>
internal static class RocColors
{
    /// <summary>ScottPlot's Category10 without its grey, which is the chance line's colour.</summary>
    public static IReadOnlyList<Color> Palette { get; } = Enumerable.Range(0, 10)
        .Where(i => i != 7)
        .Select(new ScottPlot.Palettes.Category10().GetColor)
        .ToList();

    /// <summary>Colours for <paramref name="ranked"/> (strongest first) whose first
    /// <paramref name="highlighted"/> attacks are drawn in the main panel.</summary>
    public static IReadOnlyDictionary<AttackReport, Color> Assign(IReadOnlyList<AttackReport> ranked, int highlighted)
    {
        ArgumentNullException.ThrowIfNull(ranked);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(highlighted, Palette.Count);
        var colors = new Dictionary<AttackReport, Color>(ReferenceEqualityComparer.Instance);
        int top = Math.Min(highlighted, ranked.Count);
        for (int i = 0; i < top; i++)
        {
            colors[ranked[i]] = Palette[i];
        }
        var reserved = Palette.Take(top).ToHashSet();
        foreach ((_, IReadOnlyList<AttackReport> members) in AttackFamilies.Group(ranked))
        {
            var used = members.Where(colors.ContainsKey).Select(a => colors[a]).ToHashSet();
            int overflow = 0;
            foreach (AttackReport attack in members.Where(a => !colors.ContainsKey(a)))
            {
                int pick = FirstFree(c => !used.Contains(c) && !reserved.Contains(c));
                if (pick < 0) pick = FirstFree(c => !used.Contains(c));
                if (pick < 0) pick = overflow++ % Palette.Count; // more curves in one panel than colours
                colors[attack] = Palette[pick];
                used.Add(Palette[pick]);
            }
        }
        return colors;
    }

    private static int FirstFree(Func<Color, bool> free)
    {
        for (int i = 0; i < Palette.Count; i++)
        {
            if (free(Palette[i])) return i;
        }
        return -1;
    }
}
