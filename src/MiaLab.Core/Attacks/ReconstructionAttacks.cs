namespace MiaLab.Core.Attacks;

/// <summary>
/// The scoring of the attacks on image-to-image models (ALGORITHMS.md §10); their entries, needs and
/// parameters are in <see cref="AttackRegistry"/>:
/// <list type="bullet">
/// <item>recon: score −L_rec (identity query): members are reconstructed better.</item>
/// <item>recon-predictability: score −(L_rec − L_pred), the paper's membership error L_mem; L_pred, from
/// no training set, says how hard the sample is to predict at all, so a hard member is no longer taken
/// for a non-member nor an easy non-member for a member.</item>
/// <item>recon-lira-online / -offline: LiRA's own code (<see cref="Attacks.Lira.FromStatistics"/>) on
/// φ = −log L_rec per model and query. The log because L_rec is positive and right-skewed, and a sample's
/// errors under different models differ by factors rather than offsets; −log maps them onto the real
/// line where LiRA's Gaussians fit, as LiRA's logit scaling does for a confidence in (0, 1).</item>
/// <item>recon-rmia-online / -offline: RMIA's own code (<see cref="Attacks.Rmia.FromLogProbabilities"/>) with
/// Pr(x|θ) = exp(−L_rec/τ), a Laplace-like likelihood in (0, 1] (what RMIA's offline formula assumes of
/// a probability); τ by default the median identity L_rec of the reference models over the non-holdout
/// samples, so the ratio test means the same at any error scale (recorded as the extra "temperature").</item>
/// </list>
/// Holdout samples are never scored (NaN, listed as unscored).
/// </summary>
public static class ReconstructionAttacks
{
    public const string Family = "reconstruction";
    public const string ReconName = "recon";
    public const string PredictabilityName = "recon-predictability";

    /// <summary>Score −L_rec of the target under the identity query.</summary>
    public static AttackResult Recon(ReconstructionOutputs o, int target) =>
        Threshold(o, target, i => -o.Error(target, i, 0), ReconName);

    /// <summary>Score −(L_rec − L_pred) of the target under the identity query.</summary>
    public static AttackResult MembershipError(ReconstructionOutputs o, int target)
    {
        var predictability = o.Predictability ?? throw new InputException($"{PredictabilityName} needs predictability.npy (the predictability stage's L_pred)");
        return Threshold(o, target, i => -(o.Error(target, i, 0) - predictability[i]), PredictabilityName);
    }

    /// <summary>φ = −log L_rec of model m, [N × A] (an error of 0 is floored at 1e-12).</summary>
    public static double[] LogStatistic(ReconstructionOutputs o, int m) =>
        o.Errors[m].Select(e => -Math.Log(Math.Max(e, 1e-12))).ToArray();

    /// <summary>τ: the median identity L_rec of the references over the non-holdout samples.</summary>
    public static double Temperature(ReconstructionOutputs o, IReadOnlyList<int> references)
    {
        var values = new List<double>();
        foreach (int m in references)
            for (int i = 0; i < o.Samples; i++)
                if (!o.Holdout[i]) values.Add(o.Error(m, i, 0));
        if (values.Count == 0) return 1;
        values.Sort();
        double median = values.Count % 2 == 1 ? values[values.Count / 2] : 0.5 * (values[values.Count / 2 - 1] + values[values.Count / 2]);
        return median > 0 ? median : 1;
    }

    private static AttackResult Threshold(ReconstructionOutputs o, int target, Func<int, double> score, string name)
    {
        AttackChecks.Target(o, target);
        var scores = new double[o.Samples];
        for (int i = 0; i < o.Samples; i++) scores[i] = o.Holdout[i] ? double.NaN : score(i);
        return new AttackResult(name, scores, AttackChecks.HoldoutIndices(o), new Dictionary<string, double>());
    }

    /// <summary>LiRA on φ = −log L_rec with these references and options (its statistic is this one, whatever the options' signal).</summary>
    public static AttackResult Lira(ReconstructionOutputs o, int target, ReferenceSet references, LiraOptions options, bool online, string name) =>
        Attacks.Lira.FromStatistics(o, target, references, m => LogStatistic(o, m), options, online, name);

    /// <summary>RMIA with log Pr(x|θ) = −L_rec/τ, τ = <paramref name="tau"/> or (null) <see cref="Temperature"/>
    /// of the references; the options' temperature is replaced by τ.</summary>
    public static AttackResult Rmia(ReconstructionOutputs o, int target, ReferenceSet references, double? tau, RmiaOptions options, string name)
    {
        double t = tau ?? Temperature(o, references.Models);
        return Attacks.Rmia.FromLogProbabilities(o, target, references, m => o.Errors[m].Select(e => -e / t).ToArray(),
            options with { Temperature = t }, name);
    }
}
