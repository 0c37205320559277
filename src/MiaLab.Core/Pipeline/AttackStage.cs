using System.Diagnostics;
using MiaLab.Core.Attacks;
using MiaLab.Core.Config;
using MiaLab.Core.IO;
using MiaLab.Core.Runs;

namespace MiaLab.Core.Pipeline;

/// <summary>What to attack: the targets, the attacks by name (null = the registry's defaults),
/// which models serve as references (null = every model but the target), the seed of the attacks'
/// random choices, and the user's attack parameters (canonical values by key "group.name", e.g.
/// "rmia.gamma"; unset parameters keep each attack's default).</summary>
public sealed record AttackPlan(IReadOnlyList<int> Targets, IReadOnlyList<string>? Attacks = null, ReferencePolicy? References = null, int Seed = 0)
{
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>The plan a config's attacks section describes, for these targets and attacks.</summary>
    public static AttackPlan FromConfig(AttacksConfig config, IReadOnlyList<int> targets, IReadOnlyList<string>? attacks, int seed) =>
        new(targets, attacks, ReferencePolicy.From(config), seed)
        {
            Parameters = AttackRegistry.CheckValues(config.Parameters, "attacks.parameters"),
        };
}

/// <summary>What the attack stage did: the records of the scores it wrote or found up to date,
/// and the default attacks it skipped because the run cannot support them (with the reason).</summary>
public sealed record AttackStageResult(IReadOnlyList<AttackRecord> Records, IReadOnlyList<(string Attack, string Reason)> Skipped);

/// <summary>
/// Attack stage: reads labels.npy, keep.npy, holdout.npy and logits/ (recon/ and predictability.npy
/// for an image-to-image run; nothing else, so run directories from other tools work), runs each attack of the registry against each target, and
/// writes attacks/&lt;attack&gt;/target-XXXX.npy (float64 scores, higher = member) and then its
/// record beside it. Scores whose record shows the same computation on the same inputs are kept,
/// so a rerun after a crash redoes only what was not finished. Evaluation is the next stage's.
/// Every target's references and every attack's settings are checked before the first file is written.
/// </summary>
public static class AttackStage
{
    public static AttackStageResult Run(RunDirectory run, AttackPlan plan, Action<StageProgress>? progress = null, CancellationToken cancel = default)
    {
        var definitions = AttackRegistry.Resolve(plan.Attacks);
        if (plan.Targets.Count == 0) throw new InputException("no target model to attack");
        foreach (int t in plan.Targets)
            if (t < 0 || t >= run.Models)
                throw new InputException($"target {t} is out of range: the run has models 0..{run.Models - 1}");
        run.ReadKeep(); // a keep.npy changed since planning makes every model's status meaningless: said first
        RunCompleteness.Require(run); // a run still being filled (shards, a SLURM array) is not attacked
        foreach (var key in plan.Parameters.Keys)
            if (AttackRegistry.Parameter(key) is null) throw new InputException($"'{key}' is not an attack parameter");
        if (plan.Attacks is not null)
            foreach (var d in definitions)
                if (d.Overridden(plan.Parameters).FirstOrDefault() is string clash)
                    throw new InputException($"{d.Name} is {d.PresetOf} with its parameters fixed, but {clash} was set; run {d.PresetOf} with that setting instead");
        // An image-to-image run has recon/ where a classifier run has logits/: the attacks of the other
        // kind are left out of the defaults, and one asked for by name is one clear error.
        var input = ReconstructionRunOutputs.IsImageToImage(run) ? AttackInput.Reconstruction : AttackInput.Logits;
        if (plan.Attacks is null) definitions = definitions.Where(d => d.Needs.Input == input).ToList();
        var wrongKind = definitions.FirstOrDefault(d => d.Needs.Input != input);
        if (wrongKind is not null)
            throw new InputException($"attack {wrongKind.Name} " + (input == AttackInput.Reconstruction
                ? $"reads a classifier's logits, but {run.Root} is an image-to-image run; its attacks: {string.Join(", ", AttackRegistry.NamesFor(AttackInput.Reconstruction))}"
                : $"is for image-to-image runs, but {run.Root} has a classifier's logits"));
        ModelOutputs? logits = null;
        ReconstructionOutputs? recon = null;
        InputHashes hashes;
        if (input == AttackInput.Reconstruction) (recon, hashes) = ReconstructionRunOutputs.Load(run);
        else (logits, hashes) = RunOutputs.Load(run);
        IRunMembership outputs = (IRunMembership?)logits ?? recon!;
        var policy = plan.References ?? ReferencePolicy.Default;
        var references = plan.Targets.Distinct().ToDictionary(t => t, t => policy.For(outputs, t));
        var settings = definitions.ToDictionary(d => d.Name, d => d.Settle(plan.Parameters));

        // What runs against which target: a named attack that cannot run is an error, a default one is skipped.
        var jobs = new List<(int Target, AttackDefinition Definition)>();
        var unmet = new Dictionary<string, List<(int Target, string Reason)>>(StringComparer.Ordinal);
        foreach (int target in plan.Targets)
            foreach (var d in definitions)
            {
                if (d.Unmet(outputs, references[target], settings[d.Name]) is not string reason) { jobs.Add((target, d)); continue; }
                if (plan.Attacks is not null) throw new InputException($"attack {d.Name} {reason} against target {target}");
                if (!unmet.TryGetValue(d.Name, out var list)) unmet[d.Name] = list = [];
                list.Add((target, reason));
            }
        var skipped = unmet.Select(p => (p.Key, p.Value.Count == plan.Targets.Count ? p.Value[0].Reason
            : $"{p.Value[0].Reason} (targets {string.Join(", ", p.Value.Select(v => v.Target))})")).ToList();

        var records = new List<AttackRecord>();
        int done = 0;
        progress?.Invoke(new StageProgress("attack", 0, jobs.Count));
        var summaries = new Dictionary<int, TargetSummary>();
        foreach (var (target, definition) in jobs)
        {
            cancel.ThrowIfCancellationRequested();
            if (!summaries.TryGetValue(target, out var summary)) summaries[target] = summary = Summarise(outputs, logits, target);
            var refs = references[target];
            var setting = settings[definition.Name];
            bool readsReferences = definition.NeedsOf(setting).References > 0;
            var recorded = new SortedDictionary<string, string>(definition.Recorded(setting).ToDictionary(), StringComparer.Ordinal);
            if (readsReferences) recorded[ReferencePolicyKey] = policy.Describe();
            var intended = new AttackRecord(definition.Name, definition.Family, target, readsReferences ? refs.Models : [], plan.Seed, recorded,
                hashes.For(target, readsReferences ? refs.Models : []), "", summary,
                new Dictionary<string, double?>(), ToolVersion.Text, 0);
            records.Add(Existing(run, intended) ?? Score(run, definition, new AttackContext(logits, target, refs.Models, plan.Seed, recon)
            {
                Selection = refs,
                Settings = setting,
            }, intended));
            progress?.Invoke(new StageProgress("attack", ++done, jobs.Count));
        }
        return new AttackStageResult(records, skipped);
    }

    /// <summary>The key of the reference policy among a record's parameters.</summary>
    public const string ReferencePolicyKey = "reference_policy";

    /// <summary>The record already on disk for this computation, when its scores are intact.</summary>
    private static AttackRecord? Existing(RunDirectory run, AttackRecord intended)
    {
        var existing = AttackRecord.TryRead(run.Paths.AttackRecord(intended.Attack, intended.Target));
        if (existing is null || !existing.SameComputation(intended)) return null;
        string? sha = FileHash.Sha256OrNull(run.Paths.AttackScores(intended.Attack, intended.Target));
        return sha == existing.ScoresSha256 ? existing : null;
    }

    private static AttackRecord Score(RunDirectory run, AttackDefinition definition, AttackContext context, AttackRecord intended)
    {
        var clock = Stopwatch.StartNew();
        var result = definition.Run(context);
        string scoresPath = run.Paths.AttackScores(definition.Name, intended.Target);
        Npy.Write(scoresPath, new NpyArray(result.Scores, result.Scores.Length));
        var record = intended with
        {
            ScoresSha256 = FileHash.Sha256(scoresPath),
            Extras = result.Extras.ToDictionary(p => p.Key, p => double.IsFinite(p.Value) ? p.Value : (double?)null, StringComparer.Ordinal),
            Seconds = clock.Elapsed.TotalSeconds,
        };
        // The record is written last: scores without a matching record are never evaluated.
        record.Write(run.Paths.AttackRecord(definition.Name, intended.Target));
        return record;
    }

    /// <summary>The target's accuracies (NaN for an image-to-image model, which has none) and its member counts.</summary>
    private static TargetSummary Summarise(IRunMembership outputs, ModelOutputs? logits, int target)
    {
        var (train, test) = logits is null ? (double.NaN, double.NaN)
            : ModelAccuracy.Of(logits.Logits[target], logits.Labels, logits.Keep[target], logits.Holdout, logits.Augmentations, logits.Classes);
        int members = 0, nonMembers = 0;
        for (int i = 0; i < outputs.Samples; i++)
            if (!outputs.Holdout[i]) { if (outputs.Keep[target][i]) members++; else nonMembers++; }
        return new TargetSummary(target, train, test, members, nonMembers);
    }
}
