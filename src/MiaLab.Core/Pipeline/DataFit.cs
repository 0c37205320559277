using MiaLab.Core.Config;
using MiaLab.Core.Data;

namespace MiaLab.Core.Pipeline;

/// <summary>
/// Checks that a config fits the data it names, before the plan stage writes anything: the labels
/// are class indices 0…C−1 with at least two classes (a classifier run's), the model kind takes this sample shape, and
/// flips and shifts are asked only of images. Each problem is one <see cref="InputException"/>.
/// </summary>
public static class DataFit
{
    /// <summary>A sample can be flipped or shifted: an image [C, H, W] at least 2 pixels each way.</summary>
    public static bool Flippable(Dataset data) => data.IsImage && data.SampleShape[1] >= 2 && data.SampleShape[2] >= 2;

    public static void Check(RunConfig config, Dataset data)
    {
        // An image-to-image run's attacks read reconstruction errors, never labels (the files task has none).
        if (config.Task is null) CheckLabels(data);
        string shape = "[" + string.Join(", ", data.SampleShape) + "]";
        if (ConfigFile.ImageModelKinds.Contains(config.Model.Kind) && !data.IsImage)
            throw new InputException($"model.kind {config.Model.Kind} needs images [C, H, W] but {data.Name} has samples of shape {shape}; use model.kind mlp for vectors");
        if (!Flippable(data))
        {
            if (config.Query.Augmentations?.Contains(ModelQuery.HorizontalFlip) == true)
                throw new InputException($"query.augmentations lists hflip but {data.Name} has samples of shape {shape}, not images; use [identity]");
            if (config.Training.AugmentFlip)
                throw new InputException($"training.augment_flip needs images but {data.Name} has samples of shape {shape}");
            if (config.Training.AugmentShift > 0)
                throw new InputException($"training.augment_shift needs images but {data.Name} has samples of shape {shape}");
        }
    }

    private static void CheckLabels(Dataset data)
    {
        var present = data.Labels.Distinct().Order().ToList();
        if (present.Count < 2)
            throw new InputException($"the data ({data.Name}) has {present.Count} class{(present.Count == 1 ? $" (label {present[0]})" : "es")}; membership inference needs a classifier of at least 2 classes");
        long max = present[^1];
        if (present[0] < 0)
            throw new InputException($"the data ({data.Name}) has the negative label {present[0]}; labels must be class indices 0…C−1");
        if (present.Count < max + 1)
        {
            long gap = Enumerable.Range(0, (int)Math.Min(max + 1, int.MaxValue)).First(c => present.BinarySearch(c) < 0);
            throw new InputException($"the labels of {data.Name} run up to {max} but only {present.Count} distinct values appear (class {gap} never does); " +
                "labels must be the class indices 0…C−1 — a typo in a label would make a model of that many classes");
        }
    }
}
