namespace MiaLab.Core.Runs;

/// <summary>The dataset a run directory was made from. Population + Holdout = N, the rows of
/// labels.npy and the columns of keep.npy; Sha256 fingerprints the samples and labels.</summary>
public sealed record DatasetInfo(string Name, string Sha256, int Population, int Holdout, int Classes, int[] SampleShape);

/// <summary>
/// What the trainer and the query stage record about model <see cref="Index"/>, in
/// models/model-0000.json. These per-model files are the truth; manifest.json is rebuilt from them.
/// </summary>
/// <param name="TrainSamples">How many samples the model trained on (its row of keep.npy).</param>
/// <param name="WeightsSha256">SHA-256 of models/model-0000.npz as written.</param>
/// <param name="LogitsSha256">SHA-256 of logits/model-0000.npy (recon/model-0000.npy for an image-to-image run) once queried; null before.</param>
public sealed record ModelRecord(
    int Index,
    int TrainSamples,
    string WeightsSha256,
    double TrainAccuracy,
    double TestAccuracy,
    double TrainSeconds,
    string? LogitsSha256 = null,
    double QuerySeconds = 0);

/// <summary>Where model m stands: no (valid) weights yet; weights match the record; logits match too.</summary>
public enum ModelStatus { Pending, Trained, Queried }
