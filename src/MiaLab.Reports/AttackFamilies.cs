using MiaLab.Core.Attacks;

namespace MiaLab.Reports;

/// <summary>Groups attacks by family for the ROC panels. An attack's family is its
/// <see cref="AttackReport.Family"/>, which the report stage fills from the attack registry; an empty
/// one is looked up there by name.</summary>
public static class AttackFamilies
{
    public const string Metric = AttackRegistry.Metric;
    public const string LabelOnly = AttackRegistry.LabelOnlyFamily;
    public const string Shadow = AttackRegistry.ShadowFamily;
    public const string Lira = AttackRegistry.LiraFamily;
    public const string Rmia = AttackRegistry.RmiaFamily;

    /// <summary>The order of the family panels: the registry's. Families not listed follow, in the
    /// order of their strongest attack.</summary>
    public static IReadOnlyList<string> Order => AttackRegistry.Families;

    /// <summary>How a family is named on the page: "metric thresholds", "LiRA"; a family this list does
    /// not know is shown as given.</summary>
    public static string Title(string family) => family.ToLowerInvariant() switch
    {
        Metric => "metric thresholds",
        LabelOnly => "label-only",
        Shadow => "shadow models",
        Lira => "LiRA",
        Rmia => "RMIA",
        _ => family,
    };

    /// <summary>The family of <paramref name="attack"/>: its own when given, else the registry's.</summary>
    public static string Of(AttackReport attack)
    {
        ArgumentNullException.ThrowIfNull(attack);
        return string.IsNullOrWhiteSpace(attack.Family) ? AttackRegistry.FamilyOf(attack.Name) : attack.Family.Trim();
    }

    /// <summary>The attacks grouped by family: the families in <see cref="Order"/> first (compared
    /// without case), the others after in the order they first occur; within a family, the attacks keep
    /// the order given (strongest first when <paramref name="ranked"/> is ranked). Every attack is in
    /// exactly one group.</summary>
    public static IReadOnlyList<(string Family, IReadOnlyList<AttackReport> Attacks)> Group(IReadOnlyList<AttackReport> ranked)
    {
        ArgumentNullException.ThrowIfNull(ranked);
        var groups = ranked
            .Select((attack, rank) => (attack, rank, family: Of(attack)))
            .GroupBy(x => x.family, StringComparer.OrdinalIgnoreCase)
            .Select(g => (Family: g.First().family, Attacks: (IReadOnlyList<AttackReport>)g.Select(x => x.attack).ToList(), First: g.Min(x => x.rank)))
            .ToList();
        int Position(string family)
        {
            int i = Order.ToList().FindIndex(o => string.Equals(o, family, StringComparison.OrdinalIgnoreCase));
            return i < 0 ? int.MaxValue : i;
        }
        return groups.OrderBy(g => Position(g.Family)).ThenBy(g => g.First).Select(g => (g.Family, g.Attacks)).ToList();
    }
}
