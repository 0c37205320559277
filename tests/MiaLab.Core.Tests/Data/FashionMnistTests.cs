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

    private static FashionMnist.Fetcher Fetcher(string name, List<string> calls, Func<string?> fetch) =>
        new(name, () => { calls.Add(name); return fetch(); });

    [Fact]
    public void LocatingSearchesTheCandidatesInOrder()
    {
        using var empty = new TempFolder();
        var calls = new List<string>();
        string found = FashionMnist.LocateOrFetch([empty.Path, Installed], [Fetcher("apt", calls, () => null)], null);
        Assert.Equal(Installed, found);
        Assert.Empty(calls);
    }

    [Fact]
    public void FetchersAreTriedInOrderUntilOneYieldsTheFiles()
    {
        using var dir = new TempFolder();
        var calls = new List<string>();
        var log = new List<string>();
        string found = FashionMnist.LocateOrFetch([dir.Path],
        [
            Fetcher("first", calls, () => "E: Unable to locate package dataset-fashion-mnist"),
            Fetcher("second", calls, () => throw new IOException("disk full")),
            Fetcher("third", calls, () => null), // claims success but leaves no files: counts as a failure
            Fetcher("fourth", calls, () => { WriteTinyCopy(dir.Path, 2, 2); return null; }),
            Fetcher("fifth", calls, () => throw new InvalidOperationException("must not be called")),
        ], log.Add);

        Assert.Equal(dir.Path, found);
        Assert.Equal(["first", "second", "third", "fourth"], calls);
        Assert.Contains(log, l => l.Contains("first failed: E: Unable to locate package", StringComparison.Ordinal));
        Assert.Contains(log, l => l.Contains("second failed: disk full", StringComparison.Ordinal));
        Assert.Contains(log, l => l.Contains("third failed: it finished without the four files", StringComparison.Ordinal));

        var (train, test) = FashionMnist.Load(found);
        Assert.Equal(2, train.Count);
        Assert.Equal([1, 2, 2], train.SampleShape);
        Assert.Equal([0f, 1f / 255, 2f / 255, 1f], train.Features[..4]);
        Assert.Equal([3L, 9L], test.Labels);
    }

    [Fact]
    public void WhenEveryFetchFailsTheErrorNamesEveryAnswerAndEveryWayOut()
    {
        using var empty = new TempFolder();
        var calls = new List<string>();
        var e = Assert.Throws<InputException>(() => FashionMnist.LocateOrFetch([empty.Path],
        [
            Fetcher("apt-get download", calls, () => "apt-get download dataset-fashion-mnist exited with code 100: E: Unable to locate package"),
            Fetcher("apt-get with private package lists", calls, () => "apt-get update: W: Failed to fetch\nhttp://deb.debian.org/ Connection refused"),
            Fetcher("HTTP", calls, () => throw new HttpRequestException("Name or service not known")),
        ], null));

        Assert.Equal(3, calls.Count);
        Assert.Contains(empty.Path, e.Message);
        Assert.Contains("apt-get download: apt-get download dataset-fashion-mnist exited with code 100: E: Unable to locate package", e.Message);
        Assert.Contains("apt-get with private package lists: apt-get update: W: Failed to fetch http://deb.debian.org/ Connection refused", e.Message);
        Assert.Contains("HTTP: Name or service not known", e.Message);
        Assert.Contains("MIALAB_DATA", e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
        Assert.Contains(FashionMnist.UrlVariable, e.Message);
        Assert.Contains(FashionMnist.DefaultUrl, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void AnInterruptedFetchDoesNotGoOnToTheNextWay()
    {
        using var empty = new TempFolder();
        using var cancel = new CancellationTokenSource();
        var calls = new List<string>();
        Assert.Throws<OperationCanceledException>(() => FashionMnist.LocateOrFetch([empty.Path],
        [
            Fetcher("apt", calls, () => { cancel.Cancel(); return "apt-get exited with code 130"; }),
            Fetcher("HTTP", calls, () => null),
        ], null, cancel.Token));
        Assert.Equal(["apt"], calls);
    }

    [Fact]
    public void TheDefaultWaysAreAptThenAptWithPrivateListsThenHttp()
    {
        var names = FashionMnist.DefaultFetchers(null, null, default).Select(f => f.Name);
        Assert.Equal(["apt-get download", "apt-get with private package lists", "HTTP"], names);
    }

    [Fact]
    public void PrivatePackageListsLiveInTheGivenFolder()
    {
        // The options verified as root and as an unprivileged user (apt 2.6): lists, their lock and
        // pkgcache.bin in the folder; the system's package lists are neither read nor written.
        Assert.Equal(["-o", "Dir::State::Lists=/c/apt/lists", "-o", "Dir::Cache=/c/apt/cache"], AptPackage.PrivateListOptions("/c/apt"));
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

    [Fact]
    public void TheDownloadUrlComesFromItsVariable()
    {
        string? before = Environment.GetEnvironmentVariable(FashionMnist.UrlVariable);
        try
        {
            Environment.SetEnvironmentVariable(FashionMnist.UrlVariable, null);
            Assert.Equal(new Uri(FashionMnist.DefaultUrl), FashionMnist.BaseUrl());
            Environment.SetEnvironmentVariable(FashionMnist.UrlVariable, "http://127.0.0.1:8080/mirror/fashion");
            Assert.Equal(new Uri("http://127.0.0.1:8080/mirror/fashion/"), FashionMnist.BaseUrl());
            Assert.Equal("http://127.0.0.1:8080/mirror/fashion/train-images-idx3-ubyte.gz",
                new Uri(FashionMnist.BaseUrl(), FashionMnist.TrainImages + ".gz").ToString());
            Environment.SetEnvironmentVariable(FashionMnist.UrlVariable, "ftp://example.org/fashion/");
            var e = Assert.Throws<InputException>(FashionMnist.BaseUrl);
            Assert.Contains(FashionMnist.UrlVariable, e.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable(FashionMnist.UrlVariable, before);
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
