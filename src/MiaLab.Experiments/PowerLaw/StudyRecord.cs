using System.Text.Json;
using System.Text.Json.Serialization;
using MiaLab.Core.IO;

namespace MiaLab.Experiments.PowerLaw;

/// <summary>
/// The small JSON records the study writes beside its arrays (backbone.json, features.json,
/// heads.json): snake_case, written atomically after the arrays they describe, and read back
/// tolerantly — a missing or broken record means "not done", so the work is simply redone.
/// </summary>
internal static class StudyRecord
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void Write<T>(string path, T record) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(record, Json) + "\n");

    /// <summary>The record at <paramref name="path"/>, or null when there is none or it does not parse.</summary>
    public static T? Read<T>(string path) where T : class
    {
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Json); }
        catch (JsonException) { return null; }
    }
}
