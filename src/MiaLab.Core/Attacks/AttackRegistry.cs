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
        .. MetricAttacks(),
        .. LabelOnlyAttacks(),
        .. ShadowAttacks(),
        .. LiraAttacks(),
        .. RmiaAttacks(),
        .. ReconstructionAttackEntries(),
    ];

    private static IEnumerable<AttackDefinition> MetricAttacks() =>
    [
        MetricEntry("loss", SignalKind.Loss, "Threshold on the target's loss (low loss = member).", byDefault: true),
        MetricEntry("confidence", SignalKind.Confidence, "Threshold on the probability of the true class.", byDefault: true),
        MetricEntry("entropy", SignalKind.Entropy, "Threshold on the prediction's entropy (low = member).", byDefault: true),
        MetricEntry("modified-entropy", SignalKind.ModifiedEntropy, "Song & Mittal's modified entropy, which also uses the label.", byDefault: true),
        MetricEntry("correctness", SignalKind.Correctness, "Member iff the prediction is correct (the gap attack under its metric name).", byDefault: false),
    ];

    private static IEnumerable<AttackDefinition> LabelOnlyAttacks() =>
    [
        MetricEntry(MetricAttack.GapName, SignalKind.Correctness, "Label-only: member iff the prediction is correct.", byDefault: true, LabelOnlyFamily),
        new(LabelOnly.AugmentationName, LabelOnlyFamily, "Label-only: how many query augmentations are classified correctly.",
            new AttackNeeds(Queries: 2), true, P(("signal", "correct queries")), c => LabelOnly.AugmentationRobustness(c.Outputs, c.Target)),
    ];

    /// <summary>One shadow attack whose classifier is a parameter, and the four fixed variants by their old names.</summary>
    private static IEnumerable<AttackDefinition> ShadowAttacks()
    {
        var shadow = Entry("shadow", ShadowFamily, "Shokri et al.: a classifier on sorted probabilities, trained on the reference models' IN and OUT outputs.",
            new AttackNeeds(References: 1), true, P(), Shadow,
            Use(AttackParameters.ShadowClassifier, "logistic"), Use(AttackParameters.ShadowPerClass, "false"));
        return
        [
            shadow,
            Preset(shadow, "shadow-logistic", "Shokri et al.: logistic regression on sorted probabilities, trained on reference models.",
                (AttackParameters.ShadowClassifier, "logistic"), (AttackParameters.ShadowPerClass, "false")),
            Preset(shadow, "shadow-mlp", "Shokri et al.: a small MLP on sorted probabilities, trained on reference models.",
                (AttackParameters.ShadowClassifier, "mlp"), (AttackParameters.ShadowPerClass, "false")),
            Preset(shadow, "shadow-logistic-per-class", "Shokri et al.: one logistic regression per class.",
                (AttackParameters.ShadowClassifier, "logistic"), (AttackParameters.ShadowPerClass, "true")),
            Preset(shadow, "shadow-mlp-per-class", "Shokri et al.: one small MLP per class.",
                (AttackParameters.ShadowClassifier, "mlp"), (AttackParameters.ShadowPerClass, "true")),
        ];
    }

    /// <summary>Online and offline LiRA with variance, test and signal as parameters; the old variant names are presets.</summary>
    private static IEnumerable<AttackDefinition> LiraAttacks()
    {
        ParameterUse[] uses =
        [
            Use(AttackParameters.LiraVariance, "auto"),
            Use(AttackParameters.LiraOfflineTest, "one-sided"),
            Use(AttackParameters.LiraSignal, "stable-logit"),
        ];
        var online = Entry("lira-online", LiraFamily, "LiRA: likelihood ratio of Gaussians fitted to IN and OUT reference models.",
            new AttackNeeds(References: 2, OutPerSample: 2), true, P(), c => LiraOf(c, online: true), uses);
        var offline = Entry("lira-offline", LiraFamily, "LiRA offline: how far the target's statistic sits above the OUT references.",
            new AttackNeeds(References: 2, OutPerSample: 2), true, P(), c => LiraOf(c, online: false), uses);
        return
        [
            online,
            Preset(online, "lira-online-fixed-var", "LiRA with one global variance (the paper's choice for few references).",
                (AttackParameters.LiraVariance, "global")),
            offline,
            Preset(offline, "lira-offline-fixed-var", "LiRA offline with one global variance.", (AttackParameters.LiraVariance, "global")),
            Preset(offline, "lira-offline-two-sided", "LiRA offline, two-sided test (as the published code).",
                (AttackParameters.LiraOfflineTest, "two-sided")),
            Preset(offline, "lira-offline-two-sided-fixed-var", "LiRA offline, two-sided test, global variance.",
                (AttackParameters.LiraOfflineTest, "two-sided"), (AttackParameters.LiraVariance, "global")),
        ];
    }

    private static IEnumerable<AttackDefinition> RmiaAttacks() =>
    [
        Entry("rmia-online", RmiaFamily, "RMIA: likelihood ratio against a population, references IN and OUT.",
            new AttackNeeds(References: 1), true, P(), c => RmiaOf(c, online: true),
            Use(AttackParameters.RmiaGamma, "2"), Use(AttackParameters.RmiaTemperature, "1"), Use(AttackParameters.RmiaTrimmedMean, "false")),
        Entry("rmia-offline", RmiaFamily, "RMIA offline: likelihood ratio against a population, OUT references only.",
            new AttackNeeds(References: 1), true, P(), c => RmiaOf(c, online: false),
            Use(AttackParameters.RmiaGamma, "2"), Use(AttackParameters.RmiaOfflineA, AttackParameter.Auto),
            Use(AttackParameters.RmiaTemperature, "1"), Use(AttackParameters.RmiaTrimmedMean, "true"))
        with
        {
            // trimmed_mean = true: at least as strong as every other measured offline setting on two of the
            // three protocols in docs/results.md; the plain mean was not (it lost to it on both Privacy Meter protocols).
            // a = auto tunes on one reference with the others.
            NeedsWith = s => new AttackNeeds(References: s.NumberOrAuto(AttackParameters.RmiaOfflineA) is null ? 2 : 1),
        },
    ];

    /// <summary>The attacks on image-to-image runs (ALGORITHMS.md §10; scored in <see cref="ReconstructionAttacks"/>):
    /// thresholds on −L_rec and on −(L_rec − L_pred), and LiRA and RMIA on the reconstruction error with
    /// the parameters they take on logits (LiRA's statistic and RMIA's likelihood are fixed by the error).</summary>
    private static IEnumerable<AttackDefinition> ReconstructionAttackEntries()
    {
        const string family = ReconstructionAttacks.Family;
        var alone = new AttackNeeds(Input: AttackInput.Reconstruction);
        var lira = alone with { References = 2, OutPerSample = 2 };
        var rmia = alone with { References = 1 };
        ParameterUse[] liraUses = [Use(AttackParameters.LiraVariance, "auto"), Use(AttackParameters.LiraOfflineTest, "one-sided")];
        // γ = 1: one sample's errors under different models differ by a small fraction of τ, so a ratio
        // of e^0.69 (γ = 2) almost never holds and nearly every score would be 0.
        ParameterUse[] rmiaUses(bool online) =>
        [
            Use(AttackParameters.RmiaGamma, "1"),
            .. online ? Array.Empty<ParameterUse>() : [Use(AttackParameters.RmiaOfflineA, AttackParameter.Auto)],
            Use(AttackParameters.ReconTau, AttackParameter.Auto),
            Use(AttackParameters.RmiaTrimmedMean, "false"),
        ];
        return
        [
            Entry(ReconstructionAttacks.ReconName, family, "Threshold on the reconstruction error L_rec (low error = member).",
                alone, true, P(("signal", "-L_rec"), ("query", "identity")), c => ReconstructionAttacks.Recon(c.Recon, c.Target)),
            Entry(ReconstructionAttacks.PredictabilityName, family,
                "Shafran et al.: threshold on L_rec − L_pred, the error beyond how predictable the sample is.",
                alone with { Predictability = true }, true, P(("signal", "-(L_rec - L_pred)"), ("query", "identity")),
                c => ReconstructionAttacks.MembershipError(c.Recon, c.Target)),
            Entry("recon-lira-online", LiraFamily, "LiRA on −log L_rec: Gaussians fitted to the IN and OUT reference models' errors.",
                lira, true, P(("signal", "-log L_rec")), c => ReconstructionAttacks.Lira(c.Recon, c.Target, c.Selection, LiraOptionsOf(c.Settings, signal: null), online: true, "recon-lira-online"),
                liraUses),
            Entry("recon-lira-offline", LiraFamily, "LiRA offline on −log L_rec: how far the target's error sits below the OUT references'.",
                lira, true, P(("signal", "-log L_rec")), c => ReconstructionAttacks.Lira(c.Recon, c.Target, c.Selection, LiraOptionsOf(c.Settings, signal: null), online: false, "recon-lira-offline"),
                liraUses),
            Entry("recon-rmia-online", RmiaFamily, "RMIA on exp(−L_rec/τ): likelihood ratio against a population, references IN and OUT.",
                rmia, true, P(("signal", "exp(-L_rec/tau)")), c => ReconstructionRmia(c, online: true, "recon-rmia-online"), rmiaUses(true)),
            Entry("recon-rmia-offline", RmiaFamily, "RMIA offline on exp(−L_rec/τ): OUT references only.",
                rmia, true, P(("signal", "exp(-L_rec/tau)")), c => ReconstructionRmia(c, online: false, "recon-rmia-offline"), rmiaUses(false))
            with
            {
                NeedsWith = s => rmia with { References = s.NumberOrAuto(AttackParameters.RmiaOfflineA) is null ? 2 : 1 },
            },
        ];
    }

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

    /// <summary>Every parameter some attack reads, in registry order (each once).</summary>
    public static IReadOnlyList<AttackParameter> Parameters { get; } =
        All.SelectMany(a => a.Settable).Select(u => u.Parameter).Distinct().ToList();

    /// <summary>
    /// The user's parameter values, by group then name as in the config's attacks.parameters
    /// section, checked against the registry: an unknown group or name, or a value out of range, is
    /// an <see cref="InputException"/> naming <paramref name="where"/>.group.name. Returns the
    /// canonical values by key "group.name".
    /// </summary>
    public static IReadOnlyDictionary<string, string> CheckValues(IReadOnlyDictionary<string, Dictionary<string, string>>? groups, string where)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (groups is null) return result;
        var known = Parameters.Select(p => p.Group).Distinct().ToList();
        foreach (var (group, values) in groups)
        {
            if (!known.Contains(group))
                throw new InputException($"{where}.{group}: no attack reads parameters of '{group}'; the groups are {string.Join(", ", known)}");
            var names = Parameters.Where(p => p.Group == group).ToList();
            foreach (var (name, text) in values ?? [])
            {
                var parameter = names.FirstOrDefault(p => p.Name == name)
                    ?? throw new InputException($"{where}.{group}.{name} is not a parameter; {group} takes {string.Join(", ", names.Select(p => p.Name))}");
                result[parameter.Key] = parameter.Parse(text, $"{where}.{parameter.Key}");
            }
        }
        return result;
    }

    /// <summary>The parameter with key "group.name", or null.</summary>
    public static AttackParameter? Parameter(string key) => Parameters.FirstOrDefault(p => p.Key == key);

    /// <summary>The defaults of a parameter in the base attacks that read it ("rmia-online 2, rmia-offline 1"),
    /// or the one default when they agree.</summary>
    public static string DefaultsOf(AttackParameter parameter)
    {
        var uses = All.Where(a => a.PresetOf is null)
            .SelectMany(a => a.Settable.Where(u => u.Parameter == parameter).Select(u => (a.Name, u.Default))).ToList();
        var distinct = uses.Select(u => u.Default).Distinct().ToList();
        return distinct.Count == 1 ? distinct[0] : string.Join(", ", uses.Select(u => $"{u.Name} {u.Default}"));
    }

    private static AttackDefinition MetricEntry(string name, SignalKind kind, string description, bool byDefault, string family = Metric) =>
        Entry(name, family, description, Alone, byDefault, P(("signal", Signal.Name(kind))),
            c => MetricAttack.Run(c.Outputs, c.Target, kind, c.Seed, name, c.Settings.Number(AttackParameters.EvalSplit)),
            Use(AttackParameters.EvalSplit, AttackParameter.Format(MetricAttack.DefaultEvalSplit)));

    private static AttackResult Shadow(AttackContext c) =>
        ShadowAttack.Run(c.Outputs, c.Target, c.Selection,
            new ShadowOptions(c.Settings.Choice(AttackParameters.ShadowClassifier), c.Settings.Flag(AttackParameters.ShadowPerClass), Seed: c.Seed));

    private static AttackResult LiraOf(AttackContext c, bool online)
    {
        var options = LiraOptionsOf(c.Settings, Signal.Parse(c.Settings.Choice(AttackParameters.LiraSignal)));
        return online ? Lira.Online(c.Outputs, c.Target, c.Selection, options) : Lira.Offline(c.Outputs, c.Target, c.Selection, options);
    }

    /// <summary>LiRA's variance and offline test as settled, with this statistic (null: the caller's own).</summary>
    private static LiraOptions LiraOptionsOf(AttackSettings s, SignalKind? signal)
    {
        var variance = s.Choice(AttackParameters.LiraVariance) switch
        {
            "global" => LiraVariance.Global,
            "per-sample" => LiraVariance.PerSample,
            _ => LiraVariance.Auto,
        };
        return new LiraOptions(variance, s.Choice(AttackParameters.LiraOfflineTest) == "two-sided", signal);
    }

    private static AttackResult RmiaOf(AttackContext c, bool online) =>
        Rmia.Run(c.Outputs, c.Target, c.Selection, RmiaOptionsOf(c.Settings, online, c.Settings.Number(AttackParameters.RmiaTemperature)));

    /// <summary>RMIA on the reconstruction error with τ as set, or (auto) the references' median error.</summary>
    private static AttackResult ReconstructionRmia(AttackContext c, bool online, string name) =>
        ReconstructionAttacks.Rmia(c.Recon, c.Target, c.Selection, c.Settings.NumberOrAuto(AttackParameters.ReconTau),
            RmiaOptionsOf(c.Settings, online, temperature: 1), name);

    /// <summary>RMIA's γ, offline a and trimmed mean as settled, with this temperature.</summary>
    private static RmiaOptions RmiaOptionsOf(AttackSettings s, bool online, double temperature) =>
        new(online, s.Number(AttackParameters.RmiaGamma), online ? null : s.NumberOrAuto(AttackParameters.RmiaOfflineA),
            temperature, s.Flag(AttackParameters.RmiaTrimmedMean));

    /// <summary>An entry whose scores are always reported under its own name; called without settings
    /// (a context with none) it runs at its defaults.</summary>
    private static AttackDefinition Entry(string name, string family, string description, AttackNeeds needs, bool byDefault,
        IReadOnlyDictionary<string, string> constants, Func<AttackContext, AttackResult> run, params ParameterUse[] settable) =>
        AtDefaults(new AttackDefinition(name, family, description, needs, byDefault, constants, c => run(c) with { Name = name }) { Settable = settable });

    /// <summary>A base attack under another name with some parameters fixed; never run by default.</summary>
    private static AttackDefinition Preset(AttackDefinition of, string name, string description, params (AttackParameter Parameter, string Value)[] fixedValues) =>
        AtDefaults(of with
        {
            Name = name,
            Description = description,
            RunsByDefault = false,
            PresetOf = of.Name,
            Run = c => of.Run(c) with { Name = name },
            Settable = of.Settable.Select(u => fixedValues.FirstOrDefault(f => f.Parameter == u.Parameter) is { Parameter: not null } f
                ? u with { Default = f.Value, Fixed = true } : u).ToList(),
        });

    private static AttackDefinition AtDefaults(AttackDefinition d)
    {
        var defaults = d.Settle(null);
        var run = d.Run;
        return d with { Run = c => run(c.Settings.Values.Count == 0 && d.Settable.Count > 0 ? c with { Settings = defaults } : c) };
    }

    private static ParameterUse Use(AttackParameter parameter, string defaultValue) => new(parameter, parameter.Parse(defaultValue, parameter.Key));

    private static IReadOnlyDictionary<string, string> P(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
}
