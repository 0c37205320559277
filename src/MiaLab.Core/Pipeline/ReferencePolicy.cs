using MiaLab.Core.Attacks;
using MiaLab.Core.Config;

namespace MiaLab.Core.Pipeline;

/// <summary>
/// Which models serve as references when a target is attacked (the attack plan's choice, the same
/// for every attack):
/// <list type="bullet">
/// <item>all-others: every model but the target (the default).</item>
/// <item>all-but-mate: every model but the target and its complementary mate (the model that trained
/// on exactly the samples the target left out, as complementary-pairs plans make them).</item>
/// <item>out-k: per sample, exactly k models that did not train on it and up to k that did, the first
/// ones in model order among all models but the target and its mate (if it has one; taking the mate
/// by order would make the reference depend on the target's membership).</item>
/// <item>explicit: a list per target (naming the target is an error), or one list for every target
/// (each target left out of its own).</item>
/// </list>
/// </summary>
public sealed record ReferencePolicy
{
    public const string AllOthers = "all-others";
    public const string AllButMate = "all-but-mate";
    public const string OutK = "out-k";
    public const string Explicit = "explicit";

    private ReferencePolicy(string kind, int k, IReadOnlyDictionary<int, IReadOnlyList<int>>? lists, IReadOnlyList<int>? shared)
    {
        Kind = kind;
        K = k;
        Lists = lists;
        Shared = shared;
    }

    public string Kind { get; }
    /// <summary>out-k: the OUT references per sample.</summary>
    public int K { get; }
    /// <summary>explicit: each target's list.</summary>
    public IReadOnlyDictionary<int, IReadOnlyList<int>>? Lists { get; }
    /// <summary>explicit: one list for every target.</summary>
    public IReadOnlyList<int>? Shared { get; }

    public static ReferencePolicy Default { get; } = new(AllOthers, 0, null, null);
    public static ReferencePolicy ButMate { get; } = new(AllButMate, 0, null, null);

    public static ReferencePolicy OutPerSample(int k) =>
        k >= 1 ? new(OutK, k, null, null) : throw new InputException($"out-k references need k ≥ 1 OUT references per sample (got {k})");

    public static ReferencePolicy PerTarget(IReadOnlyDictionary<int, IReadOnlyList<int>> lists) => new(Explicit, 0, lists, null);

    public static ReferencePolicy SameList(IReadOnlyList<int> list) => new(Explicit, 0, null, list);

    /// <summary>The policy a config's attacks section names (checked by <see cref="ConfigFile.Validate"/>).</summary>
    public static ReferencePolicy From(AttacksConfig config) => config.References switch
    {
        AllOthers => Default,
        AllButMate => ButMate,
        OutK => OutPerSample(config.OutReferences),
        Explicit => PerTarget(config.ReferenceLists.ToDictionary(
            p => int.Parse(p.Key, System.Globalization.CultureInfo.InvariantCulture), p => (IReadOnlyList<int>)p.Value)),
        _ => throw new InputException($"attacks.references must be one of {string.Join(", ", ConfigFile.ReferencePolicies)} (got '{config.References}')"),
    };

    /// <summary>How the policy is recorded beside the scores: "all-others", "out-k (k = 2)", "explicit".</summary>
    public string Describe() => Kind == OutK ? $"{OutK} (k = {K})" : Kind;

    /// <summary>The references of <paramref name="target"/>; a list that does not fit the run (an unknown or
    /// repeated model, the target itself, a target without a list or a mate, too few OUT models for k) is an
    /// <see cref="InputException"/>.</summary>
    public ReferenceSet For(IRunMembership o, int target)
    {
        var others = Enumerable.Range(0, o.Models).Where(m => m != target).ToList();
        switch (Kind)
        {
            case AllOthers:
                return ReferenceSet.All(others);
            case AllButMate:
                {
                    int mate = ReferenceSet.ComplementaryMate(o, target)
                        ?? throw new InputException($"all-but-mate references: target {target} has no complementary mate " +
                            "(no model trained on exactly the samples it left out); plan with scheme complementary-pairs");
                    others.Remove(mate);
                    return ReferenceSet.All(others);
                }
            case OutK:
                {
                    if (ReferenceSet.ComplementaryMate(o, target) is int mate) others.Remove(mate);
                    return ReferenceSet.OutK(o, others, K, $"the models other than target {target}" +
                        (others.Count < o.Models - 1 ? " and its mate" : ""));
                }
            default:
                {
                    IReadOnlyList<int> list;
                    if (Shared is not null) list = Shared.Where(m => m != target).ToList();
                    else if (Lists!.TryGetValue(target, out var given))
                    {
                        if (given.Contains(target)) throw new InputException($"the reference list of target {target} names the target itself");
                        list = given;
                    }
                    else throw new InputException($"no reference list for target {target} (lists are given for {string.Join(", ", Lists.Keys.Order())})");
                    foreach (int m in list)
                        if (m < 0 || m >= o.Models)
                            throw new InputException($"reference model {m} of target {target} is out of range: there are {o.Models} models (0..{o.Models - 1})");
                    if (list.Distinct().Count() != list.Count) throw new InputException($"the reference list of target {target} names a model twice");
                    return ReferenceSet.All(list);
                }
        }
    }
}
