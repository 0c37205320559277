using System.Text.Json;
using System.Text.Json.Serialization;
using MiaLab.Core.IO;

namespace MiaLab.Core.Translation;

/// <summary>The predictability backbone: what it is, what it was trained on (never a sample of the run)
/// and the SHA-256 of the file its parameters come from (the zoo backbone's weights, or the ONNX file
/// named in <paramref name="Onnx"/>, null for a zoo backbone). Written to backbone/backbone.json and inside predictability.json.</summary>
public sealed record BackboneRecord(string Architecture, string TrainingData, int TrainingSamples, int Epochs, int Seed, double TrainAccuracy,
    string WeightsSha256, double Seconds, string? Onnx = null);

/// <summary>predictability.json, beside predictability.npy: how L_pred was computed and from what, so a
/// rerun reuses it only when nothing changed; manifest.json carries a copy.</summary>
public sealed record PredictabilityRecord(int Grid, double FitFraction, double Ridge, int Seed, IReadOnlyList<string> Stages, int Features,
    string DatasetSha256, BackboneRecord Backbone, string ScoresSha256, double Seconds)
{
    public const string FileName = "predictability.json";

    internal static readonly JsonSerializerOptions Json = RecordJson.Options;

    public void Write(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");

    public static void Write(string path, BackboneRecord backbone) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(backbone, Json) + "\n");

    /// <summary>The record at <paramref name="path"/>, or null when it is missing or unreadable (then it is made again).</summary>
    public static T? TryRead<T>(string path) where T : class
    {
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Json); }
        catch (JsonException) { return null; }
    }
}
