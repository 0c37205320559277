using System.Diagnostics;
using MiaLab.Core.Attacks;
using MiaLab.Core.IO;
using MiaLab.Core.Runs;

namespace MiaLab.Core.Pipeline;

/// <summary>What to attack: the targets, the attacks by name (null = the registry's defaults),
/// the references (null = every model but the target), and the seed of the attacks' random choices.</summary>
public sealed record AttackPlan(IReadOnlyList<int> Targets, IReadOnlyList<string>? Attacks = null, IReadOnlyList<int>? References = null, int Seed = 0);

/// <summary>What the attack stage did: the records of the scores it wrote or found up to date,
/// and the default attacks it skipped because the run cannot support them (with the reason).</summary>
public sealed record AttackStageResult(IReadOnlyList<AttackRecord> Records, IReadOnlyList<(string Attack, string Reason)> Skipped);

/// <summary>
/// Attack stage: reads labels.npy, keep.npy, holdout.npy and logits/ (recon/ and predictability.npy
/// for an image-to-image run; nothing else, so run directories from other tools work), runs each attack of the registry against each target, and
/// writes attacks/&lt;attack&gt;/target-XXXX.npy (float64 scores, higher = member) and then its
/// record beside it. Scores whose record shows the same computation on the same inputs are kept,
/// so a rerun after a crash redoes only what was not finished. Evaluation is the next stage's.
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

        var skipped = new List<(string, string)>();
        var runnable = new List<AttackDefinition>();
        int offered = plan.References?.Count ?? outputs.Models - 1;
        foreach (var d in definitions)
        {
            if (d.Unmet(outputs, offered) is not string reason) { runnable.Add(d); continue; }
            if (plan.Attacks is not null) throw new InputException($"attack {d.Name} {reason}");
            skipped.Add((d.Name, reason)); // a default that does not apply to this run
        }

        var records = new List<AttackRecord>();
        int total = plan.Targets.Count * runnable.Count, done = 0;
        progress?.Invoke(new StageProgress("attack", 0, total));
        foreach (int target in plan.Targets)
        {
            var summary = Summarise(outputs, logits, target);
            foreach (var definition in runnable)
            {
                cancel.ThrowIfCancellationRequested();
                var references = plan.References is null ? AttackChecks.AllExcept(outputs, target)
                    : AttackChecks.References(outputs, target, plan.References, definition.Needs.References, definition.Name);
                var intended = new AttackRecord(definition.Name, definition.Family, target, references, plan.Seed, definition.Parameters,
                    hashes.For(target, definition.Needs.References > 0 ? references : []), "", summary,
                    new Dictionary<string, double?>(), ToolVersion.Text, 0);
                records.Add(Existing(run, intended) ?? Score(run, definition, new AttackContext(logits, target, references, plan.Seed, recon), intended));
                progress?.Invoke(new StageProgress("attack", ++done, total));
            }
        }
        return new AttackStageResult(records, skipped);
    }

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
