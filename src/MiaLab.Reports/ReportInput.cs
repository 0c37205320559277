using MiaLab.Core.Mint;
using MiaLab.Core.Evaluation;

namespace MiaLab.Reports;

// The plain data the audit report is built from. The pipeline fills these from the run
// directory and metrics.json; the report never recomputes a metric.

/// <summary>Everything the HTML audit report shows.</summary>
/// <param name="Title">Report title (shown as the page heading).</param>
/// <param name="CreatedUtc">When the report was generated.</param>
/// <param name="RunDirectory">The run directory the numbers come from.</param>
/// <param name="Target">The audited (target) model.</param>
/// <param name="Attacks">One entry per attack; the report orders them with Core's AttackRanking.</param>
/// <param name="MostExposed">The samples the attacks are most confident are members, highest risk first.</param>
/// <param name="ImageShape">Sample shape: [C, H, W] or [H, W] for images; null for feature vectors.</param>
/// <param name="ClassNames">Class names indexed by label; null to show the numeric labels.</param>
/// <param name="Settings">Configuration summary rows, shown as given.</param>
/// <param name="Mint">MINT detector results for the target; null or empty = no MINT section.</param>
/// <param name="Translation">Image-to-image runs: the target's L1 and its gallery of input / output / target.</param>
public sealed record ReportInput(
    string Title,
    DateTime CreatedUtc,
    string RunDirectory,
    TargetSummary Target,
    IReadOnlyList<AttackReport> Attacks,
    IReadOnlyList<ExposedSample> MostExposed,
    int[]? ImageShape,
    IReadOnlyList<string>? ClassNames,
    IReadOnlyList<(string Key, string Value)> Settings,
    IReadOnlyList<MintSummary>? Mint = null,
    PrivacyBeside? Privacy = null,
    TranslationGallery? Translation = null);

/// <summary>A DP-SGD run's guarantee beside what the attacks measured: the reading sentence, the
/// accountant's ε and δ, and each attack's empirical ε lower bound (held-out thresholds).</summary>
public sealed record PrivacyBeside(string Reading, double AccountantEpsilon, double Delta, string Accountant,
    IReadOnlyList<(string Attack, double EmpiricalEpsilon)> Attacks);

/// <summary>The target model whose training-set membership is audited.</summary>
/// <param name="Index">Index of the target model in the run (models/model-NNNN).</param>
/// <param name="TrainAccuracy">Accuracy on its own training set, in [0, 1].</param>
/// <param name="TestAccuracy">Accuracy on held-out data, in [0, 1].</param>
/// <param name="Members">Number of samples in its training set.</param>
/// <param name="NonMembers">Number of audited samples outside its training set.</param>
/// <param name="ModelDescription">Architecture and training summary, e.g. "ResNet-18, 100 epochs".</param>
/// <param name="DatasetName">Dataset name, e.g. "CIFAR-10".</param>
public sealed record TargetSummary(
    int Index,
    double TrainAccuracy,
    double TestAccuracy,
    int Members,
    int NonMembers,
    string ModelDescription,
    string DatasetName);

/// <summary>One attack's evaluation against the target.</summary>
/// <param name="Name">Short attack name, e.g. "lira-online".</param>
/// <param name="Description">One-line description of what the attack does.</param>
/// <param name="Metrics">Threshold-free metrics (ALGORITHMS.md §7).</param>
/// <param name="Roc">The ROC curve the metrics were read from.</param>
/// <param name="MemberScores">Scores of the members (higher = more likely member); non-finite values are not plotted.</param>
/// <param name="NonMemberScores">Scores of the non-members.</param>
/// <param name="Family">The attack's family from the attack registry, e.g. "LiRA"; the report groups the
/// ROC panels by it. Empty = inferred from the name (see <see cref="AttackFamilies"/>).</param>
public sealed record AttackReport(
    string Name,
    string Description,
    AttackMetrics Metrics,
    RocCurve Roc,
    double[] MemberScores,
    double[] NonMemberScores,
    string Family = "");

/// <summary>A sample an attack flags as a member with high confidence.</summary>
/// <param name="Index">Sample index in the population.</param>
/// <param name="Label">Its class label.</param>
/// <param name="Score">The attack's membership score (higher = more likely member).</param>
/// <param name="Attack">Name of the attack that produced the score.</param>
/// <param name="Pixels">Pixel values, C×H×W in [0, 1], when the data are images; otherwise the feature vector or null.</param>
public sealed record ExposedSample(int Index, long Label, double Score, string Attack, float[]? Pixels);
