using System.Text.Json;
using System.Text.Json.Serialization;

namespace MiaLab.Core.Runs;

// The shape of manifest.json (snake_case on disk). A summary rebuilt from the per-model
// records by ModelRecords.RefreshManifest; config, dataset and plan hashes are read back.

internal sealed class Manifest
{
    public const int CurrentSchema = 1;

    public int SchemaVersion { get; set; } = CurrentSchema;
    public string ToolVersion { get; set; } = "";
    public DateTime CreatedUtc { get; set; }
    public DateTime UpdatedUtc { get; set; }
    public JsonElement Config { get; set; }
    public string ConfigSha256 { get; set; } = "";
    public DatasetInfo? Dataset { get; set; }
    public int Samples { get; set; }
    /// <summary>SHA-256 of labels.npy, keep.npy and holdout.npy as planned; every stage checks them.</summary>
    public Dictionary<string, string>? Plan { get; set; }
    /// <summary>Image-to-image runs: predictability.json (the backbone, what it trained on, the grid), once computed.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? Predictability { get; set; }
    /// <summary>DP-SGD's σ, C, q, steps, δ, accountant and ε (null for other defenses).</summary>
    public Privacy.DpSgdPrivacy? Privacy { get; set; }
    public List<ManifestModel> Models { get; set; } = [];
    public ManifestTotals Totals { get; set; } = new();

    internal static readonly JsonSerializerOptions Json = IO.RecordJson.Options;
}

internal sealed class ManifestModel
{
    public int Index { get; set; }
    public ModelStatus Status { get; set; }
    public int? TrainSamples { get; set; }
    public string? WeightsSha256 { get; set; }
    public string? LogitsSha256 { get; set; }
    public double? TrainAccuracy { get; set; }
    public double? TestAccuracy { get; set; }
    public double? TrainSeconds { get; set; }
    public double? QuerySeconds { get; set; }
}

internal sealed class ManifestTotals
{
    public int Trained { get; set; }
    public int Queried { get; set; }
    public double TrainSeconds { get; set; }
    public double QuerySeconds { get; set; }
}
