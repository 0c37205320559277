using MiaLab.Core.Attacks.Shadow;
using MiaLab.Core.Signals;

namespace MiaLab.Core.Attacks;

/// <summary>
/// Every attack MiaLab runs, in one list that the attack stage, the CLI's help, the report and the
/// docs all read. To add an attack: write its scoring function in its own file under Attacks/, add
/// one entry here, and pin its score direction with a test.
/// </summary>
public static class AttackRegistry
{
    public const string Metric = "metric";
    public const string LabelOnlyFamily = "label-only";
    public const string ShadowFamily = "shadow";
    public const string LiraFamily = "lira";
    public const string RmiaFamily = "rmia";

    /// <summary>The families in the order the report shows them.</summary>
    public static IReadOnlyList<string> Families { get; } = [Metric, LabelOnlyFamily, ShadowFamily, LiraFamily, RmiaFamily, ReconstructionAttacks.Family];

    private static readonly AttackNeeds Alone = new();

    public static IReadOnlyList<AttackDefinition> All { get; } =
    [
        MetricEntry("loss", SignalKind.Loss, "Threshold on the target's loss (low loss = member).", byDefault: true),
        MetricEntry("confidence", SignalKind.Confidence, "Threshold on the probability of the true class.", byDefault: true),
        MetricEntry("entropy", SignalKind.Entropy, "Threshold on the prediction's entropy (low = member).", byDefault: true),
        MetricEntry("modified-entropy", SignalKind.ModifiedEntropy, "Song & Mittal's modified entropy, which also uses the label.", byDefault: true),
        MetricEntry("correctness", SignalKind.Correctness, "Member iff the prediction is correct (the gap attack under its metric name).", byDefault: false),
        new(MetricAttack.GapName, LabelOnlyFamily, "Label-only: member iff the prediction is correct.", Alone, true,
            P(("signal", "correctness")), c => MetricAttack.Run(c.Outputs, c.Target, SignalKind.Correctness, c.Seed, MetricAttack.GapName)),
        new(LabelOnly.AugmentationName, LabelOnlyFamily, "Label-only: how many query augmentations are classified correctly.",
            new AttackNeeds(Queries: 2), true, P(("signal", "correct queries")), c => LabelOnly.AugmentationRobustness(c.Outputs, c.Target)),
        ShadowEntry("shadow-logistic", "logistic", perClass: false, "Shokri et al.: logistic regression on sorted probabilities, trained on reference models.", true),
        ShadowEntry("shadow-mlp", "mlp", perClass: false, "Shokri et al.: a small MLP on sorted probabilities, trained on reference models.", true),
        ShadowEntry("shadow-logistic-per-class", "logistic", perClass: true, "Shokri et al.: one logistic regression per class.", false),
        ShadowEntry("shadow-mlp-per-class", "mlp", perClass: true, "Shokri et al.: one small MLP per class.", false),
        LiraEntry(online: true, new LiraOptions(), "LiRA: likelihood ratio of Gaussians fitted to IN and OUT reference models (per-sample variance).", true),
        LiraEntry(online: true, new LiraOptions(FixedVariance: true), "LiRA with one global variance (the paper's choice for few references).", true),
        LiraEntry(online: false, new LiraOptions(), "LiRA offline: how far the target's confidence sits above the OUT references.", true),
        LiraEntry(online: false, new LiraOptions(FixedVariance: true), "LiRA offline with one global variance.", true),
        LiraEntry(online: false, new LiraOptions(TwoSidedOffline: true), "LiRA offline, two-sided test (as the published code).", false),
        LiraEntry(online: false, new LiraOptions(FixedVariance: true, TwoSidedOffline: true), "LiRA offline, two-sided test, global variance.", false),
        RmiaEntry("rmia-online", new RmiaOptions(Online: true), "RMIA: likelihood ratio against a population, references IN and OUT.", true),
        RmiaEntry("rmia-offline", new RmiaOptions(Online: false), "RMIA offline: likelihood ratio against a population, OUT references only.", true),
        .. ReconstructionAttacks.Entries,
    ];

    /// <summary>The attacks that run when none are named, in registry order.</summary>
    public static IReadOnlyList<string> DefaultNames { get; } = All.Where(a => a.RunsByDefault).Select(a => a.Name).ToList();

    public static IReadOnlyList<string> Names { get; } = All.Select(a => a.Name).ToList();

    /// <summary>The attacks that read <paramref name="input"/>, in registry order.</summary>
    public static IReadOnlyList<string> NamesFor(AttackInput input) => All.Where(a => a.Needs.Input == input).Select(a => a.Name).ToList();

    public static bool Contains(string name) => All.Any(a => a.Name == name);

    /// <summary>The named attack; an unknown name is an <see cref="InputException"/> listing the valid ones.</summary>
    public static AttackDefinition Get(string name) =>
        All.FirstOrDefault(a => a.Name == name)
        ?? throw new InputException($"unknown attack '{name}'; valid attacks: {string.Join(", ", Names)}");

    /// <summary>The named attacks (each checked), or the defaults when <paramref name="names"/> is null.
    /// An explicitly empty list or a repeated name is an error.</summary>
    public static IReadOnlyList<AttackDefinition> Resolve(IReadOnlyList<string>? names)
    {
        if (names is null) return All.Where(a => a.RunsByDefault).ToList();
        if (names.Count == 0) throw new InputException($"the attack list is empty; name at least one of: {string.Join(", ", Names)}");
        var duplicate = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InputException($"attack '{duplicate.Key}' is listed twice");
        return names.Select(Get).ToList();
    }

    /// <summary>The one-line description of an attack (its name when the registry does not know it).</summary>
    public static string Describe(string name) => All.FirstOrDefault(a => a.Name == name)?.Description ?? name;

    /// <summary>The family of an attack ("other" when the registry does not know it).</summary>
    public static string FamilyOf(string name) => All.FirstOrDefault(a => a.Name == name)?.Family ?? "other";

    private static AttackDefinition MetricEntry(string name, SignalKind kind, string description, bool byDefault) =>
        new(name, Metric, description, Alone, byDefault, P(("signal", Signal.Name(kind))), c => MetricAttack.Run(c.Outputs, c.Target, kind, c.Seed));

    private static AttackDefinition ShadowEntry(string name, string classifier, bool perClass, string description, bool byDefault) =>
        new(name, ShadowFamily, description, new AttackNeeds(References: 1), byDefault,
            P(("classifier", classifier), ("per_class", perClass ? "true" : "false")),
            c => ShadowAttack.Run(c.Outputs, c.Target, c.References, new ShadowOptions(classifier, perClass, Seed: c.Seed)) with { Name = name });

    private static AttackDefinition LiraEntry(bool online, LiraOptions options, string description, bool byDefault) =>
        new(Lira.Name(online, options), LiraFamily, description, new AttackNeeds(References: 2), byDefault,
            P(("signal", "stable-logit"), ("variance", options.FixedVariance ? "global" : "per-sample"),
              ("offline_test", options.TwoSidedOffline ? "two-sided" : "one-sided")),
            c => online ? Lira.Online(c.Outputs, c.Target, c.References, options) : Lira.Offline(c.Outputs, c.Target, c.References, options));

    private static AttackDefinition RmiaEntry(string name, RmiaOptions options, string description, bool byDefault) =>
        new(name, RmiaFamily, description, new AttackNeeds(References: options.Online || options.OfflineA is not null ? 1 : 2), byDefault,
            P(("gamma", Num(options.Gamma)), ("offline_a", options.Online ? "unused" : options.OfflineA is double a ? Num(a) : "auto"),
              ("temperature", Num(options.Temperature)), ("trimmed_mean", options.TrimmedMean ? "true" : "false")),
            c => Rmia.Run(c.Outputs, c.Target, c.References, options));

    private static IReadOnlyDictionary<string, string> P(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    private static string Num(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
