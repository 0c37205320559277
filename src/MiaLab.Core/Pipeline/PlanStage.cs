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
    /// <param name="checkData">Runs once the data is loaded, before anything is written: the CLI
    /// checks an external target's ONNX model against the data there.</param>
    public static (RunDirectory Run, RunData Data) Prepare(RunConfig config, string runRoot, Action<string>? log = null,
        Action<StageProgress>? progress = null, CancellationToken cancel = default, Action<RunData>? checkData = null)
    {
        ConfigFile.Validate(config);
        var data = LoadData(config, log, progress, cancel);
        DataFit.Check(config, data.Samples); // before the first byte is written
        var (keep, target) = Keep(config, data);
        checkData?.Invoke(data);
        var info = new DatasetInfo(data.Samples.Name, data.Samples.ComputeSha256(), data.Population, data.Holdout,
            data.Samples.NumClasses, data.Samples.SampleShape);
        // Create refuses a directory made with another config, dataset or target.
        var run = RunDirectory.Create(runRoot, config, info, data.Samples.Labels, KeepPlan.WithHoldout(keep, data.Holdout), data.HoldoutMask, target);
        return (run, data);
    }

    /// <summary>The keep matrix over the population. With an external target, row 0 is its
    /// membership (all false when unknown) and rows 1…M−1 are the references' plan under the
    /// configured scheme, so the references are balanced among themselves.</summary>
    public static (bool[][] Keep, ExternalTarget? Target) Keep(RunConfig config, RunData data)
    {
        if (config.Target is not { } t)
            return (KeepPlan.Create(config.Plan.Models, data.Population, config.Plan.Scheme, config.Seed), null);
        string onnx = t.Onnx!;
        if (!File.Exists(onnx))
            throw new InputException(Directory.Exists(onnx) ? $"{onnx}: is a folder, expected target.onnx as an .onnx file" : $"{onnx}: target.onnx file not found");
        var members = t.Members is null ? new bool[data.Population] : TargetMembers.Read(t.Members, data.Population);
        var references = KeepPlan.Create(config.Plan.Models - 1, data.Population, config.Plan.Scheme, config.Seed);
        return ([members, .. references], ExternalTarget.Describe(onnx, t.Members));
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
