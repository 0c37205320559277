namespace MiaLab.Core.Attacks;

/// <summary>What an attack reads from each model: a classifier's logits (logits/) or an image-to-image
/// model's reconstruction errors (recon/).</summary>
public enum AttackInput { Logits, Reconstruction }

/// <summary>What an attack needs from a run before it can say anything.</summary>
/// <param name="References">The fewest reference models it takes (0 = it reads the target alone).</param>
/// <param name="Queries">The fewest query augmentations per sample it takes.</param>
/// <param name="Input">Which kind of run it attacks.</param>
/// <param name="Predictability">It also reads each sample's predictability error (predictability.npy).</param>
public sealed record AttackNeeds(int References = 0, int Queries = 1, AttackInput Input = AttackInput.Logits, bool Predictability = false);

/// <summary>Everything one attack call reads: the outputs of every model (logits, or reconstruction
/// errors for an image-to-image run), the target, the reference models chosen for it, and the seed of
/// the attack's own random choices.</summary>
public sealed record AttackContext(ModelOutputs? Logits, int Target, IReadOnlyList<int> References, int Seed,
    ReconstructionOutputs? Reconstruction = null)
{
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
/// the parameters it runs with (recorded beside its scores) and the function that scores.
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
    /// <summary>Why this attack cannot run on <paramref name="outputs"/> with <paramref name="references"/>
    /// reference models, or null when it can.</summary>
    public string? Unmet(IRunMembership outputs, int references) =>
        InputOf(outputs) != Needs.Input ? (Needs.Input == AttackInput.Logits
            ? "reads a classifier's logits, but this is an image-to-image run (recon/ holds reconstruction errors); its attacks: " + string.Join(", ", AttackRegistry.NamesFor(AttackInput.Reconstruction))
            : "reads reconstruction errors of an image-to-image model, but this run has a classifier's logits")
        : Needs.Predictability && (outputs as ReconstructionOutputs)?.Predictability is null ? "needs predictability.npy (the predictability stage's L_pred of every sample)"
        : references < Needs.References ? $"needs at least {Needs.References} reference model(s), the run offers {references}"
        : outputs.Augmentations < Needs.Queries ? $"needs at least {Needs.Queries} queries per sample, the run has {outputs.Augmentations}"
        : null;

    /// <summary>Which kind of run <paramref name="outputs"/> is.</summary>
    public static AttackInput InputOf(IRunMembership outputs) => outputs is ReconstructionOutputs ? AttackInput.Reconstruction : AttackInput.Logits;
}
