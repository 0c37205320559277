namespace MiaLab.Reports;

/// <summary>Groups attacks by family for the ROC panels. An attack's family is its
/// <see cref="AttackReport.Family"/>; until the report stage fills that from the attack registry, an
/// empty family is inferred from the attack's name. The family names are the registry's.</summary>
public static class AttackFamilies
{
    public const string Metric = "metric";
    public const string LabelOnly = "label-only";
    public const string Shadow = "shadow";
    public const string Lira = "lira";
    public const string Rmia = "rmia";
    public const string Other = "other";

    /// <summary>The order of the family panels: from the simplest attacks to the reference-model ones.
    /// Families not listed follow, in the order of their strongest attack.</summary>
    public static IReadOnlyList<string> Order { get; } = [Metric, LabelOnly, Shadow, Lira, Rmia];

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

    private static readonly string[] MetricNames = ["loss", "confidence", "entropy", "modified-entropy", "correctness"];

    /// <summary>The family of <paramref name="attack"/>: its own when given, else the one its name implies.</summary>
    public static string Of(AttackReport attack)
    {
        ArgumentNullException.ThrowIfNull(attack);
        return string.IsNullOrWhiteSpace(attack.Family) ? FromName(attack.Name) : attack.Family.Trim();
    }

    /// <summary>The family an attack's name implies: the metric attacks by name, the others by prefix
    /// (label-only-*, shadow-*, lira-*, rmia-*); <see cref="Other"/> for any other name.</summary>
    public static string FromName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (MetricNames.Contains(name, StringComparer.Ordinal)) return Metric;
        if (name.StartsWith("label-only", StringComparison.Ordinal)) return LabelOnly;
        if (name.StartsWith("shadow-", StringComparison.Ordinal)) return Shadow;
        if (name.StartsWith("lira-", StringComparison.Ordinal)) return Lira;
        if (name.StartsWith("rmia-", StringComparison.Ordinal)) return Rmia;
        return Other;
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
