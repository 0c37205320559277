using System.Collections.Concurrent;
using MiaLab.Core.Config;

namespace MiaLab.Core.Privacy;

/// <summary>
/// What a DP-SGD run's config means for privacy: σ (given, or the smallest that reaches the target
/// ε), C, q, the steps (epochs × round(1/q), the number of Poisson batches per epoch), δ, the
/// accountant and the ε it gives. A pure function of the config, so the manifest and the report
/// state the same numbers the trainer used.
/// </summary>
public sealed record DpSgdPrivacy(double NoiseMultiplier, double MaxGradNorm, double SampleRate, int StepsPerEpoch, long Steps,
    double Delta, string Accountant, double Epsilon, double? TargetEpsilon)
{
    private static readonly ConcurrentDictionary<(double?, double?, double, double, int, double, string), DpSgdPrivacy> Cache = new();

    /// <summary>Poisson batches per epoch at rate q: round(1/q), at least 1.</summary>
    public static int BatchesPerEpoch(double sampleRate) => Math.Max(1, (int)Math.Round(1 / sampleRate, MidpointRounding.AwayFromZero));

    /// <summary>The privacy of a dp-sgd config; null for any other defense.</summary>
    public static DpSgdPrivacy? Resolve(RunConfig config)
    {
        var d = config.Defense;
        if (d.Kind != "dp-sgd") return null;
        double q = d.SampleRate ?? throw new InputException("defense.sample_rate is required for dp-sgd");
        var key = (d.NoiseMultiplier, d.TargetEpsilon, d.MaxGradNorm, q, config.Training.Epochs, d.Delta, d.Accountant);
        return Cache.GetOrAdd(key, _ =>
        {
            int perEpoch = BatchesPerEpoch(q);
            long steps = (long)perEpoch * config.Training.Epochs;
            double sigma = d.NoiseMultiplier ?? PrivacyAccounting.NoiseMultiplier(d.Accountant, d.TargetEpsilon!.Value, d.Delta, q, steps);
            double eps = PrivacyAccounting.Epsilon(d.Accountant, sigma, q, steps, d.Delta);
            return new DpSgdPrivacy(sigma, d.MaxGradNorm, q, perEpoch, steps, d.Delta, d.Accountant, eps, d.TargetEpsilon);
        });
    }
}
