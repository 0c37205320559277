using System.Diagnostics;
using MiaLab.Core.Data;
using MiaLab.Core.IO;
using MiaLab.Torch.Mint;

namespace MiaLab.Experiments.PowerLaw;

/// <summary>What features.json records beside features.npy: the backbone and point they came from,
/// the pool they describe (its SHA-256 over images and labels) and the file's own hash.</summary>
public sealed record FeatureRecord(string BackboneSha256, string Point, string PoolSha256, int Samples, int Width,
    string FeaturesSha256, double Seconds);

/// <summary>
/// The features of one setting's pool, extracted once through the frozen backbone and stored in the
/// setting's run directory as features.npy (float32 [N, F], row i = pool sample i) with features.json.
/// A rerun reads them back when the record names the same backbone, point and pool and the file still
/// hashes to it; anything else is extracted again.
/// </summary>
public static class PoolFeatures
{
    public const string File = "features.npy";
    public const string RecordFile = "features.json";

    /// <summary>The pool's features as a dataset of vectors with the pool's labels, and whether they were
    /// read back rather than extracted.</summary>
    public static (Dataset Features, FeatureRecord Record, bool Reused) Prepare(string runDirectory, Backbone backbone, string point, Dataset pool)
    {
        string npy = Path.Combine(runDirectory, File), json = Path.Combine(runDirectory, RecordFile);
        string poolSha = pool.ComputeSha256();
        if (StudyRecord.Read<FeatureRecord>(json) is { } r && r.BackboneSha256 == backbone.Sha256 && r.Point == point && r.PoolSha256 == poolSha
            && FileHash.Sha256OrNull(npy) == r.FeaturesSha256)
            return (AsDataset(Npy.Read(npy).Get<float>(), r.Width, pool), r, true);

        var clock = Stopwatch.StartNew();
        var activations = ActivationCapture.Capture(backbone.Model, pool, [point], MintReduction.Mean);
        int width = activations.Layout.Width;
        Npy.Write(npy, new NpyArray(activations.Values, pool.Count, width));
        var record = new FeatureRecord(backbone.Sha256, point, poolSha, pool.Count, width, FileHash.Sha256(npy), clock.Elapsed.TotalSeconds);
        StudyRecord.Write(json, record);
        return (AsDataset(activations.Values, width, pool), record, false);
    }

    private static Dataset AsDataset(float[] values, int width, Dataset pool) =>
        new($"{pool.Name} features", values, [width], pool.Labels, pool.NumClasses);
}
