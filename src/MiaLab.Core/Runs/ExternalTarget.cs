using System.Text.Json;
using MiaLab.Core.IO;

namespace MiaLab.Core.Runs;

/// <summary>
/// The external target of a black-box audit as the plan recorded it in target.json: the ONNX file
/// that is model 0 (its full path and SHA-256) and the members file that became row 0 of keep.npy
/// (null when membership is unknown). A run directory belongs to one target: a changed ONNX or
/// members file is refused, never mixed with the models trained against the old one.
/// </summary>
public sealed record ExternalTarget(string Onnx, string OnnxSha256, string? Members, string? MembersSha256)
{
    /// <summary>Model index of the external target in keep.npy, models/ and logits/.</summary>
    public const int Model = 0;

    /// <summary>Whether keep.npy's row 0 is the target's true membership (else it is all false and
    /// only the score distribution can be reported).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool MembersKnown => Members is not null;

    public static ExternalTarget Describe(string onnxPath, string? membersPath) =>
        new(Path.GetFullPath(onnxPath), FileHash.Sha256(onnxPath),
            membersPath is null ? null : Path.GetFullPath(membersPath), membersPath is null ? null : FileHash.Sha256(membersPath));

    public void Write(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Manifest.Json) + "\n");

    /// <summary>target.json of a run, or null when the run has none (MiaLab trained every model).</summary>
    public static ExternalTarget? Read(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            var t = JsonSerializer.Deserialize<ExternalTarget>(File.ReadAllText(path), Manifest.Json);
            if (t?.Onnx is null || t.OnnxSha256 is null) throw new InputException($"{path}: not a valid target record (onnx and onnx_sha256 are required)");
            return t;
        }
        catch (JsonException e)
        {
            throw new InputException($"{path}: not a valid target record ({InputException.OneLine(e.Message)})");
        }
    }

    /// <summary>The ONNX file still is the one planned (else one line saying what changed).</summary>
    public void CheckUnchanged()
    {
        string? sha = FileHash.Sha256OrNull(Onnx);
        if (sha is null) throw new InputException($"{Onnx}: the target's ONNX file is gone (the run was planned with sha256 {OnnxSha256[..12]}…)");
        if (sha != OnnxSha256)
            throw new InputException($"{Onnx}: changed since the run was planned (sha256 {sha[..12]}… ≠ {OnnxSha256[..12]}…); audit the new model in a new --run directory");
    }
}
