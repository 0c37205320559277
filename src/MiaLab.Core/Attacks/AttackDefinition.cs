namespace MiaLab.Core.Attacks;

/// <summary>What an attack reads from each model: a classifier's logits (logits/) or an image-to-image
/// model's reconstruction errors (recon/).</summary>
public enum AttackInput { Logits, Reconstruction }

/// <summary>What an attack needs from a run before it can say anything.</summary>
/// <param name="References">The fewest reference models it takes (0 = it reads the target alone).</param>
/// <param name="Queries">The fewest query augmentations per sample it takes.</param>
/// <param name="OutPerSample">Under the out-k reference policy, the smallest k it can score with.</param>
/// <param name="Input">Which kind of run it attacks.</param>
/// <param name="Predictability">It also reads each sample's predictability error (predictability.npy).</param>
public sealed record AttackNeeds(int References = 0, int Queries = 1, int OutPerSample = 1, AttackInput Input = AttackInput.Logits,
    bool Predictability = false);

/// <summary>Everything one attack call reads: the outputs of every model (logits, or reconstruction
/// errors for an image-to-image run), the target, the reference models chosen for it, and the seed of
/// the attack's own random choices; with the values of its parameters and which reference serves which
/// sample (<see cref="Selection"/>: every listed model for every sample unless a per-sample policy chose
/// otherwise).</summary>
public sealed record AttackContext(ModelOutputs? Logits, int Target, IReadOnlyList<int> References, int Seed,
    ReconstructionOutputs? Reconstruction = null)
{
    private readonly ReferenceSet? selection;

    public AttackSettings Settings { get; init; } = AttackSettings.None;

    public ReferenceSet Selection
    {
        get => selection ?? ReferenceSet.All(References);
        init => selection = value;
    }

    /// <summary>The logits, for the attacks whose needs say so.</summary>
    public ModelOutputs Outputs => Logits ?? throw new InvalidOperationException("this attack reads logits but the run has reconstruction errors");

    /// <summary>The reconstruction errors, for the attacks whose needs say so.</summary>
    public ReconstructionOutputs Recon => Reconstruction ?? throw new InvalidOperationException("this attack reads reconstruction errors but the run has logits");

    /// <summary>What the run holds, whichever kind it is.</summary>
    public IRunMembership Membership => (IRunMembership?)Logits ?? Recon;
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
    public string? Unmet(IRunMembership outputs, ReferenceSet references, AttackSettings settings)
    {
        var needs = NeedsOf(settings);
        if (WrongKind(outputs, needs) is string wrong) return wrong;
        if (needs.References > 0 && references.PerSample is int k && k < needs.OutPerSample)
            return $"needs at least {needs.OutPerSample} OUT reference(s) per sample, the policy offers {k}";
        return Unmet(outputs, references.Count, needs);
    }

    /// <summary>Why this attack cannot run on <paramref name="outputs"/> with <paramref name="references"/>
    /// reference models (at its default settings), or null when it can.</summary>
    public string? Unmet(IRunMembership outputs, int references) => Unmet(outputs, references, NeedsOf(Settle(null)));

    private static string? Unmet(IRunMembership outputs, int references, AttackNeeds needs) =>
        WrongKind(outputs, needs)
        ?? (references < needs.References ? $"needs at least {needs.References} reference model(s), the run offers {references}"
        : outputs.Augmentations < needs.Queries ? $"needs at least {needs.Queries} queries per sample, the run has {outputs.Augmentations}"
        : null);

    /// <summary>Why an attack with these needs cannot read <paramref name="outputs"/> at all (the other
    /// kind of run, or no predictability.npy), or null.</summary>
    private static string? WrongKind(IRunMembership outputs, AttackNeeds needs) =>
        InputOf(outputs) != needs.Input ? (needs.Input == AttackInput.Logits
            ? "reads a classifier's logits, but this is an image-to-image run (recon/ holds reconstruction errors); its attacks: " + string.Join(", ", AttackRegistry.NamesFor(AttackInput.Reconstruction))
            : "reads reconstruction errors of an image-to-image model, but this run has a classifier's logits")
        : needs.Predictability && (outputs as ReconstructionOutputs)?.Predictability is null ? "needs predictability.npy (the predictability stage's L_pred of every sample)"
        : null;

    /// <summary>Which kind of run <paramref name="outputs"/> is.</summary>
    public static AttackInput InputOf(IRunMembership outputs) => outputs is ReconstructionOutputs ? AttackInput.Reconstruction : AttackInput.Logits;
}
