namespace MiaLab.Core.Privacy;

/// <summary>
/// The accountants by name (rdp | prv) and the inverse question: the noise multiplier that reaches
/// a target ε. The search is Opacus's get_noise_multiplier: double σ from 20 until ε ≤ target, then
/// bisect until the ε reached is within <see cref="EpsilonTolerance"/> below the target, returning
/// the upper end (so its ε never exceeds the target).
/// </summary>
public static class PrivacyAccounting
{
    public static readonly IReadOnlyList<string> Accountants = ["rdp", "prv"];
    public const double EpsilonTolerance = 0.01;
    public const double MaxNoiseMultiplier = 1e6;

    public static double Epsilon(string accountant, double noiseMultiplier, double sampleRate, long steps, double delta) => accountant switch
    {
        "rdp" => RdpAccountant.Epsilon(noiseMultiplier, sampleRate, steps, delta),
        "prv" => PrvAccountant.Epsilon(noiseMultiplier, sampleRate, steps, delta),
        _ => throw new InputException($"the accountant must be one of {string.Join(", ", Accountants)} (got '{accountant}')"),
    };

    /// <summary>Steps of <paramref name="epochs"/> epochs at rate q, as Opacus counts them: ⌊E / q⌋.</summary>
    public static long StepsForEpochs(double epochs, double sampleRate)
    {
        PrivacyArguments.CheckSampleRate(sampleRate);
        if (!(double.IsFinite(epochs) && epochs > 0)) throw new InputException($"the number of epochs must be > 0 (got {PrivacyArguments.Num(epochs)})");
        return (long)(epochs / sampleRate);
    }

    /// <summary>The smallest σ (to the tolerance) whose ε after T steps is at most the target.</summary>
    public static double NoiseMultiplier(string accountant, double targetEpsilon, double delta, double sampleRate, long steps)
    {
        PrivacyArguments.CheckEpsilon(targetEpsilon);
        PrivacyArguments.Check(0, sampleRate, steps, delta);
        if (!Accountants.Contains(accountant)) Epsilon(accountant, 1, sampleRate, steps, delta);
        double low = 0, high = 10, epsHigh = double.PositiveInfinity;
        while (epsHigh > targetEpsilon)
        {
            high *= 2;
            if (high > MaxNoiseMultiplier)
                throw new InputException($"no noise multiplier up to {MaxNoiseMultiplier:0e0} reaches ε = {PrivacyArguments.Num(targetEpsilon)} " +
                    $"at δ = {PrivacyArguments.Num(delta)}, q = {PrivacyArguments.Num(sampleRate)} and {steps} steps; raise ε or lower q or the steps");
            epsHigh = Epsilon(accountant, high, sampleRate, steps, delta);
        }
        while (targetEpsilon - epsHigh > EpsilonTolerance)
        {
            double mid = (low + high) / 2;
            double eps = Epsilon(accountant, mid, sampleRate, steps, delta);
            if (eps < targetEpsilon) { high = mid; epsHigh = eps; }
            else low = mid;
        }
        return high;
    }
}
