namespace MiaLab.Core.Attacks;

/// <summary>What an attack needs from a run before it can say anything.</summary>
/// <param name="References">The fewest reference models it takes (0 = it reads the target alone).</param>
/// <param name="Queries">The fewest query augmentations per sample it takes.</param>
public sealed record AttackNeeds(int References = 0, int Queries = 1);

/// <summary>Everything one attack call reads: the outputs of every model, the target, the
/// reference models chosen for it, and the seed of the attack's own random choices.</summary>
public sealed record AttackContext(ModelOutputs Outputs, int Target, IReadOnlyList<int> References, int Seed);

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
    public string? Unmet(ModelOutputs outputs, int references) =>
        references < Needs.References ? $"needs at least {Needs.References} reference model(s), the run offers {references}"
        : outputs.Augmentations < Needs.Queries ? $"needs at least {Needs.Queries} queries per sample, the run has {outputs.Augmentations}"
        : null;
}
