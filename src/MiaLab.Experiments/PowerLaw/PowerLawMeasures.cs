namespace MiaLab.Experiments.PowerLaw;

/// <summary>TPR − FPR of one attack at one FPR level, on all samples or on the most vulnerable ones, in one setting.</summary>
/// <param name="Subset"><see cref="PowerLawMeasures.All"/>, or "top 1%", "top 0.1%"… (see <see cref="VulnerablePoints"/>).</param>
/// <param name="Targets">How many models were attacked (each with all the others as references).</param>
/// <param name="Chosen">The samples each half of the targets chose (all samples for "all").</param>
/// <param name="Low">The 95% Clopper–Pearson interval of the TPR, minus the FPR (see <see cref="AdvantageAt"/>).</param>
/// <param name="Replicate">Row of bootstrap.npy holding this value's sample-bootstrap replicates.</param>
public sealed record SeriesMeasure(string Attack, string Subset, double Alpha, int Targets, int Chosen, double Value, double Low, double High,
    double Tpr, double Fpr, int Members, int NonMembers, bool Estimable, int Replicate);

/// <summary>What one setting (S, seed) measured. Accuracies are medians over the heads: on the samples a head
/// trained on, and on the pool samples it did not (its test set). Times are this run's, or the run that
/// trained the heads when they were reused.</summary>
/// <param name="Features">The feature width F the backbone gives.</param>
/// <param name="BootstrapSha256">SHA-256 of the setting's bootstrap.npy ([series, resamples] float64).</param>
public sealed record PowerLawMeasures(
    int Shots,
    int Seed,
    int Samples,
    int Models,
    int Classes,
    int Features,
    double? TrainAccuracy,
    double? TestAccuracy,
    IReadOnlyList<SeriesMeasure> Series,
    int Resamples,
    string BootstrapSha256,
    bool FeaturesReused,
    bool HeadsReused,
    int Passes,
    double FeatureSeconds,
    double TrainSeconds,
    double AttackSeconds,
    double AnalysisSeconds)
{
    /// <summary>The subset name of every sample of the pool.</summary>
    public const string All = "all";

    /// <summary>The subset name of the most vulnerable <paramref name="fraction"/> of the samples: "top 1%".</summary>
    public static string Top(double fraction) =>
        "top " + (fraction * 100).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + "%";

    public SeriesMeasure? Find(string attack, string subset, double alpha) =>
        Series.FirstOrDefault(s => s.Attack == attack && s.Subset == subset && Math.Abs(s.Alpha - alpha) <= 1e-12);
}
