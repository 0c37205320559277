using System.Text.Json;
using MiaLab.Core.Config;
using MiaLab.Core.IO;

namespace MiaLab.Core.Runs;

/// <summary>
/// A run directory: the contract between stages (DESIGN.md). It belongs to one config:
/// <see cref="Create"/> resumes a directory made with the same config and dataset and refuses any
/// other; <see cref="Open"/> reads one that any tool wrote (manifest.json is optional, labels.npy
/// and keep.npy are not). Paths are in <see cref="Paths"/>, progress in <see cref="Records"/>,
/// the plan arrays are read through <see cref="RunArrays"/>.
/// </summary>
public sealed class RunDirectory
{
    private RunDirectory(RunLayout paths, RunConfig? config, DatasetInfo? dataset, int models, int samples,
        IReadOnlyDictionary<string, string>? planHashes, ExternalTarget? target)
    {
        Target = target;
        Paths = paths;
        Config = config;
        Dataset = dataset;
        Models = models;
        Samples = samples;
        PlanHashes = planHashes;
        Records = new ModelRecords(paths, config, dataset, models, samples, planHashes, target);
    }

    public RunLayout Paths { get; }
    public string Root => Paths.Root;
    /// <summary>The config from manifest.json (its attacks section at the defaults: attack settings are
    /// not part of a run's identity); null for a directory another tool wrote.</summary>
    public RunConfig? Config { get; }
    public DatasetInfo? Dataset { get; }
    /// <summary>M, the rows of keep.npy.</summary>
    public int Models { get; }
    /// <summary>N, the rows of labels.npy (population plus holdout).</summary>
    public int Samples { get; }
    /// <summary>SHA-256 of labels.npy, keep.npy and holdout.npy as planned (null for a directory
    /// another tool wrote); the readers refuse files that no longer match.</summary>
    public IReadOnlyDictionary<string, string>? PlanHashes { get; }
    public ModelRecords Records { get; }
    /// <summary>The external target (ONNX) that is model 0, from target.json; null when MiaLab trained every model.</summary>
    public ExternalTarget? Target { get; }

    public long[] ReadLabels() => Verified(RunLayout.LabelsFile, () => RunArrays.ReadLabels(Paths));
    public bool[][] ReadKeep() => Verified(RunLayout.KeepFile, () => RunArrays.ReadKeep(Paths, Samples));
    public bool[]? ReadHoldout() => Verified(RunLayout.HoldoutFile, () => RunArrays.ReadHoldout(Paths, Samples));

    /// <summary>
    /// Makes a new run directory (root missing or empty): labels.npy, keep.npy, holdout.npy (when
    /// there is an extra split) and manifest.json, each written atomically, the manifest last, all
    /// under the run's lock (two processes creating one directory at once get one plan). If root
    /// already holds a manifest made with the same config and dataset, returns it untouched
    /// (resume); another config or dataset is refused with an <see cref="InputException"/>. An
    /// external <paramref name="target"/> is written to target.json, and on resume must be the same
    /// files (by SHA-256) as when the run was planned.
    /// </summary>
    public static RunDirectory Create(string root, RunConfig config, DatasetInfo dataset, long[] labels, bool[][] keep, bool[]? holdout,
        ExternalTarget? target = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(keep);
        ConfigFile.Validate(config);
        CheckPlan(dataset, labels, keep, holdout);
        var paths = new RunLayout(root);
        root = paths.Root;
        if (File.Exists(root))
            throw new InputException($"{root} is a file; the run directory must be a folder");
        try
        {
            Directory.CreateDirectory(root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{root}: cannot create the run directory ({IO.AtomicFile.Reason(e)})");
        }

        using var fileLock = FileLock.Acquire(paths.Lock);
        if (File.Exists(paths.Manifest))
        {
            var existing = Open(root);
            string configSha = ConfigFile.RunSha256(config);
            string existingSha = existing.Config is null ? "none" : ConfigFile.RunSha256(existing.Config);
            if (existingSha != configSha)
                throw new InputException($"{root} was made with another config (config sha256 {Short(existingSha)}… ≠ {Short(configSha)}…); use a new --run directory or the config it was made with");
            if (existing.Dataset is null || !string.Equals(existing.Dataset.Sha256, dataset.Sha256, StringComparison.OrdinalIgnoreCase))
                throw new InputException($"{root} was made with other data (dataset sha256 {Short(existing.Dataset?.Sha256 ?? "none")}… ≠ {Short(dataset.Sha256)}…); use a new --run directory or the data it was made with");
            if (existing.Models != keep.Length || existing.Samples != labels.Length)
                throw new InputException($"{paths.Keep} holds {existing.Models}×{existing.Samples} but the plan is {keep.Length}×{labels.Length}; the run directory was altered, use a new --run directory");
            if (existing.Target != target)
                throw new InputException(DescribeTargetChange(root, existing.Target, target));
            return existing;
        }
        var foreign = Directory.EnumerateFileSystemEntries(root).Where(p => !IsCreateLeftover(p)).Select(Path.GetFileName).ToList();
        if (foreign.Count > 0)
            throw new InputException($"{root} is not empty and has no {RunLayout.ManifestFile} (found {foreign[0]}); use a new or empty --run directory");

        RunArrays.Write(paths, labels, keep, holdout);
        target?.Write(paths.Target);
        var hashes = HashPlan(paths);
        var run = new RunDirectory(paths, ConfigFile.ForRun(config), dataset, keep.Length, labels.Length, hashes, target);
        Directory.CreateDirectory(paths.ModelsDirectory);
        Directory.CreateDirectory(paths.LogitsDirectory);
        // The manifest is written last: until it exists the directory counts as empty.
        ModelRecords.WriteManifest(paths, run.Config!, dataset, labels.Length, hashes,
            Enumerable.Range(0, keep.Length).Select(m => new ManifestModel { Index = m, Status = ModelStatus.Pending }).ToList());
        return run;
    }

    /// <summary>
    /// Opens an existing run directory. Needs labels.npy and keep.npy (consistent shapes);
    /// manifest.json is optional, since other tools write run directories too.
    /// </summary>
    public static RunDirectory Open(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        var paths = new RunLayout(root);
        if (!Directory.Exists(paths.Root))
            throw new InputException(File.Exists(paths.Root) ? $"{paths.Root} is a file; expected a run directory" : $"{paths.Root}: run directory not found");
        var (models, samples) = RunArrays.Shape(paths);
        RunConfig? config = null;
        DatasetInfo? dataset = null;
        IReadOnlyDictionary<string, string>? hashes = null;
        if (File.Exists(paths.Manifest))
            (config, dataset, hashes) = ReadManifest(paths.Manifest);
        return new RunDirectory(paths, config, dataset, models, samples, hashes, ExternalTarget.Read(paths.Target));
    }

    // ───────────────────────── helpers ─────────────────────────

    private T Verified<T>(string file, Func<T> read)
    {
        if (PlanHashes is not null && PlanHashes.TryGetValue(file, out var expected))
        {
            string path = Path.Combine(Root, file);
            string? actual = FileHash.Sha256OrNull(path);
            if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
                throw new InputException(actual is null
                    ? $"{path}: missing, but {RunLayout.ManifestFile} records it (sha256 {Short(expected)}…); the run directory was altered"
                    : $"{path}: changed since the run was planned (sha256 {Short(actual)}… ≠ {Short(expected)}… in {RunLayout.ManifestFile}); restore it or use a new --run directory");
        }
        return read();
    }

    private static string DescribeTargetChange(string root, ExternalTarget? planned, ExternalTarget? now)
    {
        if (planned is null) return $"{root} was planned without an external target; use a new --run directory for target.onnx {now!.Onnx}";
        if (now is null) return $"{root} was planned with the external target {planned.Onnx}; use a new --run directory for a run without one";
        if (planned.OnnxSha256 != now.OnnxSha256 || planned.Onnx != now.Onnx)
            return $"{root} was planned with the target {planned.Onnx} (sha256 {Short(planned.OnnxSha256)}…), not {now.Onnx} (sha256 {Short(now.OnnxSha256)}…); audit a new model in a new --run directory";
        return $"{root} was planned with the members file {planned.Members ?? "(none)"} (sha256 {Short(planned.MembersSha256 ?? "none")}…), not {now.Members ?? "(none)"} (sha256 {Short(now.MembersSha256 ?? "none")}…); use a new --run directory";
    }

    private static Dictionary<string, string> HashPlan(RunLayout paths)
    {
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [RunLayout.LabelsFile] = FileHash.Sha256(paths.Labels),
            [RunLayout.KeepFile] = FileHash.Sha256(paths.Keep),
        };
        if (File.Exists(paths.Holdout)) hashes[RunLayout.HoldoutFile] = FileHash.Sha256(paths.Holdout);
        return hashes;
    }

    private static void CheckPlan(DatasetInfo dataset, long[] labels, bool[][] keep, bool[]? holdout)
    {
        int n = labels.Length;
        if (keep.Length < 1) throw new ArgumentException("keep has no models", nameof(keep));
        for (int m = 0; m < keep.Length; m++)
            if (keep[m] is null || keep[m].Length != n)
                throw new ArgumentException($"keep[{m}] has {keep[m]?.Length ?? 0} samples but labels has {n}", nameof(keep));
        if (dataset.Population + dataset.Holdout != n)
            throw new ArgumentException($"dataset population {dataset.Population} + holdout {dataset.Holdout} ≠ {n} labels", nameof(dataset));
        if (holdout is null)
        {
            if (dataset.Holdout != 0) throw new ArgumentException("dataset has a holdout but no holdout mask was given", nameof(holdout));
            return;
        }
        if (holdout.Length != n)
            throw new ArgumentException($"holdout has {holdout.Length} samples but labels has {n}", nameof(holdout));
        if (holdout.Count(h => h) != dataset.Holdout)
            throw new ArgumentException($"holdout marks {holdout.Count(h => h)} samples but the dataset has {dataset.Holdout}", nameof(holdout));
        for (int m = 0; m < keep.Length; m++)
            for (int i = 0; i < n; i++)
                if (holdout[i] && keep[m][i])
                    throw new ArgumentException($"model {m} keeps holdout sample {i}", nameof(keep));
    }

    private static (RunConfig Config, DatasetInfo Dataset, IReadOnlyDictionary<string, string>? Plan) ReadManifest(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var rootEl = doc.RootElement;
            if (rootEl.ValueKind != JsonValueKind.Object || !rootEl.TryGetProperty("config", out var configEl) || configEl.ValueKind != JsonValueKind.Object)
                throw new InputException($"{path}: not a MiaLab manifest (no config object)");
            if (rootEl.TryGetProperty("schema_version", out var v) && v.TryGetInt32(out int schema) && schema > Manifest.CurrentSchema)
                throw new InputException($"{path}: schema version {schema} is newer than this MiaLab understands ({Manifest.CurrentSchema}); update mialab");
            var config = ConfigFile.ForRun(ConfigFile.Parse(configEl.GetRawText(), path + " (config)"));
            if (!rootEl.TryGetProperty("dataset", out var dsEl) || dsEl.ValueKind != JsonValueKind.Object)
                throw new InputException($"{path}: not a MiaLab manifest (no dataset object)");
            var dataset = dsEl.Deserialize<DatasetInfo>(Manifest.Json)
                ?? throw new InputException($"{path}: not a MiaLab manifest (dataset is null)");
            if (dataset.Sha256 is null || dataset.Name is null || dataset.SampleShape is null)
                throw new InputException($"{path}: dataset must have name, sha256 and sample_shape");
            Dictionary<string, string>? plan = null;
            if (rootEl.TryGetProperty("plan", out var planEl) && planEl.ValueKind == JsonValueKind.Object)
                plan = planEl.Deserialize<Dictionary<string, string>>(Manifest.Json);
            return (config, dataset, plan);
        }
        catch (JsonException e)
        {
            throw new InputException($"{path}: not valid JSON ({InputException.OneLine(e.Message)})");
        }
    }

    /// <summary>What an interrupted Create can leave behind (then it is safe to start over).</summary>
    private static bool IsCreateLeftover(string path)
    {
        string name = Path.GetFileName(path);
        if (Directory.Exists(path))
            return name is "models" or "logits" && !Directory.EnumerateFileSystemEntries(path).Any();
        return name is RunLayout.LabelsFile or RunLayout.KeepFile or RunLayout.HoldoutFile or RunLayout.LockFile or RunLayout.TargetFile
            || (name.StartsWith('.') && name.EndsWith(".tmp", StringComparison.Ordinal));
    }

    private static string Short(string sha) => sha[..Math.Min(12, sha.Length)];
}
