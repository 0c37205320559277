using MiaLab.Core.IO;
using MiaLab.Core.Pipeline;

namespace MiaLab.Core.Data;

/// <summary>
/// Fashion-MNIST (60,000 train + 10,000 test 28×28 grey images, 10 classes), the default audit
/// dataset. Found on disk, or fetched without root: from the Debian package dataset-fashion-mnist
/// (with the system's package lists, then with private ones), else over HTTP from the dataset's
/// original location, every file checked against its known SHA-256.
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

    /// <summary>The environment variable that replaces <see cref="DefaultUrl"/> (a mirror, or a test's server).</summary>
    public const string UrlVariable = "MIALAB_FASHION_MNIST_URL";

    /// <summary>Where Zalando Research publishes the four .gz files.</summary>
    public const string DefaultUrl = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";

    /// <summary>
    /// SHA-256 and length of each file's decompressed IDX content. Debian recompresses the .gz
    /// files, so only the decompressed content is the same for the upstream and Debian copies.
    /// </summary>
    internal static readonly IReadOnlyDictionary<string, ExpectedContent> KnownContent = new Dictionary<string, ExpectedContent>
    {
        [TrainImages] = new("c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888", 47_040_016),
        [TrainLabels] = new("bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9", 60_008),
        [TestImages] = new("5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b", 7_840_016),
        [TestLabels] = new("0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34", 10_008),
    };

    private const string PackageName = "dataset-fashion-mnist";
    private const string SystemFolder = "/usr/share/datasets/fashion-mnist";
    private const int Classes = 10;

    /// <summary>One way to fetch the dataset into a candidate folder: Fetch returns null on
    /// success, otherwise what went wrong (one line).</summary>
    internal sealed record Fetcher(string Name, Func<string?> Fetch);

    /// <summary>The folder holding the four files (each raw or .gz); fetches them if no known folder has them.</summary>
    public static string LocateOrFetch(Action<string>? log = null, Action<StageProgress>? progress = null, CancellationToken cancel = default) =>
        LocateOrFetch(DefaultCandidates(), DefaultFetchers(log, progress, cancel), log, cancel);

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
                or InvalidOperationException or HttpRequestException)
            {
                failure = e.Message;
            }
            // An interrupted child process looks like a failed fetch; do not go on to the next way.
            cancel.ThrowIfCancellationRequested();
            if (failure is null && Find(candidates) is string fetched) return fetched;
            failure = InputException.OneLine(failure ?? "it finished without the four files");
            failures.Add($"{fetcher.Name}: {failure}");
            log?.Invoke($"{fetcher.Name} failed: {failure}");
        }
        throw new InputException(
            $"Fashion-MNIST not found (looked in {string.Join(", ", candidates)}) and fetching it failed " +
            $"({(failures.Count == 0 ? "no way to fetch it" : string.Join("; ", failures))}): " +
            $"set MIALAB_DATA to a folder holding {string.Join(", ", FileNames.Select(f => f + "(.gz)"))}, " +
            $"or install it (`sudo apt-get install {PackageName}`), " +
            $"or set {UrlVariable} to a server holding the four .gz files (default {DefaultUrl})");
    }

    /// <summary>
    /// The ways to fetch, in order: apt-get download with the system's package lists (the
    /// quickest, and it works offline behind a local mirror); the same with package lists
    /// refreshed into a private folder (a new machine's lists are empty, and only root may
    /// refresh the system's); HTTP from <see cref="DefaultUrl"/> or <see cref="UrlVariable"/>
    /// (a machine without apt, or where Debian's mirror cannot be reached). All write into the
    /// cache, the last of <see cref="DefaultCandidates"/>.
    /// </summary>
    internal static IReadOnlyList<Fetcher> DefaultFetchers(Action<string>? log, Action<StageProgress>? progress, CancellationToken cancel)
    {
        string packageRoot = CacheRoot();
        string cacheFolder = CacheFolder();
        return
        [
            new("apt-get download", () => AptPackage.FetchAndExtract(PackageName, packageRoot, log, cancel)),
            new("apt-get with private package lists",
                () => AptPackage.FetchAndExtractWithPrivateLists(PackageName, packageRoot, AptStateFolder(), log, cancel)),
            new("HTTP", () => VerifiedDownload.FetchAll(BaseUrl(), cacheFolder, KnownContent, progress, log, cancel)),
        ];
    }

    /// <summary>The base URL of the four .gz files: <see cref="UrlVariable"/> when set, else <see cref="DefaultUrl"/>.</summary>
    internal static Uri BaseUrl()
    {
        string? set = Environment.GetEnvironmentVariable(UrlVariable);
        string text = string.IsNullOrWhiteSpace(set) ? DefaultUrl : set.Trim();
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            throw new InputException($"{UrlVariable} = '{text}' is not an http:// or https:// URL (the folder holding {FileNames[0]}.gz and the other three files)");
        // The file names are appended to the folder, so the folder must end with a slash.
        return text.EndsWith('/') ? url : new Uri(text + "/");
    }

    public static (Dataset Train, Dataset Test) Load(string? directory = null, Action<string>? log = null,
        Action<StageProgress>? progress = null, CancellationToken cancel = default)
    {
        string dir = directory ?? LocateOrFetch(log, progress, cancel);
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

    /// <summary>The cache candidate: the package's folder once extracted, and where HTTP downloads go.</summary>
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

}
