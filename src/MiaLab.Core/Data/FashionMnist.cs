using MiaLab.Core.IO;

namespace MiaLab.Core.Data;

/// <summary>
/// Fashion-MNIST (60,000 train + 10,000 test 28×28 grey images, 10 classes), the default audit
/// dataset. Found on disk, or fetched without root from the Debian package dataset-fashion-mnist
/// (with the system's package lists, then with private ones).
/// </summary>
public static class FashionMnist
{
    /// <summary>The ten classes, indexed by label (from the dataset's documentation).</summary>
    public static readonly string[] ClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    public const string TrainImages = "train-images-idx3-ubyte";
    public const string TrainLabels = "train-labels-idx1-ubyte";
    public const string TestImages = "t10k-images-idx3-ubyte";
    public const string TestLabels = "t10k-labels-idx1-ubyte";
    private static readonly string[] FileNames = [TrainImages, TrainLabels, TestImages, TestLabels];

    private const string PackageName = "dataset-fashion-mnist";
    private const string SystemFolder = "/usr/share/datasets/fashion-mnist";
    private const int Classes = 10;

    /// <summary>One way to fetch the dataset into a candidate folder: Fetch returns null on
    /// success, otherwise what went wrong (one line).</summary>
    internal sealed record Fetcher(string Name, Func<string?> Fetch);

    /// <summary>The folder holding the four files (each raw or .gz); fetches them if no known folder has them.</summary>
    public static string LocateOrFetch(Action<string>? log = null, CancellationToken cancel = default) =>
        LocateOrFetch(DefaultCandidates(), DefaultFetchers(log, cancel), log, cancel);

    /// <summary>
    /// Testable core: search the candidates in order; if none holds the files, try each fetcher
    /// in turn, searching again after each, until one yields the files.
    /// </summary>
    internal static string LocateOrFetch(IReadOnlyList<string> candidates, IReadOnlyList<Fetcher> fetchers,
        Action<string>? log, CancellationToken cancel = default)
    {
        if (Find(candidates) is string found) return found;
        log?.Invoke($"Fashion-MNIST not found in {string.Join(", ", candidates)}; fetching it");
        var failures = new List<string>();
        foreach (var fetcher in fetchers)
        {
            string? failure;
            try
            {
                failure = fetcher.Fetch();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception
                or InvalidOperationException)
            {
                failure = e.Message;
            }
            // An interrupted child process looks like a failed fetch; do not go on to the next way.
            cancel.ThrowIfCancellationRequested();
            if (failure is null && Find(candidates) is string fetched) return fetched;
            failure = OneLine(failure ?? "it finished without the four files");
            failures.Add($"{fetcher.Name}: {failure}");
            log?.Invoke($"{fetcher.Name} failed: {failure}");
        }
        throw new InputException(
            $"Fashion-MNIST not found (looked in {string.Join(", ", candidates)}) and fetching it failed " +
            $"({(failures.Count == 0 ? "no way to fetch it" : string.Join("; ", failures))}): " +
            $"set MIALAB_DATA to a folder holding {string.Join(", ", FileNames.Select(f => f + "(.gz)"))}, " +
            $"or install it (`sudo apt-get install {PackageName}`)");
    }

    /// <summary>
    /// The ways to fetch, in order: apt-get download with the system's package lists (the
    /// quickest, and it works offline behind a local mirror); the same with package lists
    /// refreshed into a private folder (a new machine's lists are empty, and only root may
    /// refresh the system's). Both extract into the cache, the last of <see cref="DefaultCandidates"/>.
    /// </summary>
    internal static IReadOnlyList<Fetcher> DefaultFetchers(Action<string>? log, CancellationToken cancel)
    {
        string packageRoot = CacheRoot();
        return
        [
            new("apt-get download", () => AptPackage.FetchAndExtract(PackageName, packageRoot, log, cancel)),
            new("apt-get with private package lists",
                () => AptPackage.FetchAndExtractWithPrivateLists(PackageName, packageRoot, AptStateFolder(), log, cancel)),
        ];
    }

    public static (Dataset Train, Dataset Test) Load(string? directory = null, Action<string>? log = null)
    {
        string dir = directory ?? LocateOrFetch(log);
        string Need(string name) => FindFile(dir, name)
            ?? throw new InputException($"{dir}: no Fashion-MNIST file {name} or {name}.gz in this folder");
        string trainImages = Need(TrainImages), trainLabels = Need(TrainLabels);
        string testImages = Need(TestImages), testLabels = Need(TestLabels);
        log?.Invoke($"Loading Fashion-MNIST from {dir}");
        var train = LoadPair("fashion-mnist-train", trainImages, trainLabels);
        var test = LoadPair("fashion-mnist-test", testImages, testLabels);
        return (train, test);
    }

    private static Dataset LoadPair(string name, string imagesPath, string labelsPath)
    {
        var images = Idx.Read(imagesPath);
        var labels = Idx.Read(labelsPath);
        if (images.Shape.Length != 3 || images.DType != DType.UInt8)
            throw new InputException($"{imagesPath}: expected uint8 images [N, 28, 28], found {DTypes.Name(images.DType)} {NpyArray.FormatShape(images.Shape)}");
        if (labels.Shape.Length == 1 && images.Shape[0] != labels.Shape[0])
            throw new InputException($"{labelsPath}: {labels.Shape[0]} labels for {images.Shape[0]} images in {imagesPath}");
        return ArrayDatasets.FromArrays(name, images, imagesPath, labels, labelsPath, scaleBytes: true, Classes);
    }

    internal static IReadOnlyList<string> DefaultCandidates()
    {
        var list = new List<string>();
        string? env = Environment.GetEnvironmentVariable("MIALAB_DATA");
        if (!string.IsNullOrWhiteSpace(env)) list.Add(env);
        list.Add(SystemFolder);
        list.Add(CacheFolder());
        return list;
    }

    private static string MialabCache() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "mialab");

    /// <summary>Where the Debian package is extracted (its files keep their paths below it).</summary>
    private static string CacheRoot() => Path.Combine(MialabCache(), PackageName);

    /// <summary>The cache candidate: the package's folder once extracted.</summary>
    private static string CacheFolder() => Path.Combine(CacheRoot(), SystemFolder.TrimStart('/'));

    /// <summary>apt's private package lists, used only while fetching.</summary>
    private static string AptStateFolder() => Path.Combine(MialabCache(), "apt");

    private static string? Find(IReadOnlyList<string> candidates) =>
        candidates.FirstOrDefault(dir => FileNames.All(f => FindFile(dir, f) is not null));

    private static string? FindFile(string dir, string name)
    {
        foreach (string candidate in new[] { Path.Combine(dir, name), Path.Combine(dir, name + ".gz") })
            if (File.Exists(candidate)) return candidate;
        return null;
    }

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
