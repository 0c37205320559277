using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using MiaLab.Core.Attacks;
using MiaLab.Core.Config;
using MiaLab.Core.IO;

namespace MiaLab.Core.Runs;

/// <summary>
/// A run directory, the contract between stages (docs: DESIGN.md): labels.npy, keep.npy,
/// holdout.npy, models/, logits/, attacks/, metrics.json, report/ and manifest.json. It belongs
/// to one config: <see cref="Create"/> resumes a directory made with the same config and dataset
/// and refuses any other. Per-model records (models/model-0000.json) are the truth about
/// progress; manifest.json is a summary rebuilt from them, so shard processes working on
/// different models of one directory never lose each other's updates.
/// </summary>
public sealed class RunDirectory
{
    public const string ManifestFile = "manifest.json";
    public const string LabelsFile = "labels.npy";
    public const string KeepFile = "keep.npy";
    public const string HoldoutFile = "holdout.npy";
    private const string LockFile = ".manifest.lock";

    // SHA-256 of files keyed by (length, last write time), for manifest refreshes; IsTrained and
    // IsQueried always hash afresh.
    private readonly Dictionary<string, (long Length, DateTime Written, string Sha)> _hashCache = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    private RunDirectory(string root, RunConfig? config, DatasetInfo? dataset, int models, int samples)
    {
        Root = root;
        Config = config;
        Dataset = dataset;
        Models = models;
        Samples = samples;
    }

    public string Root { get; }
    /// <summary>The config from manifest.json; null for a directory another tool wrote.</summary>
    public RunConfig? Config { get; }
    public DatasetInfo? Dataset { get; }
    /// <summary>M, the rows of keep.npy.</summary>
    public int Models { get; }
    /// <summary>N, the rows of labels.npy (population plus holdout).</summary>
    public int Samples { get; }

    public string ManifestPath => Path.Combine(Root, ManifestFile);
    public string LabelsPath => Path.Combine(Root, LabelsFile);
    public string KeepPath => Path.Combine(Root, KeepFile);
    public string HoldoutPath => Path.Combine(Root, HoldoutFile);
    public string MetricsPath => Path.Combine(Root, "metrics.json");
    public string ReportDirectory => Path.Combine(Root, "report");
    public string ModelsDirectory => Path.Combine(Root, "models");
    public string LogitsDirectory => Path.Combine(Root, "logits");

    public string WeightsPath(int m) => Path.Combine(ModelsDirectory, $"model-{CheckModel(m):D4}.npz");
    public string ModelRecordPath(int m) => Path.Combine(ModelsDirectory, $"model-{CheckModel(m):D4}.json");
    public string LogitsPath(int m) => Path.Combine(LogitsDirectory, $"model-{CheckModel(m):D4}.npy");

    public string AttackScoresPath(string attack, int target)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(attack);
        if (attack.IndexOfAny(['/', '\\']) >= 0 || attack is "." or "..")
            throw new InputException($"attack name '{attack}' must not contain path separators");
        return Path.Combine(Root, "attacks", attack, $"target-{CheckModel(target):D4}.npy");
    }

    // ───────────────────────── create / open ─────────────────────────

    /// <summary>
    /// Makes a new run directory (root missing or empty): labels.npy, keep.npy, holdout.npy (when
    /// there is an extra split) and manifest.json, each written atomically, the manifest last.
    /// If root already holds a manifest made with the same config and dataset, returns it
    /// untouched (resume); another config or dataset is refused with an <see cref="InputException"/>.
    /// </summary>
    public static RunDirectory Create(string root, RunConfig config, DatasetInfo dataset, long[] labels, bool[][] keep, bool[]? holdout)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(keep);
        ConfigFile.Validate(config);
        CheckPlan(dataset, labels, keep, holdout);
        root = Path.GetFullPath(root);
        string configSha = ConfigFile.Sha256(config);

        if (File.Exists(root))
            throw new InputException($"{root} is a file; the run directory must be a folder");
        if (File.Exists(Path.Combine(root, ManifestFile)))
        {
            var existing = Open(root);
            string existingSha = existing.ConfigSha256();
            if (existingSha != configSha)
                throw new InputException($"{root} was made with another config (config sha256 {Short(existingSha)}… ≠ {Short(configSha)}…); use a new --run directory or the config it was made with");
            if (existing.Dataset is null || !string.Equals(existing.Dataset.Sha256, dataset.Sha256, StringComparison.OrdinalIgnoreCase))
                throw new InputException($"{root} was made with other data (dataset sha256 {Short(existing.Dataset?.Sha256 ?? "none")}… ≠ {Short(dataset.Sha256)}…); use a new --run directory or the data it was made with");
            if (existing.Models != keep.Length || existing.Samples != labels.Length)
                throw new InputException($"{Path.Combine(root, KeepFile)} holds {existing.Models}×{existing.Samples} but the plan is {keep.Length}×{labels.Length}; the run directory was altered, use a new --run directory");
            return existing;
        }
        if (Directory.Exists(root))
        {
            var foreign = Directory.EnumerateFileSystemEntries(root).Where(p => !IsCreateLeftover(p)).Select(Path.GetFileName).ToList();
            if (foreign.Count > 0)
                throw new InputException($"{root} is not empty and has no {ManifestFile} (found {foreign[0]}); use a new or empty --run directory");
        }

        Directory.CreateDirectory(root);
        Npy.Write(Path.Combine(root, LabelsFile), new NpyArray(labels, labels.Length));
        var flat = new bool[(long)keep.Length * labels.Length];
        for (int m = 0; m < keep.Length; m++) Array.Copy(keep[m], 0, flat, (long)m * labels.Length, labels.Length);
        Npy.Write(Path.Combine(root, KeepFile), new NpyArray(flat, keep.Length, labels.Length));
        if (holdout is not null) Npy.Write(Path.Combine(root, HoldoutFile), new NpyArray(holdout, holdout.Length));
        else if (File.Exists(Path.Combine(root, HoldoutFile))) File.Delete(Path.Combine(root, HoldoutFile));

        var run = new RunDirectory(root, ConfigFile.Clone(config), dataset, keep.Length, labels.Length);
        Directory.CreateDirectory(run.ModelsDirectory); // so trainers that write weights themselves find their folder
        Directory.CreateDirectory(run.LogitsDirectory);
        run.RefreshManifest();
        return run;
    }

    /// <summary>
    /// Opens an existing run directory. Needs labels.npy and keep.npy (consistent shapes);
    /// manifest.json is optional, since other tools write run directories too. Logits are
    /// checked when <see cref="LoadOutputs"/> reads them.
    /// </summary>
    public static RunDirectory Open(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        root = Path.GetFullPath(root);
        if (!Directory.Exists(root))
            throw new InputException(File.Exists(root) ? $"{root} is a file; expected a run directory" : $"{root}: run directory not found");
        string labelsPath = Path.Combine(root, LabelsFile), keepPath = Path.Combine(root, KeepFile);
        var labelsHeader = Header(labelsPath, LabelsHint);
        CheckLabelsHeader(labelsPath, labelsHeader);
        var keepHeader = Header(keepPath, KeepHint);
        CheckKeepHeader(keepPath, keepHeader, labelsHeader.Shape[0], labelsPath);

        RunConfig? config = null;
        DatasetInfo? dataset = null;
        string manifestPath = Path.Combine(root, ManifestFile);
        if (File.Exists(manifestPath))
            (config, dataset) = ReadManifest(manifestPath);
        return new RunDirectory(root, config, dataset, keepHeader.Shape[0], labelsHeader.Shape[0]);
    }

    // ───────────────────────── per-model records ─────────────────────────

    /// <summary>The record of model m, or null when it has none yet.</summary>
    /// <summary>Deletes temporary files left by processes killed mid-write (a live shard
    /// process's files are left alone).</summary>
    public void RemoveStaleTemporaryFiles()
    {
        foreach (var dir in new[] { Root, ModelsDirectory, LogitsDirectory })
        {
            if (!Directory.Exists(dir)) continue;
            foreach (var file in Directory.EnumerateFiles(dir, ".*.tmp"))
                if (AtomicFile.IsOrphanedTemporary(file)) File.Delete(file);
        }
    }

    public ModelRecord? ReadModelRecord(int m)
    {
        string path = ModelRecordPath(m);
        if (!File.Exists(path)) return null;
        ModelRecord? record;
        try
        {
            record = JsonSerializer.Deserialize<ModelRecord>(File.ReadAllText(path), Manifest.Json);
        }
        catch (JsonException e)
        {
            throw new InputException($"{path}: not a valid model record ({OneLine(e.Message)})");
        }
        if (record is null || record.WeightsSha256 is null)
            throw new InputException($"{path}: not a valid model record (weights_sha256 missing)");
        if (record.Index != m)
            throw new InputException($"{path}: records model {record.Index}, expected {m}");
        return record;
    }

    /// <summary>Writes models/model-0000.json atomically, then rebuilds manifest.json.</summary>
    public void WriteModelRecord(ModelRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentException.ThrowIfNullOrWhiteSpace(r.WeightsSha256);
        AtomicFile.WriteAllText(ModelRecordPath(r.Index), JsonSerializer.Serialize(r, Manifest.Json) + "\n");
        RefreshManifest();
    }

    /// <summary>Model m has a record, its weights file exists and hashes to the recorded SHA-256.</summary>
    public bool IsTrained(int m) => StatusOf(m) != ModelStatus.Pending;

    /// <summary>Trained, and its logits file exists and hashes to the recorded LogitsSha256.</summary>
    public bool IsQueried(int m) => StatusOf(m) == ModelStatus.Queried;

    /// <summary>Where model m stands, checked by hashing its files now.</summary>
    public ModelStatus StatusOf(int m) => Status(m, ReadModelRecord(m), cached: false);

    private ModelStatus Status(int m, ModelRecord? record, bool cached)
    {
        if (record is null) return ModelStatus.Pending;
        string? weights = Sha(WeightsPath(m), cached);
        if (weights is null || !string.Equals(weights, record.WeightsSha256, StringComparison.OrdinalIgnoreCase))
            return ModelStatus.Pending;
        if (record.LogitsSha256 is null) return ModelStatus.Trained;
        string? logits = Sha(LogitsPath(m), cached);
        return logits is not null && string.Equals(logits, record.LogitsSha256, StringComparison.OrdinalIgnoreCase)
            ? ModelStatus.Queried
            : ModelStatus.Trained;
    }

    /// <summary>
    /// Rebuilds manifest.json from the per-model records: status, SHA-256s, accuracies and timings
    /// of every model, and totals. Serialised across processes by a lock file, and each rebuild
    /// reads every record, so the last rebuild reflects every record written before it. A
    /// directory without a config (written by another tool) has no manifest to rebuild.
    /// </summary>
    public void RefreshManifest()
    {
        if (Config is null) return;
        lock (_gate)
        {
            using var fileLock = AcquireLock();
            string manifestPath = ManifestPath;
            DateTime now = DateTime.UtcNow;
            DateTime created = now;
            if (File.Exists(manifestPath))
            {
                try
                {
                    using var doc = JsonDocument.Parse(File.ReadAllText(manifestPath));
                    if (doc.RootElement.TryGetProperty("created_utc", out var c) && c.TryGetDateTime(out var t))
                        created = t.ToUniversalTime();
                }
                catch (JsonException) { /* a broken summary is rebuilt from the records */ }
            }

            var manifest = new Manifest
            {
                ToolVersion = ToolVersion,
                CreatedUtc = DateTime.SpecifyKind(created, DateTimeKind.Utc),
                UpdatedUtc = now,
                Config = ConfigFile.ToJsonElement(Config),
                ConfigSha256 = ConfigFile.Sha256(Config),
                Dataset = Dataset,
                Samples = Samples,
            };
            for (int m = 0; m < Models; m++)
            {
                ModelRecord? r;
                try { r = ReadModelRecord(m); }
                catch (InputException) { r = null; } // a broken record counts as pending
                var status = Status(m, r, cached: true);
                manifest.Models.Add(new ManifestModel
                {
                    Index = m,
                    Status = status,
                    TrainSamples = r?.TrainSamples,
                    WeightsSha256 = r?.WeightsSha256,
                    LogitsSha256 = r?.LogitsSha256,
                    TrainAccuracy = Finite(r?.TrainAccuracy),
                    TestAccuracy = Finite(r?.TestAccuracy),
                    TrainSeconds = Finite(r?.TrainSeconds),
                    QuerySeconds = r?.LogitsSha256 is null ? null : Finite(r.QuerySeconds),
                });
                if (status != ModelStatus.Pending) { manifest.Totals.Trained++; manifest.Totals.TrainSeconds += Finite(r!.TrainSeconds) ?? 0; }
                if (status == ModelStatus.Queried) { manifest.Totals.Queried++; manifest.Totals.QuerySeconds += Finite(r!.QuerySeconds) ?? 0; }
            }
            AtomicFile.WriteAllText(manifestPath, JsonSerializer.Serialize(manifest, Manifest.Json) + "\n");
        }
    }

    // ───────────────────────── arrays ─────────────────────────

    /// <summary>labels.npy as int64 (int32 files are widened).</summary>
    public long[] ReadLabels()
    {
        string path = LabelsPath;
        var header = Header(path, LabelsHint);
        CheckLabelsHeader(path, header);
        var a = Npy.Read(path);
        return a.Data switch
        {
            long[] l => l,
            int[] n => Array.ConvertAll(n, v => (long)v),
            _ => throw new InputException($"{path}: expected int64 labels, found {a.DType}"),
        };
    }

    /// <summary>keep.npy as M rows of N flags.</summary>
    public bool[][] ReadKeep()
    {
        string path = KeepPath;
        var header = Header(path, KeepHint);
        CheckKeepHeader(path, header, Samples, LabelsPath);
        var flat = Npy.Read(path).Get<bool>();
        int m = header.Shape[0], n = header.Shape[1];
        var keep = new bool[m][];
        for (int i = 0; i < m; i++)
        {
            keep[i] = new bool[n];
            Array.Copy(flat, (long)i * n, keep[i], 0, n);
        }
        return keep;
    }

    /// <summary>holdout.npy, or null when the run has no extra split.</summary>
    public bool[]? ReadHoldout()
    {
        string path = HoldoutPath;
        if (!File.Exists(path)) return null;
        var (dtype, shape) = Npy.ReadHeader(path);
        if (dtype != DType.Bool)
            throw new InputException($"{path}: expected dtype bool, found {Name(dtype)}");
        if (shape.Length != 1 || shape[0] != Samples)
            throw new InputException($"{path}: expected shape ({Samples},) like {LabelsFile}, found {FormatShape(shape)}");
        return Npy.Read(path).Get<bool>();
    }

    /// <summary>
    /// Everything the attacks read: labels, keep, holdout and the logits of every model, checked
    /// for consistency (shapes, dtypes, label range, finite logits). Each problem is one
    /// <see cref="InputException"/> naming the file and both numbers.
    /// </summary>
    public ModelOutputs LoadOutputs()
    {
        var labels = ReadLabels();
        var keep = ReadKeep();
        var holdout = ReadHoldout();
        int n = labels.Length, models = keep.Length;
        if (models < 1) throw new InputException($"{KeepPath}: has no models (shape (0, {n}))");

        if (holdout is not null)
            for (int m = 0; m < models; m++)
                for (int i = 0; i < n; i++)
                    if (holdout[i] && keep[m][i])
                        throw new InputException($"{KeepPath}: model {m} trains on sample {i}, which {HoldoutFile} marks as holdout");

        string dir = LogitsDirectory;
        if (!Directory.Exists(dir))
            throw new InputException($"{dir}: not found; {KeepFile} has {models} models, each needs logits/model-NNNN.npy (run the query stage)");
        int files = Directory.EnumerateFiles(dir, "model-*.npy").Count();
        if (files > models)
            throw new InputException($"{dir}: has {files} model files but {KeepFile} has {models} models");

        var logits = new float[models][];
        int a = -1, c = -1;
        string? first = null;
        for (int m = 0; m < models; m++)
        {
            string path = LogitsPath(m);
            if (!File.Exists(path))
                throw new InputException($"{path}: not found; {KeepFile} has {models} models but {dir} has {files} model files");
            var (dtype, shape) = Npy.ReadHeader(path);
            if (dtype != DType.Float32)
                throw new InputException($"{path}: expected dtype float32, found {Name(dtype)}" + (dtype == DType.Float64 ? " (save with .astype(numpy.float32))" : ""));
            if (shape.Length is not (2 or 3))
                throw new InputException($"{path}: expected shape (N, A, C) = ({n}, A, C), found {FormatShape(shape)}");
            if (shape[0] != n)
                throw new InputException($"{path}: has {shape[0]} samples but {LabelsFile} has {n}");
            int ma = shape.Length == 3 ? shape[1] : 1, mc = shape[^1];
            if (ma < 1 || mc < 2)
                throw new InputException($"{path}: needs at least 1 query and 2 classes, found shape {FormatShape(shape)}");
            if (first is null) { a = ma; c = mc; first = path; }
            else if (ma != a)
                throw new InputException($"{path}: has {ma} query augmentations but {first} has {a}");
            else if (mc != c)
                throw new InputException($"{path}: has {mc} classes but {first} has {c}");
            var values = Npy.Read(path).Get<float>();
            for (int k = 0; k < values.Length; k++)
                if (!float.IsFinite(values[k]))
                    throw new InputException($"{path}: {(float.IsNaN(values[k]) ? "NaN" : "infinite")} logit at sample {k / (a * c)} (query {k / c % a}, class {k % c})");
            logits[m] = values;
        }

        for (int i = 0; i < n; i++)
            if (labels[i] < 0 || labels[i] >= c)
                throw new InputException($"{LabelsPath}: label {labels[i]} at sample {i} is outside [0, {c}) — the logits have {c} classes");

        return new ModelOutputs(logits, labels, keep, a, c, holdout);
    }

    /// <summary>Lower-case hex SHA-256 of a file's bytes.</summary>
    public static string FileSha256(string path)
    {
        try
        {
            using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            return Convert.ToHexStringLower(SHA256.HashData(s));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InputException($"{path}: file not found");
        }
    }

    /// <summary>The informational version of MiaLab.Core, recorded in every manifest.</summary>
    public static string ToolVersion { get; } =
        typeof(RunDirectory).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(RunDirectory).Assembly.GetName().Version?.ToString() ?? "unknown";

    // ───────────────────────── helpers ─────────────────────────

    private const string LabelsHint = "int64 [N] labels";
    private const string KeepHint = "bool [M, N] keep matrix";

    private int CheckModel(int m)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(m, Models);
        return m;
    }

    private string ConfigSha256() => Config is null ? "none" : ConfigFile.Sha256(Config);

    private static (DType DType, int[] Shape) Header(string path, string what)
    {
        if (!File.Exists(path))
            throw new InputException($"{path}: not found (a run directory needs {Path.GetFileName(path)}, the {what})");
        return Npy.ReadHeader(path);
    }

    private static void CheckLabelsHeader(string path, (DType DType, int[] Shape) h)
    {
        if (h.DType is not (DType.Int64 or DType.Int32))
            throw new InputException($"{path}: expected dtype int64, found {Name(h.DType)}");
        if (h.Shape.Length != 1)
            throw new InputException($"{path}: expected shape (N,), found {FormatShape(h.Shape)}");
    }

    private static void CheckKeepHeader(string path, (DType DType, int[] Shape) h, int samples, string labelsPath)
    {
        if (h.DType != DType.Bool)
            throw new InputException($"{path}: expected dtype bool, found {Name(h.DType)}");
        if (h.Shape.Length != 2)
            throw new InputException($"{path}: expected shape (M, N), found {FormatShape(h.Shape)}");
        if (h.Shape[1] != samples)
            throw new InputException($"{path}: has N = {h.Shape[1]} samples per model but {labelsPath} has {samples}");
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

    private static (RunConfig Config, DatasetInfo Dataset) ReadManifest(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var rootEl = doc.RootElement;
            if (rootEl.ValueKind != JsonValueKind.Object || !rootEl.TryGetProperty("config", out var configEl) || configEl.ValueKind != JsonValueKind.Object)
                throw new InputException($"{path}: not a MiaLab manifest (no config object)");
            if (rootEl.TryGetProperty("schema_version", out var v) && v.TryGetInt32(out int schema) && schema > Manifest.CurrentSchema)
                throw new InputException($"{path}: schema version {schema} is newer than this MiaLab understands ({Manifest.CurrentSchema}); update mialab");
            var config = ConfigFile.Parse(configEl.GetRawText(), path + " (config)");
            if (!rootEl.TryGetProperty("dataset", out var dsEl) || dsEl.ValueKind != JsonValueKind.Object)
                throw new InputException($"{path}: not a MiaLab manifest (no dataset object)");
            var dataset = dsEl.Deserialize<DatasetInfo>(Manifest.Json)
                ?? throw new InputException($"{path}: not a MiaLab manifest (dataset is null)");
            if (dataset.Sha256 is null || dataset.Name is null || dataset.SampleShape is null)
                throw new InputException($"{path}: dataset must have name, sha256 and sample_shape");
            return (config, dataset);
        }
        catch (JsonException e)
        {
            throw new InputException($"{path}: not valid JSON ({OneLine(e.Message)})");
        }
    }

    /// <summary>What an interrupted Create can leave behind (then it is safe to start over).</summary>
    private static bool IsCreateLeftover(string path)
    {
        string name = Path.GetFileName(path);
        if (Directory.Exists(path))
            return name is "models" or "logits" && !Directory.EnumerateFileSystemEntries(path).Any();
        return name is LabelsFile or KeepFile or HoldoutFile or LockFile
            || (name.StartsWith('.') && name.EndsWith(".tmp", StringComparison.Ordinal));
    }

    private FileStream AcquireLock()
    {
        string path = Path.Combine(Root, LockFile);
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 6000)
            {
                Thread.Sleep(20); // another process is rebuilding the manifest: a few ms
            }
        }
    }

    private string? Sha(string path, bool cached)
    {
        var info = new FileInfo(path);
        if (!info.Exists) return null;
        if (!cached) return FileSha256(path);
        if (_hashCache.TryGetValue(path, out var e) && e.Length == info.Length && e.Written == info.LastWriteTimeUtc)
            return e.Sha;
        string sha = FileSha256(path);
        _hashCache[path] = (info.Length, info.LastWriteTimeUtc, sha);
        return sha;
    }

    private static double? Finite(double? x) => x is double v && double.IsFinite(v) ? v : null;

    private static string Name(DType t) => t.ToString().ToLowerInvariant();

    private static string FormatShape(int[] shape) =>
        shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";

    private static string Short(string sha) => sha[..Math.Min(12, sha.Length)];

    private static string OneLine(string s) => s.ReplaceLineEndings(" ").Trim();
}
