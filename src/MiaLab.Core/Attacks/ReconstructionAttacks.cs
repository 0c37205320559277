namespace MiaLab.Core.Attacks;

/// <summary>
/// The attacks on image-to-image models (ALGORITHMS.md §10), spliced into <see cref="AttackRegistry"/>:
/// <list type="bullet">
/// <item>recon: score −L_rec (identity query): members are reconstructed better.</item>
/// <item>recon-predictability: score −(L_rec − L_pred), the paper's membership error L_mem; L_pred, from
/// no training set, says how hard the sample is to predict at all, so a hard member is no longer taken
/// for a non-member nor an easy non-member for a member.</item>
/// <item>recon-lira-online / -offline: LiRA's own code (<see cref="Lira.FromStatistics"/>) on
/// φ = −log L_rec per model and query. The log because L_rec is positive and right-skewed, and a sample's
/// errors under different models differ by factors rather than offsets; −log maps them onto the real
/// line where LiRA's Gaussians fit, as LiRA's logit scaling does for a confidence in (0, 1).</item>
/// <item>recon-rmia-online / -offline: RMIA's own code (<see cref="Rmia.FromLogProbabilities"/>) with
/// Pr(x|θ) = exp(−L_rec/τ), a Laplace-like likelihood in (0, 1] (what RMIA's offline formula assumes of
/// a probability), τ = the median identity L_rec of the reference models over the non-holdout samples
/// (so the ratio test means the same at any error scale; recorded as the extra "temperature"), and
/// γ = 1 (the authors' current library's value): the errors of one sample under different models differ by
/// a small fraction of τ, so γ = 2 (a ratio of e^{0.69}) almost never holds and every score is 0.</item>
/// </list>
/// Holdout samples are never scored (NaN, listed as unscored).
/// </summary>
public static class ReconstructionAttacks
{
    public const string Family = "reconstruction";
    public const string ReconName = "recon";
    public const string PredictabilityName = "recon-predictability";

    private static readonly AttackNeeds Alone = new(Input: AttackInput.Reconstruction);

    public static IReadOnlyList<AttackDefinition> Entries { get; } =
    [
        new(ReconName, Family, "Threshold on the reconstruction error L_rec (low error = member).", Alone, true,
            P(("signal", "-L_rec"), ("query", "identity")), c => Recon(c.Recon, c.Target)),
        new(PredictabilityName, Family, "Shafran et al.: threshold on L_rec − L_pred, the error beyond how predictable the sample is.",
            Alone with { Predictability = true }, true, P(("signal", "-(L_rec - L_pred)"), ("query", "identity")), c => MembershipError(c.Recon, c.Target)),
        Lira(online: true, "LiRA on −log L_rec: Gaussians fitted to the IN and OUT reference models' errors."),
        Lira(online: false, "LiRA offline on −log L_rec: how far the target's error sits below the OUT references'."),
        Rmia(online: true, "RMIA on exp(−L_rec/τ): likelihood ratio against a population, references IN and OUT."),
        Rmia(online: false, "RMIA offline on exp(−L_rec/τ): OUT references only."),
    ];

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

    private static AttackDefinition Lira(bool online, string description)
    {
        string name = "recon-" + (online ? "lira-online" : "lira-offline");
        return new(name, AttackRegistry.LiraFamily, description, Alone with { References = 2 }, true,
            P(("signal", "-log L_rec"), ("variance", "per-sample"), ("offline_test", "one-sided")),
            c => Attacks.Lira.FromStatistics(c.Recon, c.Target, c.References, m => LogStatistic(c.Recon, m), new LiraOptions(), online, name));
    }

    private static AttackDefinition Rmia(bool online, string description)
    {
        string name = "recon-" + (online ? "rmia-online" : "rmia-offline");
        var options = new RmiaOptions(Online: online, Gamma: 1.0);
        return new(name, AttackRegistry.RmiaFamily, description, Alone with { References = 1 }, true,
            P(("signal", "exp(-L_rec/tau)"), ("tau", "median reference L_rec"), ("gamma", Num(options.Gamma)),
              ("offline_a", online ? "unused" : Num(options.OfflineA ?? double.NaN))),
            c =>
            {
                double tau = Temperature(c.Recon, c.References);
                var result = Attacks.Rmia.FromLogProbabilities(c.Recon, c.Target, c.References,
                    m => c.Recon.Errors[m].Select(e => -e / tau).ToArray(), options, name);
                return result with { Extras = new Dictionary<string, double>(result.Extras) { ["temperature"] = tau } };
            });
    }

    private static IReadOnlyDictionary<string, string> P(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    private static string Num(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
