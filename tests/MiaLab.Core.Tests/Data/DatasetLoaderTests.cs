using MiaLab.Core.Config;
using MiaLab.Core.Data;
using MiaLab.Core.IO;
using MiaLab.Core.Tests.IO;

namespace MiaLab.Core.Tests.Data;

public class DatasetLoaderTests
{
    private static DatasetConfig Synthetic(int population, int holdout) => new()
    {
        Source = "synthetic",
        Population = population,
        Holdout = holdout,
        Synthetic = new SyntheticConfig { Samples = 200, Features = 3, Classes = 4, Separation = 2.0 },
    };

    private static HashSet<string> Rows(Dataset d) =>
        Enumerable.Range(0, d.Count).Select(i => string.Join(",", d.Features.Skip(i * d.FeatureLength).Take(d.FeatureLength))).ToHashSet();

    [Fact]
    public void SyntheticSplitIsDeterministicAndDisjoint()
    {
        var (pop, hold) = DatasetLoader.Load(Synthetic(100, 50), seed: 7);
        var (pop2, hold2) = DatasetLoader.Load(Synthetic(100, 50), seed: 7);
        var (pop3, _) = DatasetLoader.Load(Synthetic(100, 50), seed: 8);

        Assert.Equal(100, pop.Count);
        Assert.NotNull(hold);
        Assert.Equal(50, hold.Count);
        Assert.Equal(pop.ComputeSha256(), pop2.ComputeSha256());
        Assert.Equal(hold.ComputeSha256(), hold2!.ComputeSha256());
        Assert.NotEqual(pop.ComputeSha256(), pop3.ComputeSha256());

        // Both parts are rows of the one generated dataset, and never the same row.
        var all = Rows(SyntheticGaussian.Generate(200, 3, 4, 2.0, 7));
        Assert.Subset(all, Rows(pop));
        Assert.Subset(all, Rows(hold));
        Assert.Empty(Rows(pop).Intersect(Rows(hold)));
    }

    [Fact]
    public void NoHoldoutAndNoPopulationLimitUsesEverything()
    {
        var (pop, hold) = DatasetLoader.Load(Synthetic(0, 0), seed: 1);
        Assert.Null(hold);
        Assert.Equal(200, pop.Count);
        Assert.Equal(SyntheticGaussian.Generate(200, 3, 4, 2.0, 1).ComputeSha256(), pop.ComputeSha256());
    }

    [Fact]
    public void SizeMistakesAreInputErrors()
    {
        Assert.Contains("dataset.population", Assert.Throws<InputException>(() => DatasetLoader.Load(Synthetic(160, 50), 0)).Message);
        Assert.Contains("dataset.holdout", Assert.Throws<InputException>(() => DatasetLoader.Load(Synthetic(0, 200), 0)).Message);
        Assert.Contains("dataset.population", Assert.Throws<InputException>(() => DatasetLoader.Load(Synthetic(-1, 0), 0)).Message);
        Assert.Contains("dataset.holdout", Assert.Throws<InputException>(() => DatasetLoader.Load(Synthetic(0, -1), 0)).Message);
    }

    [Fact]
    public void ConfigMistakesAreInputErrors()
    {
        Assert.Contains("dataset.source 'mnist'", Assert.Throws<InputException>(() => DatasetLoader.Load(new DatasetConfig { Source = "mnist" }, 0)).Message);
        foreach (string source in new[] { "npz", "csv", "idx" })
            Assert.Contains("dataset.path", Assert.Throws<InputException>(() => DatasetLoader.Load(new DatasetConfig { Source = source }, 0)).Message);
        Assert.Contains("dataset.labels_path", Assert.Throws<InputException>(() => DatasetLoader.Load(new DatasetConfig { Source = "idx", Path = "x" }, 0)).Message);
        Assert.Contains("file not found", Assert.Throws<InputException>(() => DatasetLoader.Load(new DatasetConfig { Source = "npz", Path = "/nonexistent/d.npz" }, 0)).Message);
    }

    [Fact]
    public void NpzMapsArrayLayoutsToSampleShapes()
    {
        using var dir = new TempFolder();
        string path = dir.File("d.npz");
        var y = new NpyArray(new long[] { 0, 2, 1, 2 }, 4);

        Npz.Write(path, new Dictionary<string, NpyArray> { ["x"] = new(new double[4 * 6], 4, 6), ["y"] = y });
        var (vectors, _) = DatasetLoader.Load(new DatasetConfig { Source = "npz", Path = path }, 0);
        Assert.Equal([6], vectors.SampleShape);
        Assert.Equal(3, vectors.NumClasses);
        Assert.Equal("d.npz", vectors.Name);

        Npz.Write(path, new Dictionary<string, NpyArray> { ["x"] = new(new byte[4 * 6], 4, 2, 3), ["y"] = y });
        Assert.Equal([1, 2, 3], DatasetLoader.Load(new DatasetConfig { Source = "npz", Path = path }, 0).Population.SampleShape);

        Npz.Write(path, new Dictionary<string, NpyArray> { ["x"] = new(new float[4 * 12], 4, 3, 2, 2), ["y"] = new NpyArray(new int[] { 0, 1, 0, 1 }, 4) });
        var (images, hold) = DatasetLoader.Load(new DatasetConfig { Source = "npz", Path = path, Holdout = 1 }, 0);
        Assert.Equal([3, 2, 2], images.SampleShape);
        Assert.Equal(3, images.Count);
        Assert.Equal(1, hold!.Count);
    }

    [Fact]
    public void NpzMistakesNameTheFileAndArray()
    {
        using var dir = new TempFolder();
        string path = dir.File("d.npz");
        var cfg = new DatasetConfig { Source = "npz", Path = path };

        Npz.Write(path, new Dictionary<string, NpyArray> { ["x"] = new(new float[4], 2, 2), ["labels"] = new(new long[2], 2) });
        Assert.Contains("no array 'y'", Assert.Throws<InputException>(() => DatasetLoader.Load(cfg, 0)).Message);

        Npz.Write(path, new Dictionary<string, NpyArray> { ["x"] = new(new float[4], 2, 2), ["y"] = new(new long[3], 3) });
        Assert.Contains("3 labels for 2 samples", Assert.Throws<InputException>(() => DatasetLoader.Load(cfg, 0)).Message);

        Npz.Write(path, new Dictionary<string, NpyArray> { ["x"] = new(new float[4], 2, 2), ["y"] = new(new float[2], 2) });
        Assert.Contains($"{path}:y", Assert.Throws<InputException>(() => DatasetLoader.Load(cfg, 0)).Message);

        Npz.Write(path, new Dictionary<string, NpyArray> { ["x"] = new(new float[4], 4), ["y"] = new(new long[4], 4) });
        Assert.Contains($"{path}:x", Assert.Throws<InputException>(() => DatasetLoader.Load(cfg, 0)).Message);
    }

    [Fact]
    public void CsvAndIdxSourcesLoad()
    {
        using var dir = new TempFolder();
        string csv = dir.File("t.csv");
        File.WriteAllText(csv, "f1,y,f2\n0.5,1,2\n1.5,0,3\n2.5,2,4\n");
        var (table, none) = DatasetLoader.Load(new DatasetConfig { Source = "csv", Path = csv, LabelColumn = "y" }, 0);
        Assert.Null(none);
        Assert.Equal([2], table.SampleShape);
        Assert.Equal([1L, 0, 2], table.Labels);
        Assert.Equal(3, table.NumClasses);

        FashionMnistTests.WriteTinyCopy(dir.Path, 2, 2);
        var (idx, _) = DatasetLoader.Load(new DatasetConfig
        {
            Source = "idx",
            Path = dir.File("train-images-idx3-ubyte"),
            LabelsPath = dir.File("train-labels-idx1-ubyte"),
        }, 0);
        Assert.Equal([1, 2, 2], idx.SampleShape);
        Assert.Equal(10, idx.NumClasses);
        Assert.Equal([0f, 1f / 255, 2f / 255, 1f], idx.Features[..4]);
    }

    [Fact]
    public void FashionMnistSubsamplesDeterministically()
    {
        var cfg = new DatasetConfig { Source = "fashion-mnist", Population = 1000, Holdout = 300 };
        var (pop, hold) = DatasetLoader.Load(cfg, seed: 3);
        var (pop2, hold2) = DatasetLoader.Load(cfg, seed: 3);
        Assert.Equal(1000, pop.Count);
        Assert.Equal(300, hold!.Count);
        Assert.Equal([1, 28, 28], pop.SampleShape);
        Assert.Equal(pop.ComputeSha256(), pop2.ComputeSha256());
        Assert.Equal(hold.ComputeSha256(), hold2!.ComputeSha256());

    }

    [Fact]
    public void FashionMnistSizesAreCheckedAgainstTheFiles()
    {
        // dataset.path points the fashion-mnist source at a folder: here a tiny 2-image copy.
        using var dir = new TempFolder();
        FashionMnistTests.WriteTinyCopy(dir.Path, 2, 2);
        var tooMany = new DatasetConfig { Source = "fashion-mnist", Path = dir.Path, Population = 3 };
        Assert.Contains("2 training samples", Assert.Throws<InputException>(() => DatasetLoader.Load(tooMany, 0)).Message);
        var tooManyHeld = new DatasetConfig { Source = "fashion-mnist", Path = dir.Path, Holdout = 3 };
        Assert.Contains("dataset.holdout = 3 is larger than the 2 test samples", Assert.Throws<InputException>(() => DatasetLoader.Load(tooManyHeld, 0)).Message);

        var (pop, hold) = DatasetLoader.Load(new DatasetConfig { Source = "fashion-mnist", Path = dir.Path, Population = 1, Holdout = 2 }, 0);
        Assert.Equal(1, pop.Count);
        Assert.Equal([3L, 9L], hold!.Labels);
    }

    [Fact]
    public void PopulationSelectFirstTakesRowsZeroToNMinusOneAndTheHoldoutFromTheEnd()
    {
        var all = SyntheticGaussian.Generate(200, 3, 4, 2.0, 7);
        var config = Synthetic(100, 50);
        config.PopulationSelect = "first";
        var (pop, hold) = DatasetLoader.Load(config, seed: 7);
        Assert.Equal(all.Subset(Enumerable.Range(0, 100).ToArray()).ComputeSha256(), pop.ComputeSha256());
        Assert.Equal(all.Subset(Enumerable.Range(150, 50).ToArray()).ComputeSha256(), hold!.ComputeSha256());
        Assert.NotEqual(pop.ComputeSha256(), DatasetLoader.Load(Synthetic(100, 50), seed: 7).Population.ComputeSha256()); // random differs
    }

    [Fact]
    public void PopulationSelectFirstOnFashionMnistIsTheFirstTrainingImages()
    {
        var (train, test) = FashionMnist.Load();
        var cfg = new DatasetConfig { Source = "fashion-mnist", Population = 500, Holdout = 200, PopulationSelect = "first" };
        var (pop, hold) = DatasetLoader.Load(cfg, seed: 3);
        Assert.Equal(train.Subset(Enumerable.Range(0, 500).ToArray()).ComputeSha256(), pop.ComputeSha256());
        Assert.Equal(test.Subset(Enumerable.Range(0, 200).ToArray()).ComputeSha256(), hold!.ComputeSha256());
    }

    [Fact]
    public void AHoldoutFileGivesTheHoldoutAndTheDataFileThePopulation()
    {
        using var dir = new TempFolder();
        string data = dir.File("train.npz"), held = dir.File("test.npz");
        var x = Enumerable.Range(0, 12).Select(v => (float)v).ToArray();
        Npz.Write(data, new Dictionary<string, NpyArray> { ["x"] = new(x, 6, 2), ["y"] = new(new long[] { 0, 1, 0, 1, 0, 1 }, 6) });
        Npz.Write(held, new Dictionary<string, NpyArray> { ["x"] = new(new float[] { 100, 101, 102, 103, 104, 105 }, 3, 2), ["y"] = new(new long[] { 1, 0, 1 }, 3) });

        var (pop, hold) = DatasetLoader.Load(new DatasetConfig { Source = "npz", Path = data, HoldoutPath = held }, 0);
        Assert.Equal(6, pop.Count);
        Assert.Equal(x, pop.Features);
        Assert.Equal([100f, 101, 102, 103, 104, 105], hold!.Features);
        Assert.Equal([1L, 0, 1], hold.Labels);

        var (firstFour, firstTwo) = DatasetLoader.Load(new DatasetConfig
        {
            Source = "npz",
            Path = data,
            HoldoutPath = held,
            Population = 4,
            Holdout = 2,
            PopulationSelect = "first",
        }, 0);
        Assert.Equal(x[..8], firstFour.Features);
        Assert.Equal([100f, 101, 102, 103], firstTwo!.Features);

        Npz.Write(held, new Dictionary<string, NpyArray> { ["x"] = new(new float[9], 3, 3), ["y"] = new(new long[3], 3) });
        var e = Assert.Throws<InputException>(() => DatasetLoader.Load(new DatasetConfig { Source = "npz", Path = data, HoldoutPath = held }, 0));
        Assert.Contains("test.npz", e.Message);
        Assert.Contains("(3,)", e.Message);
        Assert.Contains("(2,)", e.Message);
    }

    [Fact]
    public void IdxAndCsvTakeAHoldoutFileToo()
    {
        using var dir = new TempFolder();
        FashionMnistTests.WriteTinyCopy(dir.Path, 2, 2);
        var (idx, idxHold) = DatasetLoader.Load(new DatasetConfig
        {
            Source = "idx",
            Path = dir.File("train-images-idx3-ubyte"),
            LabelsPath = dir.File("train-labels-idx1-ubyte"),
            HoldoutPath = dir.File("t10k-images-idx3-ubyte"),
            HoldoutLabelsPath = dir.File("t10k-labels-idx1-ubyte"),
        }, 0);
        Assert.Equal(2, idx.Count);
        Assert.Equal([3L, 9L], idxHold!.Labels);

        string csv = dir.File("a.csv"), csvHeld = dir.File("b.csv");
        File.WriteAllText(csv, "y,f\n1,0.5\n0,1.5\n");
        File.WriteAllText(csvHeld, "y,f\n0,7\n");
        var (table, tableHold) = DatasetLoader.Load(new DatasetConfig { Source = "csv", Path = csv, HoldoutPath = csvHeld }, 0);
        Assert.Equal([0.5f, 1.5f], table.Features);
        Assert.Equal([7f], tableHold!.Features);
        File.WriteAllText(csvHeld, "y,f,g\n0,7,8\n");
        Assert.Contains("b.csv", Assert.Throws<InputException>(() => DatasetLoader.Load(new DatasetConfig { Source = "csv", Path = csv, HoldoutPath = csvHeld }, 0)).Message);
    }
}
