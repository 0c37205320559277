using System.Text.Json;
using MiaLab.Core.Config;
using MiaLab.Core.IO;

namespace MiaLab.Core.Runs;

/// <summary>
/// The per-model records of a run (models/model-XXXX.json), which are the truth about progress:
/// a model is trained when its record exists and its weights hash to the recorded SHA-256, and
/// queried when its logits do too. manifest.json is a summary rebuilt from the records under the
/// run's lock, so shard processes working on different models never lose each other's updates.
/// </summary>
public sealed class ModelRecords
{
    private readonly RunLayout _paths;
    private readonly RunConfig? _config;
    private readonly DatasetInfo? _dataset;
    private readonly int _models, _samples;
    private readonly IReadOnlyDictionary<string, string>? _planHashes;
    private readonly ExternalTarget? _target;
    // SHA-256 of files keyed by (length, last write time), for manifest refreshes; statuses asked
    // for by the stages always hash afresh.
    private readonly Dictionary<string, (long Length, DateTime Written, string Sha)> _hashCache = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    internal ModelRecords(RunLayout paths, RunConfig? config, DatasetInfo? dataset, int models, int samples,
        IReadOnlyDictionary<string, string>? planHashes, ExternalTarget? target)
    {
        _paths = paths; _config = config; _dataset = dataset; _models = models; _samples = samples; _planHashes = planHashes;
        _target = target;
    }

    /// <summary>The file that defines model m: its weights, or for an external target the ONNX file.</summary>
    public string WeightsFile(int m) => _target is not null && Check(m) == ExternalTarget.Model ? _target.Onnx : _paths.Weights(Check(m));

    /// <summary>The record of model m, or null when it has none yet.</summary>
    public ModelRecord? Read(int m)
    {
        string path = _paths.ModelRecord(Check(m));
        if (!File.Exists(path)) return null;
        ModelRecord? record;
        try
        {
            record = JsonSerializer.Deserialize<ModelRecord>(File.ReadAllText(path), Manifest.Json);
        }
        catch (JsonException e)
        {
            throw new InputException($"{path}: not a valid model record ({InputException.OneLine(e.Message)})");
        }
        if (record is null || record.WeightsSha256 is null)
            throw new InputException($"{path}: not a valid model record (weights_sha256 missing)");
        if (record.Index != m)
            throw new InputException($"{path}: records model {record.Index}, expected {m}");
        return record;
    }

    /// <summary>Writes models/model-XXXX.json atomically, then rebuilds manifest.json.</summary>
    public void Write(ModelRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentException.ThrowIfNullOrWhiteSpace(r.WeightsSha256);
        AtomicFile.WriteAllText(_paths.ModelRecord(Check(r.Index)), JsonSerializer.Serialize(r, Manifest.Json) + "\n");
        RefreshManifest();
    }

    /// <summary>Model m has a record, its weights file exists and hashes to the recorded SHA-256.</summary>
    public bool IsTrained(int m) => StatusOf(m) != ModelStatus.Pending;

    /// <summary>Trained, and its logits file exists and hashes to the recorded LogitsSha256.</summary>
    public bool IsQueried(int m) => StatusOf(m) == ModelStatus.Queried;

    /// <summary>Where model m stands, checked by hashing its files now.</summary>
    public ModelStatus StatusOf(int m) => Status(m, Read(m), cached: false);

    /// <summary>Deletes temporary files left by processes killed mid-write (a live shard
    /// process's files are left alone).</summary>
    public void RemoveStaleTemporaryFiles()
    {
        foreach (var dir in new[] { _paths.Root, _paths.ModelsDirectory, _paths.LogitsDirectory, _paths.ReconDirectory })
        {
            if (!Directory.Exists(dir)) continue;
            foreach (var file in Directory.EnumerateFiles(dir, ".*.tmp"))
                if (AtomicFile.IsOrphanedTemporary(file)) File.Delete(file);
        }
    }

    /// <summary>
    /// Rebuilds manifest.json from the per-model records: status, SHA-256s, accuracies and timings
    /// of every model, and totals. Serialised across processes by the run's lock, and each rebuild
    /// reads every record, so the last rebuild reflects every record written before it. A
    /// directory without a config (written by another tool) has no manifest to rebuild.
    /// </summary>
    public void RefreshManifest()
    {
        if (_config is null) return;
        lock (_gate)
        {
            using var fileLock = FileLock.Acquire(_paths.Lock);
            WriteManifest(_paths, _config, _dataset!, _samples, _planHashes, Summaries());
        }
    }

    /// <summary>Writes manifest.json for the given model summaries (caller holds the lock).</summary>
    internal static void WriteManifest(RunLayout paths, RunConfig config, DatasetInfo dataset, int samples,
        IReadOnlyDictionary<string, string>? planHashes, IReadOnlyList<ManifestModel> models)
    {
        DateTime now = DateTime.UtcNow;
        DateTime created = now;
        if (File.Exists(paths.Manifest))
        {
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(paths.Manifest));
                if (doc.RootElement.TryGetProperty("created_utc", out var c) && c.TryGetDateTime(out var t))
                    created = t.ToUniversalTime();
            }
            catch (JsonException) { /* a broken summary is rebuilt from the records */ }
        }
        var manifest = new Manifest
        {
            ToolVersion = ToolVersion.Text,
            CreatedUtc = DateTime.SpecifyKind(created, DateTimeKind.Utc),
            UpdatedUtc = now,
            Config = ConfigFile.ToJsonElement(config),
            ConfigSha256 = ConfigFile.Sha256(config),
            Dataset = dataset,
            Samples = samples,
            Plan = planHashes is null ? null : new Dictionary<string, string>(planHashes),
            Predictability = ReadPredictability(paths),
            Privacy = Privacy.DpSgdPrivacy.Resolve(config),
        };
        foreach (var m in models)
        {
            manifest.Models.Add(m);
            if (m.Status != ModelStatus.Pending) { manifest.Totals.Trained++; manifest.Totals.TrainSeconds += m.TrainSeconds ?? 0; }
            if (m.Status == ModelStatus.Queried) { manifest.Totals.Queried++; manifest.Totals.QuerySeconds += m.QuerySeconds ?? 0; }
        }
        AtomicFile.WriteAllText(paths.Manifest, JsonSerializer.Serialize(manifest, Manifest.Json) + "\n");
    }

    private static JsonElement? ReadPredictability(RunLayout paths)
    {
        if (!File.Exists(paths.PredictabilityRecord)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(paths.PredictabilityRecord));
            return doc.RootElement.Clone();
        }
        catch (JsonException) { return null; /* made again by the predictability stage */ }
    }

    private List<ManifestModel> Summaries()
    {
        var list = new List<ManifestModel>();
        for (int m = 0; m < _models; m++)
        {
            ModelRecord? r;
            try { r = Read(m); }
            catch (InputException) { r = null; } // a broken record counts as pending
            var status = Status(m, r, cached: true);
            list.Add(new ManifestModel
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
        }
        return list;
    }

    private ModelStatus Status(int m, ModelRecord? record, bool cached)
    {
        if (record is null) return ModelStatus.Pending;
        string? weights = Sha(WeightsFile(m), cached);
        if (weights is null || !string.Equals(weights, record.WeightsSha256, StringComparison.OrdinalIgnoreCase))
            return ModelStatus.Pending;
        if (record.LogitsSha256 is null) return ModelStatus.Trained;
        string? logits = Sha(QueryOutput(m), cached);
        return logits is not null && string.Equals(logits, record.LogitsSha256, StringComparison.OrdinalIgnoreCase)
            ? ModelStatus.Queried
            : ModelStatus.Trained;
    }

    /// <summary>The file a model's query wrote: logits/model-XXXX.npy, or recon/model-XXXX.npy for an image-to-image run.</summary>
    private string QueryOutput(int m) => !File.Exists(_paths.Logits(m)) && File.Exists(_paths.Recon(m)) ? _paths.Recon(m) : _paths.Logits(m);

    private string? Sha(string path, bool cached)
    {
        var info = new FileInfo(path);
        if (!info.Exists) return null;
        if (!cached) return FileHash.Sha256(path);
        if (_hashCache.TryGetValue(path, out var e) && e.Length == info.Length && e.Written == info.LastWriteTimeUtc)
            return e.Sha;
        string sha = FileHash.Sha256(path);
        _hashCache[path] = (info.Length, info.LastWriteTimeUtc, sha);
        return sha;
    }

    private int Check(int m)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(m, _models);
        return m;
    }

    private static double? Finite(double? x) => x is double v && double.IsFinite(v) ? v : null;
}
