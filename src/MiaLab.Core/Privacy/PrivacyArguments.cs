using System.Globalization;

namespace MiaLab.Core.Privacy;

/// <summary>The checks every accountant makes on (σ, q, steps, δ), as user errors.</summary>
public static class PrivacyArguments
{
    public static void Check(double noiseMultiplier, double sampleRate, long steps, double delta)
    {
        CheckNoise(noiseMultiplier);
        CheckSampleRate(sampleRate);
        CheckSteps(steps);
        CheckDelta(delta);
    }

    public static void CheckNoise(double noiseMultiplier) => Require(double.IsFinite(noiseMultiplier) && noiseMultiplier >= 0,
        $"the noise multiplier σ must be a finite number ≥ 0 (got {Num(noiseMultiplier)})");

    public static void CheckSampleRate(double sampleRate) => Require(double.IsFinite(sampleRate) && sampleRate > 0 && sampleRate <= 1,
        $"the sample rate q must be in (0, 1] (got {Num(sampleRate)})");

    public static void CheckSteps(long steps) => Require(steps >= 1, $"the number of steps must be at least 1 (got {steps})");

    public static void CheckDelta(double delta) => Require(double.IsFinite(delta) && delta > 0 && delta < 1,
        $"δ must be in (0, 1) (got {Num(delta)})");

    public static void CheckEpsilon(double epsilon) => Require(double.IsFinite(epsilon) && epsilon > 0,
        $"the target ε must be a finite number > 0 (got {Num(epsilon)})");

    internal static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static void Require(bool ok, string message)
    {
        if (!ok) throw new InputException(message);
    }
}
