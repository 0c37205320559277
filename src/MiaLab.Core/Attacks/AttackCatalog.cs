using MiaLab.Core.Signals;

namespace MiaLab.Core.Attacks;

/// <summary>
/// Every attack of this namespace by name, with its default options. (The shadow-model attacks,
/// "shadow-logistic" and "shadow-mlp", train classifiers and live in their own runner.)
/// </summary>
public static class AttackCatalog
{
    private static readonly (string Name, Func<ModelOutputs, int, int[], int, AttackResult> Run)[] Entries =
    [
        ("loss", (o, t, _, seed) => MetricAttack.Run(o, t, SignalKind.Loss, seed)),
        ("confidence", (o, t, _, seed) => MetricAttack.Run(o, t, SignalKind.Confidence, seed)),
        ("entropy", (o, t, _, seed) => MetricAttack.Run(o, t, SignalKind.Entropy, seed)),
        ("modified-entropy", (o, t, _, seed) => MetricAttack.Run(o, t, SignalKind.ModifiedEntropy, seed)),
        ("correctness", (o, t, _, seed) => MetricAttack.Run(o, t, SignalKind.Correctness, seed)),
        (MetricAttack.GapName, (o, t, _, seed) => MetricAttack.Run(o, t, SignalKind.Correctness, seed, MetricAttack.GapName)),
        (LabelOnly.AugmentationName, (o, t, _, _) => LabelOnly.AugmentationRobustness(o, t)),
        ("lira-online", (o, t, r, _) => Lira.Online(o, t, r, new LiraOptions())),
        ("lira-online-fixed-var", (o, t, r, _) => Lira.Online(o, t, r, new LiraOptions(FixedVariance: true))),
        ("lira-offline", (o, t, r, _) => Lira.Offline(o, t, r, new LiraOptions())),
        ("lira-offline-fixed-var", (o, t, r, _) => Lira.Offline(o, t, r, new LiraOptions(FixedVariance: true))),
        ("lira-offline-two-sided", (o, t, r, _) => Lira.Offline(o, t, r, new LiraOptions(TwoSidedOffline: true))),
        ("lira-offline-two-sided-fixed-var", (o, t, r, _) => Lira.Offline(o, t, r, new LiraOptions(FixedVariance: true, TwoSidedOffline: true))),
        ("rmia-online", (o, t, r, _) => Rmia.Run(o, t, r, new RmiaOptions(Online: true))),
        ("rmia-offline", (o, t, r, _) => Rmia.Run(o, t, r, new RmiaOptions(Online: false))),
    ];

    /// <summary>The valid attack names, in a stable order.</summary>
    public static IReadOnlyList<string> Names { get; } = Array.ConvertAll(Entries, e => e.Name);

    public static bool Contains(string name) => Array.Exists(Entries, e => e.Name == name);

    /// <summary>Runs the named attack against <paramref name="target"/>. <paramref name="refs"/> null =
    /// every model except the target (attacks without references ignore it); <paramref name="seed"/>
    /// drives the metric attacks' eval/test split.</summary>
    public static AttackResult Run(string name, ModelOutputs o, int target, IReadOnlyList<int>? refs = null, int seed = 0)
    {
        foreach (var (n, run) in Entries)
        {
            if (n != name) continue;
            int[] r = refs is null ? AttackChecks.AllExcept(o, target) : AttackChecks.References(o, target, refs, 0, name);
            return run(o, target, r, seed);
        }
        throw new InputException($"unknown attack '{name}'; valid attacks: {string.Join(", ", Names)}");
    }

    /// <summary>Every model except the target: the default references.</summary>
    public static int[] DefaultReferences(ModelOutputs o, int target) => AttackChecks.AllExcept(o, target);
}
