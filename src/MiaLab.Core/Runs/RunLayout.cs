namespace MiaLab.Core.Runs;

/// <summary>
/// Where everything lives in a run directory (the contract between stages, DESIGN.md). Pure
/// path arithmetic: no file is read or written here.
/// </summary>
public sealed class RunLayout(string root)
{
    public const string ManifestFile = "manifest.json";
    public const string LabelsFile = "labels.npy";
    public const string KeepFile = "keep.npy";
    public const string HoldoutFile = "holdout.npy";
    public const string MetricsFile = "metrics.json";
    public const string LockFile = ".run.lock";
    public const string PredictabilityFile = "predictability.npy";
    public const string MetricsLockFile = ".metrics.lock";
    public const string TargetFile = "target.json";
    public const string SlurmFile = "slurm.json";

    public string Root { get; } = Path.GetFullPath(root);

    public string Manifest => Path.Combine(Root, ManifestFile);
    public string Labels => Path.Combine(Root, LabelsFile);
    public string Keep => Path.Combine(Root, KeepFile);
    public string Holdout => Path.Combine(Root, HoldoutFile);
    public string Metrics => Path.Combine(Root, MetricsFile);
    /// <summary>Held while the plan is created and while manifest.json is rebuilt (briefly).</summary>
    public string Lock => Path.Combine(Root, LockFile);
    /// <summary>Held for the whole evaluate stage, which may take minutes.</summary>
    public string MetricsLock => Path.Combine(Root, MetricsLockFile);
    /// <summary>target.json: the external target (ONNX) of a black-box audit, when there is one.</summary>
    public string Target => Path.Combine(Root, TargetFile);
    /// <summary>slurm.json: the SLURM array job that fills the run, when one was submitted.</summary>
    public string Slurm => Path.Combine(Root, SlurmFile);
    /// <summary>slurm/: the sbatch script and the tasks' logs.</summary>
    public string SlurmDirectory => Path.Combine(Root, "slurm");
    public string ProgressDirectory => Path.Combine(Root, "progress");
    public string ReportDirectory => Path.Combine(Root, "report");
    public string ModelsDirectory => Path.Combine(Root, "models");
    public string LogitsDirectory => Path.Combine(Root, "logits");
    public string AttacksDirectory => Path.Combine(Root, "attacks");
    public string MintDirectory => Path.Combine(Root, "mint");
    public string ActivationsDirectory => Path.Combine(Root, "activations");
    /// <summary>Image-to-image runs: recon/model-XXXX.npy, each model's reconstruction errors [N, A].</summary>
    public string ReconDirectory => Path.Combine(Root, "recon");
    /// <summary>predictability.npy: float64 [N], each sample's predictability error L_pred (no model involved).</summary>
    public string Predictability => Path.Combine(Root, PredictabilityFile);
    /// <summary>predictability.json: how predictability.npy was made (grid, ridge, the backbone and its training data).</summary>
    public string PredictabilityRecord => Path.Combine(Root, "predictability.json");
    /// <summary>backbone/: the predictability backbone's weights and record.</summary>
    public string BackboneDirectory => Path.Combine(Root, "backbone");

    public string Weights(int m) => Path.Combine(ModelsDirectory, $"model-{Index(m)}.npz");
    public string ModelRecord(int m) => Path.Combine(ModelsDirectory, $"model-{Index(m)}.json");
    public string Logits(int m) => Path.Combine(LogitsDirectory, $"model-{Index(m)}.npy");
    public string Recon(int m) => Path.Combine(ReconDirectory, $"model-{Index(m)}.npy");
    /// <summary>recon/model-XXXX.gallery.npz: the outputs of a few samples (indices, outputs) for the report.</summary>
    public string ReconGallery(int m) => Path.Combine(ReconDirectory, $"model-{Index(m)}.gallery.npz");
    /// <summary>progress/model-XXXX.json: how far the training of model m has come (while it trains).</summary>
    public string Progress(int m) => Path.Combine(ProgressDirectory, $"model-{Index(m)}.json");
    public string Activations(int m) => Path.Combine(ActivationsDirectory, $"model-{Index(m)}.npy");

    /// <summary>attacks/&lt;attack&gt;/target-XXXX.npy: one attack's scores against one target.</summary>
    public string AttackScores(string attack, int target) => Path.Combine(AttackDirectory(attack), $"target-{Index(target)}.npy");

    /// <summary>attacks/&lt;attack&gt;/target-XXXX.json: how those scores were made (parameters, inputs).</summary>
    public string AttackRecord(string attack, int target) => Path.Combine(AttackDirectory(attack), $"target-{Index(target)}.json");

    public string AttackDirectory(string attack)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(attack);
        if (attack.IndexOfAny(['/', '\\']) >= 0 || attack is "." or "..")
            throw new InputException($"attack name '{attack}' must not contain path separators");
        return Path.Combine(AttacksDirectory, attack);
    }

    private static string Index(int m)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        return m.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);
    }
}
