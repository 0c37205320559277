using MiaLab.Core.Data;
using MiaLab.Core.Tests.IO;

namespace MiaLab.Core.Tests.Data;

public class FashionMnistTests
{
    private const string Installed = "/usr/share/datasets/fashion-mnist";

    [Fact]
    public void LoadsTheInstalledCopy()
    {
        var (train, test) = FashionMnist.Load(Installed);
        Assert.Equal(60_000, train.Count);
        Assert.Equal(10_000, test.Count);
        Assert.Equal([1, 28, 28], train.SampleShape);
        Assert.Equal([1, 28, 28], test.SampleShape);
        Assert.True(train.IsImage);
        Assert.Equal(10, train.NumClasses);
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(6000, train.Labels.Count(l => l == c)));
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(1000, test.Labels.Count(l => l == c)));
        Assert.Equal(0f, train.Features.Min());
        Assert.Equal(1f, train.Features.Max());

        // The first training image is an ankle boot (9) whose 784 bytes sum to 76247.
        Assert.Equal(9, train.Labels[0]);
        Assert.Equal(76247 / 255.0, train.Features.AsSpan(0, 784).ToArray().Sum(v => (double)v), 3);
    }

    [Fact]
    public void LocatingSearchesTheCandidatesInOrder()
    {
        using var empty = new TempFolder();
        int fetches = 0;
        string found = FashionMnist.LocateOrFetch([empty.Path, Installed], () => { fetches++; return null; }, null);
        Assert.Equal(Installed, found);
        Assert.Equal(0, fetches);
    }

    [Fact]
    public void WhenNothingIsFoundAndTheFetchFailsTheErrorNamesEveryWayOut()
    {
        using var empty = new TempFolder();
        var log = new List<string>();
        var e = Assert.Throws<InputException>(() =>
            FashionMnist.LocateOrFetch([empty.Path], () => "apt-get download dataset-fashion-mnist exited with code 100: E: Unable to locate package", log.Add));
        Assert.Contains(empty.Path, e.Message);
        Assert.Contains("Unable to locate package", e.Message);
        Assert.Contains("MIALAB_DATA", e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
        Assert.Contains("apt-get update", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Single(log);

        var thrown = Assert.Throws<InputException>(() =>
            FashionMnist.LocateOrFetch([empty.Path], () => throw new IOException("disk full"), null));
        Assert.Contains("disk full", thrown.Message);
    }

    [Fact]
    public void AFetchThatFillsACandidateIsUsed()
    {
        using var dir = new TempFolder();
        string found = FashionMnist.LocateOrFetch([dir.Path], () => { WriteTinyCopy(dir.Path, 2, 2); return null; }, null);
        Assert.Equal(dir.Path, found);

        var (train, test) = FashionMnist.Load(found);
        Assert.Equal(2, train.Count);
        Assert.Equal([1, 2, 2], train.SampleShape);
        Assert.Equal([0f, 1f / 255, 2f / 255, 1f], train.Features[..4]);
        Assert.Equal([3L, 9L], test.Labels);
    }

    [Fact]
    public void ImageAndLabelCountsMustAgree()
    {
        using var dir = new TempFolder();
        WriteTinyCopy(dir.Path, 2, 3);
        var e = Assert.Throws<InputException>(() => FashionMnist.Load(dir.Path));
        Assert.Contains("3 labels for 2 images", e.Message);
    }

    [Fact]
    public void AFolderWithoutTheFilesIsAnInputError()
    {
        using var dir = new TempFolder();
        var e = Assert.Throws<InputException>(() => FashionMnist.Load(dir.Path));
        Assert.Contains("train-images-idx3-ubyte", e.Message);
    }

    [Fact]
    public void MialabDataIsTheFirstCandidate()
    {
        using var dir = new TempFolder();
        string? before = Environment.GetEnvironmentVariable("MIALAB_DATA");
        try
        {
            Environment.SetEnvironmentVariable("MIALAB_DATA", dir.Path);
            var candidates = FashionMnist.DefaultCandidates();
            Assert.Equal(dir.Path, candidates[0]);
            Assert.Equal(Installed, candidates[1]);
            Assert.EndsWith(".cache/mialab/dataset-fashion-mnist/usr/share/datasets/fashion-mnist", candidates[2]);
        }
        finally
        {
            Environment.SetEnvironmentVariable("MIALAB_DATA", before);
        }
    }

    /// <summary>Four raw IDX files: images of 2×2 pixels 0,1,2,255,…; labels 3, 9, 3, ….</summary>
    internal static void WriteTinyCopy(string dir, int images, int labels)
    {
        foreach (string prefix in new[] { "train", "t10k" })
        {
            var img = new List<byte> { 0, 0, 0x08, 3, 0, 0, 0, (byte)images, 0, 0, 0, 2, 0, 0, 0, 2 };
            for (int i = 0; i < images; i++) img.AddRange([0, 1, 2, 255]);
            File.WriteAllBytes(Path.Combine(dir, $"{prefix}-images-idx3-ubyte"), [.. img]);
            var lab = new List<byte> { 0, 0, 0x08, 1, 0, 0, 0, (byte)labels };
            for (int i = 0; i < labels; i++) lab.Add(i % 2 == 0 ? (byte)3 : (byte)9);
            File.WriteAllBytes(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte"), [.. lab]);
        }
    }
}
