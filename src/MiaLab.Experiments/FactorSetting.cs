using MiaLab.Core.Config;

namespace MiaLab.Experiments;

/// <summary>One setting of the factor study: the base config with one factor changed.</summary>
/// <param name="Factor">The factor's id: times-seen, batch-size, dropout or loss (see <see cref="Factors"/>).</param>
/// <param name="Value">The factor's value as shown in the table, e.g. "x10", "64", "on", "cosface".</param>
/// <param name="Name">The setting's id, "&lt;factor&gt;-&lt;value&gt;", e.g. "times-seen-x10".</param>
/// <param name="Config">The full run config of the setting.</param>
public sealed record FactorSetting(string Factor, string Value, string Name, RunConfig Config) : Studies.IStudySetting;

/// <summary>The factors of the study (MINT paper, DeAlcala et al. 2024, §5) and how each row labels them.</summary>
public static class Factors
{
    public const string TimesSeen = "times-seen";
    public const string BatchSize = "batch-size";
    public const string Dropout = "dropout";
    public const string Loss = "loss";

    public static readonly IReadOnlyList<string> All = [TimesSeen, BatchSize, Dropout, Loss];

    /// <summary>Loss values: the four training losses plus cross-entropy with label smoothing.</summary>
    public const string CrossEntropy = "cross-entropy";
    public const string LabelSmoothing = "label-smoothing";
    public const string Focal = "focal";
    public const string CosFace = "cosface";
    public const string ArcFace = "arcface";

    public static readonly IReadOnlyList<string> AllLosses = [CrossEntropy, LabelSmoothing, Focal, CosFace, ArcFace];

    /// <summary>A human title for the report and the tables.</summary>
    public static string Title(string factor) => factor switch
    {
        TimesSeen => "Times a sample is seen per epoch",
        BatchSize => "Batch size",
        Dropout => "Dropout",
        Loss => "Training loss",
        _ => factor,
    };

    /// <summary>Factors whose values have an order (drawn as lines); the others are drawn as bars.</summary>
    public static bool IsOrdered(string factor) => factor is TimesSeen or BatchSize;
}
