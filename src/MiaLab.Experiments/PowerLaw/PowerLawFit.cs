using MathNet.Numerics;
using MiaLab.Core;
using MiaLab.Core.Evaluation;
using MiaLab.Core.Randomness;

namespace MiaLab.Experiments.PowerLaw;

/// <summary>A fitted law log(TPR − FPR) = −β_S·log S − β_0 (natural logarithms) and how well it fits.</summary>
/// <param name="Shots">The S values it was fitted on.</param>
public sealed record LawLine(double BetaS, double Beta0, double RSquared, IReadOnlyList<int> Shots)
{
    /// <summary>TPR − FPR the law predicts at S.</summary>
    public double At(double shots) => Math.Exp(-BetaS * Math.Log(shots) - Beta0);

    /// <summary>The S at which the law reaches <paramref name="advantage"/>; +∞ when it does not fall (β_S ≤ 0).</summary>
    public double ShotsFor(double advantage) =>
        BetaS > 0 ? Math.Exp(-(Math.Log(advantage) + Beta0) / BetaS) : double.PositiveInfinity;
}

/// <summary>One measured point of a law: TPR − FPR for one S and seed, whether it is estimable
/// (enough non-members for the level), and its bootstrap replicates over samples.</summary>
public sealed record LawPoint(int Shots, int Seed, double Value, bool Estimable, double[] Replicates);

/// <summary>A law fitted with 95% percentile intervals from the bootstrap over seeds and samples.
/// <see cref="Line"/> is null (with <see cref="Reason"/>) when fewer than three S values have a usable point.</summary>
/// <param name="Fitted">Bootstrap resamples that had three usable S values (the intervals come from these).</param>
/// <param name="Replicates">(β_S, β_0) of each fitted resample, for the band of a figure.</param>
public sealed record LawEstimate(LawLine? Line, string? Reason, Interval? BetaS, Interval? Beta0, Interval? RSquared,
    double? TargetShots, Interval? TargetShotsCi, int Resamples, int Fitted, IReadOnlyList<(double BetaS, double Beta0)> Replicates);

/// <summary>
/// The power law of ALGORITHMS.md §11, fitted by least squares (MathNet's Fit.Line) of log(TPR − FPR) on
/// log S. The point estimate fits the median over seeds at each S, on the S values where every seed's
/// value is estimable and the median is above 0. The intervals come from a bootstrap that draws the seeds
/// with replacement (one draw for all S, since a seed's pools are nested) and, for each drawn seed, one of
/// its sample-bootstrap replicates; each resample repeats the point estimate's steps.
/// </summary>
public static class PowerLawFit
{
    public const int MinimumShots = 3;

    /// <summary>The least-squares line through (log S, log v); at least three distinct S with v &gt; 0.</summary>
    public static LawLine Fit(IReadOnlyList<(int Shots, double Advantage)> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var usable = points.Where(p => p.Shots >= 1 && p.Advantage > 0 && double.IsFinite(p.Advantage)).ToList();
        if (usable.Select(p => p.Shots).Distinct().Count() < MinimumShots)
            throw new InputException($"fewer than three S values left to fit: {Describe(usable.Select(p => p.Shots))} of " +
                $"{Describe(points.Select(p => p.Shots))} have TPR − FPR > 0");
        double[] x = usable.Select(p => Math.Log(p.Shots)).ToArray();
        double[] y = usable.Select(p => Math.Log(p.Advantage)).ToArray();
        var (intercept, slope) = MathNet.Numerics.Fit.Line(x, y);
        double r2 = GoodnessOfFit.RSquared(x.Select(v => intercept + slope * v), y);
        return new LawLine(-slope, -intercept, r2, usable.Select(p => p.Shots).ToList());
    }

    /// <summary>The law of <paramref name="points"/> with its intervals; <paramref name="targetAdvantage"/> asks for
    /// the S at which the law falls to that TPR − FPR (with its interval).</summary>
    public static LawEstimate Estimate(IReadOnlyList<LawPoint> points, int resamples, int seed, double? targetAdvantage = null)
    {
        ArgumentNullException.ThrowIfNull(points);
        var shots = points.Select(p => p.Shots).Distinct().Order().ToArray();
        var seeds = points.Select(p => p.Seed).Distinct().Order().ToArray();
        var at = points.ToDictionary(p => (p.Shots, p.Seed));

        var medians = Usable(shots, s => seeds.Select(d => at.TryGetValue((s, d), out var p) ? p : null).ToList(), p => p.Value);
        LawLine line;
        try { line = Fit(medians); }
        catch (InputException e)
        {
            return new LawEstimate(null, e.Message, null, null, null, null, null, 0, 0, []);
        }

        var fits = new List<LawLine>();
        int replicates = points.Min(p => p.Replicates.Length);
        if (resamples > 0 && replicates > 0)
        {
            for (int r = 0; r < resamples; r++)
            {
                var random = StableRandom.For(seed, "power-law-fit", r);
                var drawn = seeds.Select(_ => seeds[random.Next(seeds.Length)]).ToArray();
                // Draw j reads replicate (r + j·R/n) mod R of its seed, so a seed drawn twice brings two resamples.
                var resampled = Usable(shots, s => drawn.Select(d => at.TryGetValue((s, d), out var p) ? p : null).ToList(),
                    (p, j) => p.Replicates[(r + j * (replicates / seeds.Length)) % replicates]);
                if (resampled.Select(p => p.Shots).Distinct().Count() >= MinimumShots) fits.Add(Fit(resampled));
            }
        }
        double? target = targetAdvantage is double t ? line.ShotsFor(t) : null;
        if (fits.Count == 0)
            return new LawEstimate(line, null, null, null, null, target, null, resamples, 0, []);
        return new LawEstimate(line, null, Bootstrap.Percentile(fits.Select(f => f.BetaS).ToList()),
            Bootstrap.Percentile(fits.Select(f => f.Beta0).ToList()), Bootstrap.Percentile(fits.Select(f => f.RSquared).ToList()),
            target, targetAdvantage is double a ? WithInfinity(fits.Select(f => f.ShotsFor(a)).ToList()) : null,
            resamples, fits.Count, fits.Select(f => (f.BetaS, f.Beta0)).ToList());
    }

    /// <summary>The median over seeds at each S whose seeds are all present and estimable, kept when above 0.</summary>
    private static List<(int Shots, double Advantage)> Usable(int[] shots, Func<int, List<LawPoint?>> seedsAt, Func<LawPoint, int, double> value)
    {
        var result = new List<(int, double)>();
        foreach (int s in shots)
        {
            var chosen = seedsAt(s);
            if (chosen.Any(p => p is null || !p.Estimable)) continue;
            var values = chosen.Select((p, j) => value(p!, j)).ToArray();
            if (values.Any(double.IsNaN)) continue;
            double median = Median(values);
            if (median > 0) result.Add((s, median));
        }
        return result;
    }

    private static List<(int Shots, double Advantage)> Usable(int[] shots, Func<int, List<LawPoint?>> seedsAt, Func<LawPoint, double> value) =>
        Usable(shots, seedsAt, (p, _) => value(p));

    /// <summary>The percentile interval of values that may be +∞ (a resample whose law does not fall): an end
    /// that lands among the infinite values is +∞.</summary>
    private static Interval WithInfinity(IReadOnlyList<double> values)
    {
        var finite = Bootstrap.Percentile(values.Select(v => double.IsPositiveInfinity(v) ? double.MaxValue : v).ToList());
        static double Back(double v) => v > 1e300 ? double.PositiveInfinity : v;
        return new Interval(Back(finite.Low), Back(finite.High));
    }

    /// <summary>The median (the mean of the middle two for an even count).</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        if (n == 0) return double.NaN;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }

    private static string Describe(IEnumerable<int> shots)
    {
        var list = shots.Distinct().Order().ToList();
        return list.Count == 0 ? "no S value" : $"S = {string.Join(", ", list)}";
    }
}
