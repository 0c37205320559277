using System.Security.Cryptography;
using System.Text;
using MiaLab.Core.Evaluation;
using MiaLab.Core.IO;
using MiaLab.Core.Runs;

namespace MiaLab.Core.Pipeline;

/// <summary>
/// Evaluate stage: reads every score file under attacks/ that has a matching record, evaluates it
/// on the population samples (the holdout split is never a candidate) with ALGORITHMS.md §7, adds
/// the pooled ROC of every attack run against several targets, and writes metrics.json. Attacks
/// run in several calls end up in one file. A score file whose record does not match it, or whose
/// inputs (labels, keep, holdout, the logits it read) have changed since, is left out and listed,
/// never mixed in. Entries whose scores and options are unchanged are taken from the previous
/// metrics.json instead of being bootstrapped again.
/// </summary>
public static class EvaluateStage
{
    public static RunMetrics Run(RunDirectory run, EvaluationOptions options, Action<StageProgress>? progress = null, CancellationToken cancel = default,
        Action<string>? log = null)
    {
        if (options.BootstrapResamples < 0)
            throw new InputException($"bootstrap resamples must be ≥ 0, got {options.BootstrapResamples}");
        // The whole stage holds the run's lock: two processes that attacked at once evaluate one after
        // the other, and the later one reads the scores of both, so neither's results are lost.
        using var fileLock = FileLock.Acquire(run.Paths.MetricsLock, TimeSpan.FromHours(2), log);
        var labels = run.ReadLabels();
        var keep = run.ReadKeep();
        var holdout = run.ReadHoldout() ?? new bool[run.Samples];
        var current = new Dictionary<string, string?>(StringComparer.Ordinal);
        string? CurrentSha(string file)
        {
            if (!current.TryGetValue(file, out var sha)) current[file] = sha = FileHash.Sha256OrNull(Path.Combine(run.Root, file));
            return sha;
        }

        var records = new List<AttackRecord>();
        var leftOut = new List<LeftOut>();
        foreach (var (record, problem) in Records(run))
        {
            if (problem is not null) { leftOut.Add(new LeftOut(record.Attack, record.Target, problem)); continue; }
            // A file that is gone cannot have changed: logits may be deleted once attacked.
            var changed = record.Inputs.Where(p => CurrentSha(p.Key) is string sha && sha != p.Value).Select(p => p.Key).ToList();
            if (changed.Count > 0)
                leftOut.Add(new LeftOut(record.Attack, record.Target, $"stale: {string.Join(", ", changed)} changed since the attack ran; run the attack again"));
            else if (record.Target >= run.Models)
                leftOut.Add(new LeftOut(record.Attack, record.Target, $"target {record.Target} is not a model of this run"));
            else
                records.Add(record);
        }

        var previous = RunMetrics.TryRead(run.Paths.Metrics);
        bool sameOptions = previous is not null && RunMetrics.Key(previous.Options) == RunMetrics.Key(options);
        var evaluations = new List<AttackEvaluation>();
        var distributions = new List<ScoreSummary>();
        var views = new Dictionary<(string, int), (double[] Scores, bool[] IsMember)>();
        int total = records.Count, done = 0;
        progress?.Invoke(new StageProgress("evaluate", 0, total));
        foreach (var record in records)
        {
            cancel.ThrowIfCancellationRequested();
            var (scores, isMember, y) = PopulationView(Npy.Read(run.Paths.AttackScores(record.Attack, record.Target)).ToFloat64(),
                keep[record.Target], labels, holdout, run.Paths.AttackScores(record.Attack, record.Target));
            if (MembershipUnknown(run, record.Target))
            {
                distributions.Add(new ScoreSummary(record.Attack, record.Family, record.Target, ScoreDistribution.Of(scores), record.ScoresSha256));
                progress?.Invoke(new StageProgress("evaluate", ++done, total));
                continue;
            }
            var reused = sameOptions
                ? previous!.Attacks.FirstOrDefault(a => a.Attack == record.Attack && a.Target == record.Target && a.ScoresSha256 == record.ScoresSha256)
                : null;
            AttackMetrics metrics;
            try
            {
                metrics = reused?.Metrics ?? Evaluator.Evaluate(scores, isMember, y, options);
            }
            catch (InputException e)
            {
                // e.g. every non-member unscored (LiRA with fewer than 2 OUT references for each)
                leftOut.Add(new LeftOut(record.Attack, record.Target, $"cannot be evaluated: {e.Message}"));
                progress?.Invoke(new StageProgress("evaluate", ++done, total));
                continue;
            }
            views[(record.Attack, record.Target)] = (scores, isMember);
            evaluations.Add(new AttackEvaluation(record.Attack, record.Family, record.Target, metrics, record.ScoresSha256,
                record.Parameters, record.References, record.Extras));
            progress?.Invoke(new StageProgress("evaluate", ++done, total));
        }

        var pooled = new List<PooledEvaluation>();
        var groups = evaluations.GroupBy(e => e.Attack).Where(g => g.Count() > 1).ToList();
        // A pooled ROC holds every target's scores, so its bootstrap is the longest part of the stage: shown per resample.
        if (groups.Count > 0) progress?.Invoke(new StageProgress("evaluate pooled", 0, groups.Count));
        for (int g = 0; g < groups.Count; g++)
        {
            cancel.ThrowIfCancellationRequested();
            var group = groups[g];
            var members = group.OrderBy(e => e.Target).ToList();
            string key = PooledKey(members);
            var reused = sameOptions ? previous!.Pooled.FirstOrDefault(p => p.Attack == group.Key && p.Key == key) : null;
            int index = g;
            var metrics = reused?.Metrics ?? Evaluator.EvaluatePooled(members.Select(e => views[(e.Attack, e.Target)]).ToList(),
                options with { PerClass = false }, StageProgress.Throttled(progress,
                    (finished, resamples) => new StageProgress("evaluate pooled", index + ((double)finished / resamples), groups.Count))).Metrics;
            pooled.Add(new PooledEvaluation(group.Key, members.Select(e => e.Target).ToList(), metrics, key));
            progress?.Invoke(new StageProgress("evaluate pooled", g + 1, groups.Count));
        }

        var evaluated = evaluations.Select(e => (e.Attack, e.Target)).Concat(distributions.Select(d => (d.Attack, d.Target))).ToHashSet();
        var targets = records.Where(r => evaluated.Contains((r.Attack, r.Target))).GroupBy(r => r.Target).OrderBy(g => g.Key).Select(g => g.First().TargetSummary).ToList();
        var result = new RunMetrics(options, targets, evaluations, pooled, leftOut, distributions)
        {
            Privacy = run.Config is { } config ? Privacy.DpSgdPrivacy.Resolve(config) : null,
        };
        result.Write(run.Paths.Metrics);
        return result;
    }

    /// <summary>An external target without target.members: its row of keep.npy is no membership.</summary>
    public static bool MembershipUnknown(RunDirectory run, int target) =>
        run.Target is { MembersKnown: false } && target == ExternalTarget.Model;

    /// <summary>Every record under attacks/, with a problem when its scores do not match it.</summary>
    private static IEnumerable<(AttackRecord Record, string? Problem)> Records(RunDirectory run)
    {
        string root = run.Paths.AttacksDirectory;
        if (!Directory.Exists(root)) yield break;
        foreach (var dir in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
            foreach (var path in Directory.EnumerateFiles(dir, "target-*.json").Order(StringComparer.Ordinal))
            {
                var record = AttackRecord.TryRead(path);
                if (record is null) continue; // an interrupted write: there are no complete scores to evaluate
                string scores = Path.ChangeExtension(path, ".npy");
                string? sha = FileHash.Sha256OrNull(scores);
                yield return (record, sha == record.ScoresSha256 ? null
                    : sha is null ? $"{scores} is missing" : $"{scores} does not match its record (sha256 differs); run the attack again");
            }
    }

    /// <summary>Scores, membership and labels of the population samples.</summary>
    private static (double[] Scores, bool[] IsMember, long[] Labels) PopulationView(double[] scores, bool[] keep, long[] labels, bool[] holdout, string path)
    {
        if (scores.Length != labels.Length)
            throw new InputException($"{path}: has {scores.Length} scores but {RunLayout.LabelsFile} has {labels.Length} samples");
        var rows = Enumerable.Range(0, scores.Length).Where(i => !holdout[i]).ToArray();
        return (rows.Select(i => scores[i]).ToArray(), rows.Select(i => keep[i]).ToArray(), rows.Select(i => labels[i]).ToArray());
    }

    private static string PooledKey(IEnumerable<AttackEvaluation> members) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join(";", members.Select(m => $"{m.Target}:{m.ScoresSha256}")))));
}
