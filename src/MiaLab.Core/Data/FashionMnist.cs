using System.Diagnostics;
using MiaLab.Core.IO;

namespace MiaLab.Core.Data;

/// <summary>
/// Fashion-MNIST (60,000 train + 10,000 test 28×28 grey images, 10 classes), the default audit
/// dataset. Found on disk, or fetched without root from the Debian package dataset-fashion-mnist.
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

    /// <summary>The folder holding the four files (each raw or .gz); fetches the package if no known folder has them.</summary>
    public static string LocateOrFetch(Action<string>? log = null) =>
        LocateOrFetch(DefaultCandidates(), () => FetchPackage(log), log);

    /// <summary>
    /// Testable core: search the candidates in order; if none holds the files, call fetch
    /// (null = success, otherwise the reason it failed) and search again.
    /// </summary>
    internal static string LocateOrFetch(IReadOnlyList<string> candidates, Func<string?> fetch, Action<string>? log)
    {
        if (Find(candidates) is string found) return found;
        log?.Invoke($"Fashion-MNIST not found in {string.Join(", ", candidates)}; fetching the {PackageName} package");
        string? failure;
        try
        {
            failure = fetch();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            failure = e.Message;
        }
        if (failure is null && Find(candidates) is string fetched) return fetched;
        failure ??= "the package did not contain the files";
        throw new InputException(
            $"Fashion-MNIST not found (looked in {string.Join(", ", candidates)}) and fetching it failed ({OneLine(failure)}): " +
            $"set MIALAB_DATA to a folder holding {string.Join(", ", FileNames.Select(f => f + "(.gz)"))}, " +
            $"or run `apt-get install {PackageName}`, or, as root on a machine whose package lists are empty, run `apt-get update` first");
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
        list.Add(Path.Combine(CacheRoot(), SystemFolder.TrimStart('/')));
        return list;
    }

    private static string CacheRoot() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "mialab", PackageName);

    private static string? Find(IReadOnlyList<string> candidates) =>
        candidates.FirstOrDefault(dir => FileNames.All(f => FindFile(dir, f) is not null));

    private static string? FindFile(string dir, string name)
    {
        foreach (string candidate in new[] { Path.Combine(dir, name), Path.Combine(dir, name + ".gz") })
            if (File.Exists(candidate)) return candidate;
        return null;
    }

    /// <summary>apt-get download (no root needed) then dpkg-deb -x into the cache; null on success.</summary>
    private static string? FetchPackage(Action<string>? log)
    {
        string work = Directory.CreateTempSubdirectory("mialab-fetch-").FullName;
        string cache = CacheRoot();
        // Extract beside the cache and rename, so an interrupted extraction never looks complete.
        string staging = $"{cache}.partial-{Guid.NewGuid():N}";
        try
        {
            log?.Invoke($"Running apt-get download {PackageName} in {work}");
            if (Run("apt-get", ["download", PackageName], work) is string downloadError) return downloadError;
            string? deb = Directory.GetFiles(work, "*.deb").FirstOrDefault();
            if (deb is null) return "apt-get download produced no .deb file";

            log?.Invoke($"Extracting {Path.GetFileName(deb)} into {cache}");
            Directory.CreateDirectory(Path.GetDirectoryName(cache)!);
            if (Run("dpkg-deb", ["-x", deb, staging], work) is string extractError) return extractError;
            if (Directory.Exists(cache)) Directory.Delete(cache, recursive: true); // an earlier, incomplete copy of ours
            Directory.Move(staging, cache);
            return null;
        }
        finally
        {
            TryDelete(work);
            TryDelete(staging);
        }
    }

    /// <summary>Runs a program with captured output; null on success, else a one-line reason.</summary>
    private static string? Run(string program, string[] args, string workingDirectory)
    {
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args) info.ArgumentList.Add(a);
        string command = $"{program} {string.Join(' ', args)}";
        Process? p;
        try
        {
            p = Process.Start(info);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"cannot run {program}: {e.Message}";
        }
        if (p is null) return $"cannot run {program}";
        using (p)
        {
            // Read both pipes concurrently so a full pipe cannot block the child.
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(TimeSpan.FromMinutes(10)))
            {
                p.Kill(entireProcessTree: true);
                return $"{command} did not finish within 10 minutes";
            }
            string err = stderr.GetAwaiter().GetResult();
            _ = stdout.GetAwaiter().GetResult();
            return p.ExitCode == 0 ? null : $"{command} exited with code {p.ExitCode}: {LastLine(err)}";
        }
    }

    private static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "no error output";

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static void TryDelete(string dir)
    {
        try
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is harmless; the error that matters is reported elsewhere.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
