using MiaLab.Core.Data;
using MiaLab.Core.Models;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Randomness;

namespace MiaLab.Core.Translation;

/// <summary>How L_pred is computed: the grid side, the fit share, the relative ridge and the seed of the splits.</summary>
public sealed record PredictabilityOptions(int Grid, double FitFraction = 0.7, double Ridge = 1e-3, int Seed = 0);

/// <summary>
/// L_pred of every sample of an image-to-image dataset from a backbone behind <see cref="IModel"/>:
/// the input (its channel mean, resized bilinearly when the backbone takes another size) goes through
/// the backbone in batches; the feature maps of its four deepest stages are each resized bilinearly
/// to the G×G grid and concatenated per position; the target is resized to the grid; then
/// <see cref="Predictability.Error"/> on the sample's own seeded split. Samples are fitted in parallel.
/// </summary>
public static class PredictabilityScores
{
    public const int Stages = 4;
    public const int BatchSize = 250;

    /// <summary>The four stages the features come from: the last four capture points whose activations
    /// are feature maps [B, C, H, W].</summary>
    public static IReadOnlyList<string> FeatureStages(IModel backbone)
    {
        int values = backbone.InputShape.Aggregate(1, (a, d) => a * d);
        var probe = backbone.Run(new float[values], 1, backbone.CapturePoints);
        var maps = backbone.CapturePoints.Where(p => probe.Activations[p].Shape.Length == 4).ToList();
        if (maps.Count < Stages)
            throw new InputException($"the predictability backbone has {maps.Count} stage(s) of feature maps ({string.Join(", ", maps)}); it needs at least {Stages}");
        return maps.Skip(maps.Count - Stages).ToList();
    }

    /// <summary>Named stages, checked against the backbone: each one of its tensors (capture points) whose
    /// activations are feature maps [B, C, H, W]. <paramref name="key"/> names the setting in messages.</summary>
    public static IReadOnlyList<string> CheckStages(IModel backbone, IReadOnlyList<string> stages, string key)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        ArgumentNullException.ThrowIfNull(stages);
        if (stages.Count != Stages)
            throw new InputException($"{key} names {stages.Count} tensor(s); the predictability score takes feature maps at exactly {Stages} stages");
        var points = backbone.CapturePoints;
        foreach (var stage in stages)
            if (!points.Contains(stage))
                throw new InputException($"{key}: '{stage}' is not a tensor of {backbone.Description}; it has: {string.Join(", ", points.Take(40))}{(points.Count > 40 ? ", …" : "")}");
        int values = backbone.InputShape.Aggregate(1, (a, d) => a * d);
        var probe = backbone.Run(new float[values], 1, stages);
        foreach (var stage in stages)
        {
            var shape = probe.Activations[stage].Shape;
            if (shape.Length != 4)
                throw new InputException($"{key}: '{stage}' gives activations of shape [{string.Join(", ", shape)}] for one sample, not feature maps [batch, C, H, W]");
        }
        return stages;
    }

    /// <param name="stages">The four stages the features come from; null = <see cref="FeatureStages"/>.</param>
    public static double[] Compute(IModel backbone, Dataset data, PredictabilityOptions options, Action<StageProgress>? progress = null,
        CancellationToken cancel = default, IReadOnlyList<string>? stages = null)
    {
        var targets = data.Targets ?? throw new InputException($"dataset '{data.Name}' has no targets: the predictability error needs an image-to-image task");
        if (!data.IsImage) throw new InputException("the predictability error needs image inputs [C, H, W]");
        int[] ts = data.TargetShape!;
        int grid = options.Grid, positions = grid * grid;
        if (grid < 2 || grid > ts[1] || grid > ts[2])
            throw new InputException($"the predictability grid {grid}×{grid} is larger than the {ts[1]}×{ts[2]} target (or smaller than 2)");
        if (backbone.InputShape.Count != 3)
            throw new InputException($"the predictability backbone takes inputs of shape [{string.Join(", ", backbone.InputShape)}]; it needs images [C, H, W]");
        stages ??= FeatureStages(backbone);
        int n = data.Count, inputValues = backbone.InputShape.Aggregate(1, (a, d) => a * d);
        var result = new double[n];
        progress?.Invoke(new StageProgress("predictability", 0, n));
        for (int start = 0; start < n; start += BatchSize)
        {
            cancel.ThrowIfCancellationRequested();
            int b = Math.Min(BatchSize, n - start);
            var inputs = new float[b * inputValues];
            for (int i = 0; i < b; i++)
                BackboneInput(data, start + i, backbone.InputShape).CopyTo(inputs, i * inputValues);
            var run = backbone.Run(inputs, b, stages);
            int features = stages.Sum(s => run.Activations[s].Shape[1]);
            Parallel.For(0, b, i =>
            {
                var maps = new float[features * positions];
                int at = 0;
                foreach (var stage in stages)
                {
                    var a = run.Activations[stage];
                    int c = a.Shape[1], h = a.Shape[2], w = a.Shape[3];
                    Bilinear.Resize(a.Values.AsSpan(i * c * h * w, c * h * w), c, h, w, grid, grid).CopyTo(maps, at);
                    at += c * positions;
                }
                var target = Bilinear.Resize(targets.AsSpan((start + i) * data.TargetLength, data.TargetLength), ts[0], ts[1], ts[2], grid, grid);
                var (fit, test) = Predictability.Split(positions, options.FitFraction, StableRandom.For(options.Seed, "predictability-split", start + i));
                result[start + i] = Predictability.Error(Predictability.PositionMajor(maps, features, positions), features,
                    Predictability.PositionMajor(target, ts[0], positions), ts[0], fit, test, options.Ridge);
            });
            progress?.Invoke(new StageProgress("predictability", start + b, n));
        }
        return result;
    }

    /// <summary>Sample i's input as the backbone takes it: as it is when the shapes agree, else its channel
    /// mean resized bilinearly to the backbone's H×W (repeated over its channels).</summary>
    public static float[] BackboneInput(Dataset data, int i, IReadOnlyList<int> inputShape)
    {
        var sample = data.Features.AsSpan(i * data.FeatureLength, data.FeatureLength);
        if (data.SampleShape.SequenceEqual(inputShape)) return sample.ToArray();
        int c = data.SampleShape[0], h = data.SampleShape[1], w = data.SampleShape[2];
        var grey = Bilinear.Resize(ImageTasks.Mean(sample, c, h, w), 1, h, w, inputShape[1], inputShape[2]);
        return Enumerable.Range(0, inputShape[0]).SelectMany(_ => grey).ToArray();
    }
}
