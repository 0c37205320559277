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
        bool first = SelectsFirst(config);

        switch (config.Source)
        {
            case "fashion-mnist":
                {
                    // dataset.path, when given, is the folder holding the four files.
                    var (train, test) = FashionMnist.Load(config.Path, log, progress, cancel);
                    var population = Subsample(train, config.Population, first, StableRandom.For(seed, "population", 0), "dataset.population", "training samples of fashion-mnist");
                    Dataset? holdout = config.Holdout == 0 ? null
                        : Subsample(test, config.Holdout, first, StableRandom.For(seed, "holdout", 0), "dataset.holdout", "test samples of fashion-mnist");
                    return (population, holdout);
                }
            case "synthetic":
                {
                    var s = config.Synthetic;
                    log?.Invoke($"Generating {s.Samples} synthetic samples ({s.Features} features, {s.Classes} classes)");
                    return Split(SyntheticGaussian.Generate(s.Samples, s.Features, s.Classes, s.Separation, seed), config, first, seed);
                }
            case "npz":
            case "csv":
            case "idx":
                {
                    var data = ReadFile(config.Source, RequirePath(config.Path, config.Source), config.LabelsPath, config.LabelColumn, "dataset.labels_path");
                    if (config.HoldoutPath is null) return Split(data, config, first, seed);
                    var held = ReadFile(config.Source, config.HoldoutPath, config.HoldoutLabelsPath, config.LabelColumn, "dataset.holdout_labels_path");
                    if (!held.SampleShape.SequenceEqual(data.SampleShape))
                        throw new InputException($"{config.HoldoutPath}: holdout samples have shape {NpyArray.FormatShape(held.SampleShape)} but the data's are {NpyArray.FormatShape(data.SampleShape)} ({config.Path})");
                    var population = Subsample(data, config.Population, first, StableRandom.For(seed, "population", 0), "dataset.population", $"samples of {config.Path}");
                    // holdout 0 with a holdout file = all of it
                    var holdout = Subsample(held, config.Holdout, first, StableRandom.For(seed, "holdout", 0), "dataset.holdout", $"samples of {config.HoldoutPath}");
                    return (population, holdout);
                }
            default:
                throw new InputException($"dataset.source '{config.Source}' is unknown; expected one of: {Sources}");
        }
    }

    /// <summary>One npz, csv or idx file (idx: images at <paramref name="path"/>, labels at <paramref name="labelsPath"/>).</summary>
    private static Dataset ReadFile(string source, string path, string? labelsPath, string? labelColumn, string labelsKey)
    {
        switch (source)
        {
            case "npz":
                return LoadNpz(path);
            case "csv":
                {
                    var (features, labels, featureCount) = Csv.ReadLabelledTable(path, labelColumn);
                    int classes = (int)Math.Clamp(labels.Max() + 1, 1, int.MaxValue);
                    return new Dataset(Path.GetFileName(path), features, [featureCount], labels, classes);
                }
            default:
                {
                    string labels = labelsPath ?? throw new InputException($"{labelsKey} is required when dataset.source is idx (the IDX labels file)");
                    var x = Idx.Read(path);
                    var y = Idx.Read(labels);
                    return ArrayDatasets.FromArrays(Path.GetFileName(path), x, path, y, labels, scaleBytes: true, numClasses: null);
                }
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

    /// <summary>dataset.population_select: first (true) or random (false).</summary>
    private static bool SelectsFirst(DatasetConfig config) => config.PopulationSelect switch
    {
        "first" => true,
        "random" => false,
        _ => throw new InputException($"dataset.population_select must be random or first (got '{config.PopulationSelect}')"),
    };

    /// <summary>One array of samples split as dataset.population_select says (the image-to-image files task's).</summary>
    internal static (Dataset Population, Dataset? Holdout) Split(Dataset all, DatasetConfig config, int seed) =>
        Split(all, config, SelectsFirst(config), seed);

    /// <summary>random: holdout = the first Holdout samples of a seeded shuffle, population = the rest
    /// (or Population of them). first: population = the first rows, holdout = the last Holdout rows.</summary>
    private static (Dataset Population, Dataset? Holdout) Split(Dataset all, DatasetConfig config, bool first, int seed)
    {
        if (config.Holdout >= all.Count)
            throw new InputException($"dataset.holdout = {config.Holdout} leaves no population: the dataset has {all.Count} samples");
        int remaining = all.Count - config.Holdout;
        if (config.Population > remaining)
            throw new InputException($"dataset.population = {config.Population} is larger than the {remaining} samples left after a holdout of {config.Holdout} (dataset has {all.Count})");

        int populationSize = config.Population == 0 ? remaining : config.Population;
        int[] holdout, population;
        if (first)
        {
            population = Enumerable.Range(0, populationSize).ToArray();
            holdout = Enumerable.Range(all.Count - config.Holdout, config.Holdout).ToArray();
        }
        else
        {
            int[] order = StableRandom.For(seed, "holdout", 0).Permutation(all.Count);
            // Sorted so the population keeps the file's order: index i in the run is easy to trace back.
            holdout = order[..config.Holdout];
            population = order[config.Holdout..(config.Holdout + populationSize)];
            Array.Sort(holdout);
            Array.Sort(population);
        }
        return (all.Subset(population), config.Holdout == 0 ? null : all.Subset(holdout));
    }

    /// <summary>size rows of data (0 = all): the first ones, or a seeded random subset in file order.</summary>
    private static Dataset Subsample(Dataset data, int size, bool first, StableRandom random, string option, string what)
    {
        if (size > data.Count)
            throw new InputException($"{option} = {size} is larger than the {data.Count} {what}");
        if (size == 0 || size == data.Count) return data;
        return data.Subset(Chosen(data.Count, size, first, random));
    }

    /// <summary>The sorted indices a subsample of <paramref name="size"/> out of <paramref name="count"/> takes.</summary>
    private static int[] Chosen(int count, int size, bool first, StableRandom random)
    {
        int[] chosen = first ? Enumerable.Range(0, size).ToArray() : random.Permutation(count)[..size];
        Array.Sort(chosen);
        return chosen;
    }

    /// <summary>The indices of Fashion-MNIST's test split that the holdout of <paramref name="config"/> takes
    /// (what a backbone trained on the test split must leave out to stay disjoint from the run's samples).</summary>
    public static IReadOnlySet<int> FashionMnistHoldoutIndices(DatasetConfig config, int seed, int testCount) =>
        config.Holdout == 0 ? new HashSet<int>()
        : config.Holdout >= testCount ? Enumerable.Range(0, testCount).ToHashSet()
        : Chosen(testCount, config.Holdout, SelectsFirst(config), StableRandom.For(seed, "holdout", 0)).ToHashSet();
}
