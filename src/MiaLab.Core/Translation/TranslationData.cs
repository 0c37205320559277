using MiaLab.Core.Config;
using MiaLab.Core.Data;
using MiaLab.Core.IO;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Randomness;

namespace MiaLab.Core.Translation;

/// <summary>
/// The data of an image-to-image run: every sample's input (the dataset's features) and target
/// (<see cref="Dataset.Targets"/>). Tasks built from Fashion-MNIST take the population and holdout
/// of the dataset section; files read both arrays and split them like any dataset. The labels are
/// Fashion-MNIST's classes (for files, all 0): attacks do not read them.
/// </summary>
public static class TranslationData
{
    public static RunData Load(RunConfig config, Action<string>? log = null, Action<StageProgress>? progress = null, CancellationToken cancel = default)
    {
        var task = config.Task ?? throw new InputException("the run has no task section");
        if (task.Kind == "files") return LoadFiles(config, task);
        var (population, holdout) = DatasetLoader.Load(config.Dataset, config.Seed, log, progress, cancel);
        if (!population.IsImage)
            throw new InputException($"task.kind {task.Kind} needs images; dataset.source {config.Dataset.Source} gives samples of shape {NpyArray.FormatShape(population.SampleShape)}");
        var joined = holdout is null ? population
            : new Dataset(population.Name, [.. population.Features, .. holdout.Features], population.SampleShape,
                [.. population.Labels, .. holdout.Labels], Math.Max(population.NumClasses, holdout.NumClasses));
        int c = joined.SampleShape[0], h = joined.SampleShape[1], w = joined.SampleShape[2];
        int side = TargetSide(task, h, w);
        if (task.Kind == "superres" && (h % task.Factor != 0 || w % task.Factor != 0))
            throw new InputException($"task.factor {task.Factor} does not divide the {h}×{w} images");
        var inputs = new float[joined.Features.Length];
        float[]? targets = null;
        int targetChannels = 0;
        for (int i = 0; i < joined.Count; i++)
        {
            var (input, target, channels) = ImageTasks.Pair(task, joined.Features.AsSpan(i * joined.FeatureLength, joined.FeatureLength), c, h, w,
                StableRandom.For(config.Seed, "task", i));
            if (side != h) target = ImageTasks.BlockMean(target, channels, h, w, h / side);
            targets ??= new float[(long)joined.Count * target.Length];
            targetChannels = channels;
            input.CopyTo(inputs, (long)i * joined.FeatureLength);
            target.CopyTo(targets, (long)i * target.Length);
        }
        var data = new Dataset($"{joined.Name} {task.Kind}", inputs, joined.SampleShape, joined.Labels, joined.NumClasses)
            .WithTargets(targets ?? [], [targetChannels, side, side]);
        CheckGrid(task, side);
        return new RunData(data, population.Count, holdout?.Count ?? 0);
    }

    /// <summary>The target side task.target_size asks for (0 = the image's), checked to divide square images.</summary>
    public static int TargetSide(TaskConfig task, int height, int width)
    {
        if (height != width)
            throw new InputException($"image-to-image tasks need square images, got {height}×{width}");
        int side = task.TargetSize == 0 ? height : task.TargetSize;
        if (side > height || height % side != 0)
            throw new InputException($"task.target_size {task.TargetSize} must divide the image side {height} (e.g. {height}, {height / 2}, {height / 4})");
        return side;
    }

    /// <summary>The predictability grid: task.predictability.grid, or (0) the target side capped at 14.</summary>
    public static int Grid(TaskConfig task, int targetSide) => task.Predictability.Grid == 0 ? Math.Min(14, targetSide) : task.Predictability.Grid;

    private static void CheckGrid(TaskConfig task, int targetSide)
    {
        int grid = Grid(task, targetSide);
        if (grid > targetSide)
            throw new InputException($"task.predictability.grid {grid} is larger than the {targetSide}×{targetSide} target; use at most {targetSide}");
        if (grid < 2)
            throw new InputException($"task.predictability.grid must be at least 2 (got {grid})");
    }

    private static RunData LoadFiles(RunConfig config, TaskConfig task)
    {
        var x = Read(task.Inputs!, "inputs");
        var y = Read(task.Targets!, "targets");
        if (x.Shape[0] != y.Shape[0])
            throw new InputException($"{task.Targets}: {y.Shape[0]} targets for {x.Shape[0]} inputs in {task.Inputs}");
        if (x.Shape[0] < 2) throw new InputException($"{task.Inputs}: needs at least 2 samples, has {x.Shape[0]}");
        int[] inputShape = ImageShape(x, task.Inputs!, "inputs");
        int[] targetShape = ImageShape(y, task.Targets!, "targets");
        if (inputShape[1] != targetShape[1] || inputShape[2] != targetShape[2])
            throw new InputException($"{task.Targets}: targets of {targetShape[1]}×{targetShape[2]} pixels for inputs of {inputShape[1]}×{inputShape[2]} in {task.Inputs}; a U-Net maps an image to one of the same size");
        int side = TargetSide(task, targetShape[1], targetShape[2]);
        float[] inputs = Pixels(x, task.Inputs!), targets = Pixels(y, task.Targets!);
        if (side != targetShape[1])
        {
            int per = targetShape.Aggregate(1, (a, d) => a * d);
            var reduced = new List<float>();
            for (int i = 0; i < x.Shape[0]; i++)
                reduced.AddRange(ImageTasks.BlockMean(targets.AsSpan(i * per, per), targetShape[0], targetShape[1], targetShape[2], targetShape[1] / side));
            targets = [.. reduced];
        }
        CheckGrid(task, side);
        var all = new Dataset(Path.GetFileName(task.Inputs!), inputs, inputShape, new long[x.Shape[0]], 1)
            .WithTargets(targets, [targetShape[0], side, side]);
        var (population, holdout) = DatasetLoader.Split(all, config.Dataset, config.Seed);
        return holdout is null ? new RunData(population, population.Count, 0)
            : new RunData(JoinWithTargets(population, holdout), population.Count, holdout.Count);
    }

    private static Dataset JoinWithTargets(Dataset a, Dataset b) =>
        new Dataset(a.Name, [.. a.Features, .. b.Features], a.SampleShape, [.. a.Labels, .. b.Labels], Math.Max(a.NumClasses, b.NumClasses))
            .WithTargets([.. a.Targets!, .. b.Targets!], a.TargetShape!);

    private static NpyArray Read(string path, string key)
    {
        if (path.EndsWith(".npz", StringComparison.OrdinalIgnoreCase))
        {
            var arrays = Npz.Read(path);
            return arrays.TryGetValue(key, out var a) ? a
                : arrays.Count == 1 ? arrays.Values.First()
                : throw new InputException($"{path}: no array '{key}'; keys are: {string.Join(", ", arrays.Keys)}");
        }
        return Npy.Read(path);
    }

    private static int[] ImageShape(NpyArray a, string path, string what) => a.Shape.Length switch
    {
        3 => [1, a.Shape[1], a.Shape[2]],
        4 => [a.Shape[1], a.Shape[2], a.Shape[3]],
        _ => throw new InputException($"{path}: {what} have shape {NpyArray.FormatShape(a.Shape)}; expected [N, H, W] or [N, C, H, W]"),
    };

    private static float[] Pixels(NpyArray a, string path)
    {
        var values = a.Data is byte[] bytes ? Dataset.ScalePixels(bytes) : a.ToFloat32();
        int bad = Array.FindIndex(values, v => !float.IsFinite(v) || v < 0 || v > 1);
        if (bad >= 0) throw new InputException($"{path}: value {values[bad]} at position {bad} is outside [0, 1] (images are read as values in [0, 1], or uint8)");
        return values;
    }
}
