using MiaLab.Core.Config;
using MiaLab.Core.Data;
using MiaLab.Core.Runs;

namespace MiaLab.Core.Pipeline;

/// <summary>The run's samples: the population followed by the optional extra split (holdout)
/// that no model trains on. Row i of every run-directory array is sample i here.</summary>
public sealed record RunData(Dataset Samples, int Population, int Holdout)
{
    public bool[]? HoldoutMask => KeepPlan.HoldoutMask(Population, Holdout);
}

/// <summary>
/// Plan stage: loads the dataset a config names, draws the keep matrix, and creates (or
/// reopens, when the config matches) the run directory.
/// </summary>
public static class PlanStage
{
    public static (RunDirectory Run, RunData Data) Prepare(RunConfig config, string runRoot, Action<string>? log = null,
        Action<StageProgress>? progress = null, CancellationToken cancel = default)
    {
        ConfigFile.Validate(config);
        var data = LoadData(config, log, progress, cancel);
        var keep = KeepPlan.Create(config.Plan.Models, data.Population, config.Plan.Scheme, config.Seed);
        var info = new DatasetInfo(data.Samples.Name, data.Samples.ComputeSha256(), data.Population, data.Holdout,
            data.Samples.NumClasses, data.Samples.SampleShape);
        // Create refuses a directory made with another config or dataset.
        var run = RunDirectory.Create(runRoot, config, info, data.Samples.Labels, KeepPlan.WithHoldout(keep, data.Holdout), data.HoldoutMask);
        return (run, data);
    }

    /// <summary>progress and cancel serve a dataset download (only Fashion-MNIST has one).</summary>
    public static RunData LoadData(RunConfig config, Action<string>? log = null, Action<StageProgress>? progress = null,
        CancellationToken cancel = default)
    {
        if (config.Task is not null) return Translation.TranslationData.Load(config, log, progress, cancel);
        var (population, holdout) = DatasetLoader.Load(config.Dataset, config.Seed, log, progress, cancel);
        if (holdout is null) return new RunData(population, population.Count, 0);
        if (!holdout.SampleShape.SequenceEqual(population.SampleShape))
            throw new InputException("the holdout split's sample shape differs from the population's");
        int classes = Math.Max(population.NumClasses, holdout.NumClasses);
        var joined = new Dataset(population.Name, [.. population.Features, .. holdout.Features], population.SampleShape,
            [.. population.Labels, .. holdout.Labels], classes);
        return new RunData(joined, population.Count, holdout.Count);
    }
}
