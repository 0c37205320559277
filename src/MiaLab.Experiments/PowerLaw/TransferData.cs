using System.Globalization;
using MiaLab.Core;
using MiaLab.Core.Config;
using MiaLab.Core.Data;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Randomness;

namespace MiaLab.Experiments.PowerLaw;

/// <summary>
/// The data of the transfer setting, split by class: the backbone's pretraining samples (its
/// classes) and, per S and seed, a fine-tuning pool of 2·S samples of each fine-tuning class. The
/// two sets of classes are disjoint, so the backbone never saw any sample of a pool. Pools of one
/// seed are nested (S = 4's pool starts with S = 2's), which keeps the S-to-S comparison free of
/// the noise of drawing new samples.
/// </summary>
public sealed class TransferData
{
    private readonly int[][] _byClass;

    private TransferData(Dataset all, string sha256)
    {
        All = all;
        Sha256 = sha256;
        var lists = Enumerable.Range(0, all.NumClasses).Select(_ => new List<int>()).ToArray();
        for (int i = 0; i < all.Count; i++) lists[all.Labels[i]].Add(i);
        _byClass = lists.Select(l => l.ToArray()).ToArray();
    }

    /// <summary>Every sample the study may draw from (the config's dataset, e.g. Fashion-MNIST's 60,000 training images).</summary>
    public Dataset All { get; }

    /// <summary>SHA-256 of <see cref="All"/> (Dataset.ComputeSha256).</summary>
    public string Sha256 { get; }

    /// <summary>How many samples class <paramref name="label"/> has.</summary>
    public int CountOf(int label) => label >= 0 && label < _byClass.Length ? _byClass[label].Length : 0;

    /// <summary>Loads the config's dataset (population and holdout as configured; the study uses the population).</summary>
    public static TransferData Load(RunConfig config, Action<string>? log = null, Action<StageProgress>? progress = null,
        CancellationToken cancel = default)
    {
        var (population, _) = DatasetLoader.Load(config.Dataset, config.Seed, log, progress, cancel);
        return new TransferData(population, population.ComputeSha256());
    }

    /// <summary>Data held in memory (tests).</summary>
    public static TransferData From(Dataset all) => new(all, all.ComputeSha256());

    /// <summary>Refuses, before anything is written, classes the data does not have and S values or
    /// a pretraining size the classes cannot supply.</summary>
    public void Check(PowerLawConfig p, IReadOnlyList<int> shots)
    {
        foreach (int c in p.Classes.Concat(p.Backbone.Classes))
            if (c >= All.NumClasses)
                throw new InputException($"power_law lists class {c} but {All.Name} has {All.NumClasses} classes (0…{All.NumClasses - 1})");
        int most = shots.Max();
        foreach (int c in p.Classes)
            if (2L * most > CountOf(c))
                throw new InputException($"S = {most} needs {2L * most} samples of class {Name(c)} (a pool holds 2·S per class) but {All.Name} has {CountOf(c)}; " +
                    $"the largest S it allows is {CountOf(c) / 2}");
        int pretraining = p.Backbone.Classes.Sum(CountOf);
        if (p.Backbone.Samples > pretraining)
            throw new InputException($"power_law.backbone.samples = {p.Backbone.Samples} is more than the {pretraining} samples of classes " +
                $"{string.Join(", ", p.Backbone.Classes)}");
        if (!All.IsImage && p.Backbone.Kind != "mlp")
            throw new InputException($"power_law.backbone.kind {p.Backbone.Kind} needs images but {All.Name} has samples of shape [{string.Join(", ", All.SampleShape)}]; use kind mlp");
    }

    /// <summary>The backbone's pretraining samples: a seeded subset of <c>samples</c> of the backbone's
    /// classes (all of them for 0), relabelled 0…k−1 in the order the classes are listed; and the
    /// samples of those classes left out, on which its accuracy is measured.</summary>
    public (Dataset Train, Dataset HeldOut) Pretraining(PowerLawBackboneConfig b, int seed)
    {
        var all = b.Classes.SelectMany(c => _byClass[c]).Order().ToArray();
        int take = b.Samples == 0 ? all.Length : b.Samples;
        var order = StableRandom.For(seed, "power-law-pretraining", 0).Permutation(all.Length);
        var chosen = order[..take].Select(k => all[k]).Order().ToArray();
        var left = order[take..].Select(k => all[k]).Order().ToArray();
        return (Relabelled(chosen, b.Classes, "pretraining"), Relabelled(left, b.Classes, "pretraining held out"));
    }

    /// <summary>The pool of one S and seed: 2·S samples of each fine-tuning class (the first 2·S of a
    /// seeded permutation of that class), class by class, relabelled 0…C−1 in the order the classes
    /// are listed. Returns the pool and the indices of its samples in <see cref="All"/>.</summary>
    public (Dataset Pool, int[] Indices) Pool(IReadOnlyList<int> classes, int shots, int seed)
    {
        var indices = new List<int>(2 * shots * classes.Count);
        foreach (int c in classes)
        {
            var order = StableRandom.For(seed, "power-law-pool", c).Permutation(_byClass[c].Length);
            indices.AddRange(order[..(2 * shots)].Select(k => _byClass[c][k]));
        }
        var pool = indices.ToArray();
        return (Relabelled(pool, classes, $"pool S={shots}"), pool);
    }

    private Dataset Relabelled(int[] indices, IReadOnlyList<int> classes, string part)
    {
        var subset = All.Subset(indices);
        var labels = subset.Labels.Select(l => (long)IndexOf(classes, (int)l)).ToArray();
        return new Dataset($"{All.Name} {part}", subset.Features, subset.SampleShape, labels, classes.Count);
    }

    private static int IndexOf(IReadOnlyList<int> classes, int label)
    {
        for (int k = 0; k < classes.Count; k++) if (classes[k] == label) return k;
        throw new ArgumentException($"label {label} is not among the classes");
    }

    private string Name(int c) =>
        All.Name.StartsWith("fashion-mnist", StringComparison.Ordinal) && c < FashionMnist.ClassNames.Length
            ? $"{c} ({FashionMnist.ClassNames[c]})" : c.ToString(CultureInfo.InvariantCulture);
}
