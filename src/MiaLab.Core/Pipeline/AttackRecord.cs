using System.Text.Json;
using System.Text.Json.Serialization;
using MiaLab.Core.IO;

namespace MiaLab.Core.Pipeline;

/// <summary>The target model an attack ran against: accuracies on its identity query (NaN for an
/// image-to-image model, which has none) and how many population samples it did and did not train on.</summary>
public sealed record TargetSummary(int Target, double TrainAccuracy, double TestAccuracy, int Members, int NonMembers);

/// <summary>
/// attacks/&lt;attack&gt;/target-XXXX.json, written beside the scores after them: how the scores
/// were made (the attack's parameters, references and seed), the SHA-256 of every file it read and
/// of the scores it wrote, the target's summary and the attack's own numbers ("extras"). The
/// evaluate stage trusts a score file only when its record matches it and its inputs.
/// </summary>
public sealed record AttackRecord(
    string Attack,
    string Family,
    int Target,
    IReadOnlyList<int> References,
    int Seed,
    IReadOnlyDictionary<string, string> Parameters,
    IReadOnlyDictionary<string, string> Inputs,
    string ScoresSha256,
    TargetSummary TargetSummary,
    IReadOnlyDictionary<string, double?> Extras,
    string ToolVersion,
    double Seconds)
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NewLine = "\n",
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        // A target of unknown membership has no train accuracy, an image-to-image target no accuracies (NaN).
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public void Write(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");

    /// <summary>The record at <paramref name="path"/>, or null when it is missing or unreadable
    /// (both mean: these scores were never completed).</summary>
    public static AttackRecord? TryRead(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            var r = JsonSerializer.Deserialize<AttackRecord>(File.ReadAllText(path), Json);
            return r is { Attack: not null, ScoresSha256: not null, Inputs: not null, Parameters: not null, TargetSummary: not null } ? r : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>True when both records describe the same computation (same attack, target,
    /// references, seed, parameters and input files).</summary>
    public bool SameComputation(AttackRecord other) =>
        Attack == other.Attack && Target == other.Target && Seed == other.Seed
        && References.SequenceEqual(other.References)
        && SameMap(Parameters, other.Parameters) && SameMap(Inputs, other.Inputs);

    private static bool SameMap(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var v) && v == p.Value);
}
