using MiaLab.Core.Cluster;
using MiaLab.Core.Runs;

namespace MiaLab.Core.Pipeline;

/// <summary>One model of a run as `mialab train --status` shows it: its status by its record and
/// files, how far its training has come while it trains, and whether it is the external target.</summary>
public sealed record ModelProgress(int Model, ModelStatus Status, TrainingProgress? Training, bool External);

/// <summary>
/// Where every model of a run stands, and the attack stage's rule: a run MiaLab planned is attacked
/// only when every model is trained and queried; otherwise one line names the missing models and,
/// when a SLURM array fills the run, whether its tasks are still active.
/// </summary>
public static class RunCompleteness
{
    public static IReadOnlyList<ModelProgress> Of(RunDirectory run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return Enumerable.Range(0, run.Models).Select(m =>
        {
            var status = StatusOrPending(run, m);
            return new ModelProgress(m, status, status == ModelStatus.Pending ? TrainingProgress.Read(run.Paths, m) : null,
                run.Target is not null && m == ExternalTarget.Model);
        }).ToList();
    }

    /// <summary>Throws an <see cref="InputException"/> naming the models that are not complete.
    /// A run directory another tool wrote (no manifest) has no records; its logits are checked as it is read.</summary>
    public static void Require(RunDirectory run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Config is null) return;
        var missing = Enumerable.Range(0, run.Models).Select(m => (Model: m, Status: StatusOrPending(run, m)))
            .Where(x => x.Status != ModelStatus.Queried).ToList();
        if (missing.Count == 0) return;
        var parts = new List<string>();
        var pending = missing.Where(x => x.Status == ModelStatus.Pending).Select(x => x.Model).ToList();
        var unqueried = missing.Where(x => x.Status == ModelStatus.Trained).Select(x => x.Model).ToList();
        if (pending.Count > 0) parts.Add($"not trained: {List(pending)}");
        if (unqueried.Count > 0) parts.Add($"trained but not queried: {List(unqueried)}");
        string slurm = "";
        if (SlurmJob.Read(run.Paths) is { } job)
        {
            var state = Slurm.State(job);
            slurm = state.Active > 0 ? $"; SLURM job {job.JobId} is still running ({state.Summary()})"
                : state.Known ? $"; SLURM job {job.JobId} has no task left running (see {run.Paths.SlurmDirectory}/task-*.out)" : "";
        }
        throw new InputException($"{run.Root}: {missing.Count} of {run.Models} models are not complete ({string.Join("; ", parts)}){slurm}; " +
            $"see 'mialab train --run {run.Root} --status', and attack once every model is trained and queried");
    }

    private static ModelStatus StatusOrPending(RunDirectory run, int m)
    {
        try { return run.Records.StatusOf(m); }
        catch (InputException) { return ModelStatus.Pending; } // a broken record is not complete
    }

    private static string List(IReadOnlyList<int> models) =>
        models.Count <= 12 ? string.Join(", ", models) : string.Join(", ", models.Take(12)) + $", … ({models.Count} in all)";
}
