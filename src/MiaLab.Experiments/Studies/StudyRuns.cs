using MiaLab.Core.Config;
using MiaLab.Core.Evaluation;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Runs;
using MiaLab.Onnx;
using MiaLab.Reports;
using MiaLab.Torch.Pipeline;
using MiaLab.Torch.Training;

namespace MiaLab.Experiments.Studies;

/// <summary>The stages a study's setting usually runs, each through the run directory: plan → train →
/// query, then attack → evaluate → report on the target. Every step is resumable.</summary>
public static class StudyRuns
{
    /// <summary>Plans (or reopens), (image-to-image: computes L_pred,) trains and queries the setting's run directory.</summary>
    /// <param name="backboneDirectory">Image-to-image runs: where the predictability backbone is cached (null = the run's backbone/).</param>
    public static (RunDirectory Run, RunData Data) TrainAndQuery(RunConfig config, string root, StudyContext context,
        Func<RunConfig, RunData, IReadOnlyList<int>, TrainingHooks?>? hooks = null, string? backboneDirectory = null)
    {
        string name = Path.GetFileName(root);
        var (run, data) = PlanStage.Prepare(config, root, context.Log, context.Progress, context.Cancel);
        if (config.Task is not null)
        {
            using var backbone = OnnxPredictabilityBackbone.Load(config, data.Samples); // null: the zoo backbone
            PredictabilityStage.Run(run, config, data, backbone, p => context.Progress?.Invoke(p with { Task = $"predictability {name}" }),
                context.Log, context.Cancel, backboneDirectory);
        }
        TrainStage.Run(run, config, data, progress: p => context.Progress?.Invoke(p with { Task = $"train {name}" }),
            cancel: context.Cancel, hooks: hooks);
        QueryStage.Run(run, config, data, progress: p => context.Progress?.Invoke(p with { Task = $"query {name}" }), cancel: context.Cancel);
        return (run, data);
    }

    /// <summary>Attacks the target with the given attacks, evaluates every score file and writes the
    /// setting's own audit report (report/index.html, linked from the study's page).</summary>
    public static RunMetrics Audit(RunDirectory run, RunData data, int target, IReadOnlyList<string>? attacks,
        EvaluationOptions evaluation, StudyContext context)
    {
        AttackStage.Run(run, new AttackPlan([target], attacks, null, run.Config?.Seed ?? 0), cancel: context.Cancel);
        var metrics = EvaluateStage.Run(run, evaluation, cancel: context.Cancel);
        ReportStage.Write(run, target, data.Samples, context.Log);
        return metrics;
    }

    /// <summary>The target's strongest attack (Core's one ranking).</summary>
    public static AttackEvaluation? Strongest(RunMetrics metrics, int target) =>
        AttackRanking.Strongest(metrics.ForTarget(target), a => a.Metrics, a => a.Attack);
}
