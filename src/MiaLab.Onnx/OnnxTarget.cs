using MiaLab.Core.Config;
using MiaLab.Core.Data;
using MiaLab.Core.Models;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Runs;

namespace MiaLab.Onnx;

/// <summary>
/// The external target of a black-box audit (config section target:) where it enters the pipeline:
/// checked against the data before the plan writes anything, and handed to the query stage as
/// model 0 in place of a model MiaLab trained.
/// </summary>
public static class OnnxTarget
{
    /// <summary>Opens the target's ONNX model for the run's samples.</summary>
    public static OnnxModel Load(RunConfig config, Dataset samples) =>
        Load(config, config.Target?.Onnx ?? throw new ArgumentException("the config has no target section", nameof(config)),
            samples.SampleShape, samples.NumClasses);

    /// <summary>Opens <paramref name="onnxPath"/> with the settings of the config's target section
    /// (the file a run or a MINT detector recorded, found from any folder).</summary>
    public static OnnxModel Load(RunConfig config, string onnxPath, int[] sampleShape, int classes)
    {
        ArgumentNullException.ThrowIfNull(config);
        var target = ConfigFile.Clone(config).Target ?? throw new ArgumentException("the config has no target section", nameof(config));
        target.Onnx = onnxPath;
        return OnnxModel.Load(target, sampleShape, classes, "target", config.Device);
    }

    /// <summary>For PlanStage.Prepare's check: the model must load and fit the data (one clear
    /// line otherwise), and answer one sample.</summary>
    public static void Check(RunConfig config, RunData data)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(data);
        if (config.Target is null) return;
        using var model = Load(config, data.Samples);
        model.Run(data.Samples.Features.AsSpan(0, data.Samples.FeatureLength), 1);
    }

    /// <summary>For QueryStage.Run's load: the ONNX model for model 0 of a run with an external
    /// target; null (MiaLab's own model, rebuilt from its weights) for every other index.</summary>
    public static Func<int, IModel?> Loader(RunDirectory run, RunConfig config, Dataset samples)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Target is null) return _ => null;
        // The file the plan recorded (a full path), so a later command from another folder finds it.
        string onnx = run.Target.Onnx;
        return m => m == ExternalTarget.Model ? Load(config, onnx, samples.SampleShape, samples.NumClasses) : null;
    }
}
