using MiaLab.Core.Config;
using MiaLab.Core.IO;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Randomness;

namespace MiaLab.Core.Data;

/// <summary>
/// The dataset stage: turns the dataset section of a run config into the population (the N
/// samples the plan assigns to models) and an optional holdout no model ever trains on.
/// Every choice of samples derives from the run seed.
/// </summary>
public static class DatasetLoader
{
    private const string Sources = "fashion-mnist, synthetic, npz, csv, idx";


    /// <summary>progress and cancel serve a download of Fashion-MNIST (bytes done/total).</summary>
    public static (Dataset Population, Dataset? Holdout) Load(DatasetConfig config, int seed, Action<string>? log = null,
        Action<StageProgress>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Population < 0) throw new InputException($"dataset.population must be ≥ 0 (got {config.Population})");
        if (config.Holdout < 0) throw new InputException($"dataset.holdout must be ≥ 0 (got {config.Holdout})");

        switch (config.Source)
        {
            case "fashion-mnist":
                {
                    // dataset.path, when given, is the folder holding the four files.
                    var (train, test) = FashionMnist.Load(config.Path, log, progress, cancel);
                    var population = Subsample(train, config.Population, StableRandom.For(seed, "population", 0), "dataset.population", "training samples of fashion-mnist");
                    Dataset? holdout = config.Holdout == 0 ? null
                        : Subsample(test, config.Holdout, StableRandom.For(seed, "holdout", 0), "dataset.holdout", "test samples of fashion-mnist");
                    return (population, holdout);
                }
            case "synthetic":
                {
                    var s = config.Synthetic;
                    log?.Invoke($"Generating {s.Samples} synthetic samples ({s.Features} features, {s.Classes} classes)");
                    return Split(SyntheticGaussian.Generate(s.Samples, s.Features, s.Classes, s.Separation, seed), config, seed);
                }
            case "npz":
                return Split(LoadNpz(RequirePath(config.Path, "npz")), config, seed);
            case "csv":
                {
                    string path = RequirePath(config.Path, "csv");
                    var (features, labels, featureCount) = Csv.ReadLabelledTable(path, config.LabelColumn);
                    int classes = (int)Math.Clamp(labels.Max() + 1, 1, int.MaxValue);
                    return Split(new Dataset(Path.GetFileName(path), features, [featureCount], labels, classes), config, seed);
                }
            case "idx":
                {
                    string images = RequirePath(config.Path, "idx");
                    string labels = config.LabelsPath ?? throw new InputException("dataset.labels_path is required when dataset.source is idx (the IDX labels file)");
                    var x = Idx.Read(images);
                    var y = Idx.Read(labels);
                    return Split(ArrayDatasets.FromArrays(Path.GetFileName(images), x, images, y, labels, scaleBytes: true, numClasses: null), config, seed);
                }
            default:
                throw new InputException($"dataset.source '{config.Source}' is unknown; expected one of: {Sources}");
        }
    }

    private static Dataset LoadNpz(string path)
    {
        var arrays = Npz.Read(path);
        string keys = string.Join(", ", arrays.Keys);
        var x = arrays.TryGetValue("x", out var xa) ? xa : throw new InputException($"{path}: no array 'x' (the features); keys are: {keys}");
        var y = arrays.TryGetValue("y", out var ya) ? ya : throw new InputException($"{path}: no array 'y' (the labels); keys are: {keys}");
        return ArrayDatasets.FromArrays(Path.GetFileName(path), x, $"{path}:x", y, $"{path}:y", scaleBytes: false, numClasses: null);
    }

    private static string RequirePath(string? path, string source) =>
        string.IsNullOrWhiteSpace(path)
            ? throw new InputException($"dataset.path is required when dataset.source is {source}")
            : path;

    /// <summary>Holdout = the first Holdout samples of a seeded shuffle; population = the rest (or Population of them).</summary>
    internal static (Dataset Population, Dataset? Holdout) Split(Dataset all, DatasetConfig config, int seed)
    {
        if (config.Holdout >= all.Count)
            throw new InputException($"dataset.holdout = {config.Holdout} leaves no population: the dataset has {all.Count} samples");
        int remaining = all.Count - config.Holdout;
        if (config.Population > remaining)
            throw new InputException($"dataset.population = {config.Population} is larger than the {remaining} samples left after a holdout of {config.Holdout} (dataset has {all.Count})");

        int[] order = StableRandom.For(seed, "holdout", 0).Permutation(all.Count);
        int populationSize = config.Population == 0 ? remaining : config.Population;
        // Sorted so the population keeps the file's order: index i in the run is easy to trace back.
        int[] holdout = order[..config.Holdout];
        int[] population = order[config.Holdout..(config.Holdout + populationSize)];
        Array.Sort(holdout);
        Array.Sort(population);
        return (all.Subset(population), config.Holdout == 0 ? null : all.Subset(holdout));
    }

    private static Dataset Subsample(Dataset data, int size, StableRandom random, string option, string what)
    {
        if (size > data.Count)
            throw new InputException($"{option} = {size} is larger than the {data.Count} {what}");
        if (size == 0 || size == data.Count) return data;
        return data.Subset(Chosen(data.Count, size, random));
    }

    /// <summary>The sorted indices a subsample of <paramref name="size"/> out of <paramref name="count"/> takes.</summary>
    private static int[] Chosen(int count, int size, StableRandom random)
    {
        int[] chosen = random.Permutation(count)[..size];
        Array.Sort(chosen);
        return chosen;
    }

    /// <summary>The indices of Fashion-MNIST's test split that the holdout of <paramref name="config"/> takes
    /// (what a backbone trained on the test split must leave out to stay disjoint from the run's samples).</summary>
    public static IReadOnlySet<int> FashionMnistHoldoutIndices(DatasetConfig config, int seed, int testCount) =>
        config.Holdout == 0 ? new HashSet<int>()
        : config.Holdout >= testCount ? Enumerable.Range(0, testCount).ToHashSet()
        : Chosen(testCount, config.Holdout, StableRandom.For(seed, "holdout", 0)).ToHashSet();
}
