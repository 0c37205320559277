namespace MiaLab.Core.Attacks;

/// <summary>What an attack needs from a run before it can say anything.</summary>
/// <param name="References">The fewest reference models it takes (0 = it reads the target alone).</param>
/// <param name="Queries">The fewest query augmentations per sample it takes.</param>
/// <param name="OutPerSample">Under the out-k reference policy, the smallest k it can score with.</param>
public sealed record AttackNeeds(int References = 0, int Queries = 1, int OutPerSample = 1);

/// <summary>Everything one attack call reads: the outputs of every model, the target, the
/// reference models chosen for it, and the seed of the attack's own random choices; with the
/// values of its parameters and which reference serves which sample (<see cref="Selection"/>:
/// every listed model for every sample unless a per-sample policy chose otherwise).</summary>
public sealed record AttackContext(ModelOutputs Outputs, int Target, IReadOnlyList<int> References, int Seed)
{
    private readonly ReferenceSet? selection;

    public AttackSettings Settings { get; init; } = AttackSettings.None;

    public ReferenceSet Selection
    {
        get => selection ?? ReferenceSet.All(References);
        init => selection = value;
    }
}

/// <summary>
/// One attack as the registry knows it: its name (also its folder under attacks/), its family
/// (how the report groups it), a one-line description, what it needs, whether it runs by default,
/// the constant facts recorded beside its scores (e.g. the signal a metric attack thresholds), and
/// the function that scores. <see cref="Settable"/> lists the parameters a user may set, with this
/// entry's defaults; a preset (<see cref="PresetOf"/>) is its base attack with some of them fixed.
/// </summary>
public sealed record AttackDefinition(
    string Name,
    string Family,
    string Description,
    AttackNeeds Needs,
    bool RunsByDefault,
    IReadOnlyDictionary<string, string> Parameters,
    Func<AttackContext, AttackResult> Run)
{
    public IReadOnlyList<ParameterUse> Settable { get; init; } = [];

    /// <summary>The attack this entry is a preset of (null for a base attack).</summary>
    public string? PresetOf { get; init; }

    /// <summary>Needs that depend on the settled values (e.g. RMIA offline's a = auto needs a second
    /// reference to tune on); null = <see cref="Needs"/> always.</summary>
    public Func<AttackSettings, AttackNeeds>? NeedsWith { get; init; }

    public AttackNeeds NeedsOf(AttackSettings settings) => NeedsWith?.Invoke(settings) ?? Needs;

    /// <summary>The values this entry runs with: a preset's fixed ones, else the user's
    /// (<paramref name="user"/>: canonical values by key "group.name"), else its defaults.</summary>
    public AttackSettings Settle(IReadOnlyDictionary<string, string>? user)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var use in Settable)
            values[use.Parameter.Name] = !use.Fixed && user is not null && user.TryGetValue(use.Parameter.Key, out var v) ? v : use.Default;
        return new AttackSettings(values);
    }

    /// <summary>The user's settings that this preset overrides with another value ("lira.variance = per-sample").</summary>
    public IEnumerable<string> Overridden(IReadOnlyDictionary<string, string> user) =>
        Settable.Where(u => u.Fixed && user.TryGetValue(u.Parameter.Key, out var v) && v != u.Default)
            .Select(u => $"{u.Parameter.Key} = {user[u.Parameter.Key]}");

    /// <summary>Everything recorded beside the scores: the constant facts and the settled values.</summary>
    public IReadOnlyDictionary<string, string> Recorded(AttackSettings settings)
    {
        var all = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in Parameters) all[k] = v;
        foreach (var (k, v) in settings.Values) all[k] = v;
        return all;
    }

    /// <summary>Why this attack cannot run on <paramref name="outputs"/> with these references, or
    /// null when it can.</summary>
    public string? Unmet(ModelOutputs outputs, ReferenceSet references, AttackSettings settings)
    {
        var needs = NeedsOf(settings);
        if (needs.References > 0 && references.PerSample is int k && k < needs.OutPerSample)
            return $"needs at least {needs.OutPerSample} OUT reference(s) per sample, the policy offers {k}";
        return Unmet(outputs, references.Count, needs);
    }

    /// <summary>Why this attack cannot run on <paramref name="outputs"/> with <paramref name="references"/>
    /// reference models (at its default settings), or null when it can.</summary>
    public string? Unmet(ModelOutputs outputs, int references) => Unmet(outputs, references, NeedsOf(Settle(null)));

    private static string? Unmet(ModelOutputs outputs, int references, AttackNeeds needs) =>
        references < needs.References ? $"needs at least {needs.References} reference model(s), the run offers {references}"
        : outputs.Augmentations < needs.Queries ? $"needs at least {needs.Queries} queries per sample, the run has {outputs.Augmentations}"
        : null;
}
