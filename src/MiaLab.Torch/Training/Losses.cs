using MiaLab.Core;
using MiaLab.Core.Config;
using TorchSharp;
using static TorchSharp.torch;

namespace MiaLab.Torch.Training;

/// <summary>What the training loss needs to know: its kind (cross-entropy | focal | cosface |
/// arcface), label smoothing, the focal exponent γ, the margin m of cosface/arcface, and the
/// scale s of the cosine classifier whose outputs s·cos θ the margin losses take as logits.</summary>
public sealed record LossSettings(string Kind, double LabelSmoothing = 0, double FocalGamma = 2, double Margin = 0, double Scale = 1)
{
    public static LossSettings CrossEntropy { get; } = new("cross-entropy");

    /// <summary>The settings of a run's training config; <paramref name="cosineScale"/> is the model's s
    /// (only the margin losses use it).</summary>
    public static LossSettings From(TrainingConfig config, double cosineScale) => new(
        config.Loss, config.LabelSmoothing, config.FocalGamma,
        config.Loss switch { "cosface" => config.CosfaceMargin, "arcface" => config.ArcfaceMargin, _ => 0 },
        cosineScale);
}

/// <summary>
/// The per-sample training losses. Every function takes logits [n, C] and labels [n] and
/// returns the loss of each sample, [n]; the trainer averages them per model.
/// <list type="bullet">
/// <item>cross-entropy: −log p_y (with label smoothing ε: −(1−ε) log p_y − ε/C Σ_j log p_j).</item>
/// <item>focal: −(1−p_y)^γ log p_y (γ = 0 is cross-entropy), Lin et al. 2017.</item>
/// <item>cosface: cross-entropy on logits whose true-class entry s·cos θ_y becomes s·(cos θ_y − m), Wang et al. 2018.</item>
/// <item>arcface: the true-class entry becomes s·cos(θ_y + m), Deng et al. 2019; where θ_y + m would pass π
/// (cos θ_y ≤ cos(π − m)) it is s·(cos θ_y − m·sin m) instead, which keeps the logit decreasing in θ.</item>
/// </list>
/// The margins act only here, in training: the model itself always outputs s·cos θ, so queries
/// and attacks see the logits without margin.
/// </summary>
public static class Losses
{
    public static Tensor PerSample(Tensor logits, Tensor labels, LossSettings settings) => settings.Kind switch
    {
        "cross-entropy" => CrossEntropy(logits, labels, settings.LabelSmoothing),
        "focal" => Focal(logits, labels, settings.FocalGamma),
        "cosface" or "arcface" => CrossEntropy(WithMargin(logits, labels, settings), labels, settings.LabelSmoothing),
        _ => throw new InputException($"training.loss '{settings.Kind}' is not one of {string.Join(", ", ConfigFile.Losses)}"),
    };

    /// <summary>Per sample, the mean over pixels of |output − target| (l1) or (output − target)² (l2):
    /// outputs and targets [n, pixels] → [n].</summary>
    public static Tensor Reconstruction(Tensor outputs, Tensor targets, string kind)
    {
        var difference = outputs - targets;
        return kind switch
        {
            "l1" => difference.abs().mean([1]),
            "l2" => difference.square().mean([1]),
            _ => throw new InputException($"training.loss '{kind}' is not a reconstruction loss (l1, l2)"),
        };
    }

    public static Tensor CrossEntropy(Tensor logits, Tensor labels, double labelSmoothing = 0) =>
        nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.None, label_smoothing: labelSmoothing);

    /// <summary>−(1−p_y)^γ log p_y, with log p_y from log-softmax (stable for large logits).</summary>
    public static Tensor Focal(Tensor logits, Tensor labels, double gamma)
    {
        var logPy = nn.functional.log_softmax(logits, 1).gather(1, labels.unsqueeze(1)).squeeze(1);
        if (gamma == 0) return -logPy;
        // 1 − p_y ≥ 0; clamp away rounding below zero before the power.
        var weight = (1 - logPy.exp()).clamp_min(0).pow(gamma);
        return -(weight * logPy);
    }

    /// <summary>The training logits of a margin loss: <paramref name="logits"/> = s·cos θ [n, C] with the
    /// margin applied to each sample's true class only; other kinds return the logits unchanged.</summary>
    public static Tensor WithMargin(Tensor logits, Tensor labels, LossSettings settings)
    {
        if (settings.Kind is not ("cosface" or "arcface")) return logits;
        double s = settings.Scale, m = settings.Margin;
        var trueClass = nn.functional.one_hot(labels, logits.shape[1]).to(ScalarType.Bool);
        if (settings.Kind == "cosface")
            return logits - trueClass.to(logits.dtype) * (s * m);
        // ArcFace on the true class: cos(θ + m) = cos θ cos m − sin θ sin m, with sin θ ≥ 0 for θ ∈ [0, π].
        // Clamping cos θ inside (−1, 1) keeps the gradient of sin θ = √(1 − cos²θ) finite.
        var cos = (logits / s).clamp(-1 + 1e-6, 1 - 1e-6);
        var sin = (1 - cos * cos).sqrt();
        var shifted = cos * Math.Cos(m) - sin * Math.Sin(m);
        var fallback = cos - m * Math.Sin(m);
        var marginCos = torch.where(cos > Math.Cos(Math.PI - m), shifted, fallback);
        return torch.where(trueClass, marginCos * s, logits);
    }
}
