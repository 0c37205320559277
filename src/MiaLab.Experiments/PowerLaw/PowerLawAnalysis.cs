using MiaLab.Experiments.Studies;

namespace MiaLab.Experiments.PowerLaw;

/// <summary>Which law: one attack, on all samples or the most vulnerable ones, at one FPR level.</summary>
public sealed record LawKey(string Attack, string Subset, double Alpha);

/// <summary>One S of a law across seeds: the median TPR − FPR, the lowest lower and highest upper
/// Clopper–Pearson bound over the seeds (the paper's error bars), and whether every seed was estimable.</summary>
public sealed record LawSummaryPoint(int Shots, double Median, double Low, double High, bool Estimable, int Seeds, int Chosen);

/// <summary>A law's points and its fit.</summary>
public sealed record LawResult(LawKey Key, IReadOnlyList<LawSummaryPoint> Points, LawEstimate Estimate);

/// <summary>
/// The study as a whole, from its rows: for every attack, subset and level, the median over seeds at each
/// S and the fitted law with its bootstrap intervals (the seeds' sample-bootstrap replicates are read
/// from each setting's bootstrap.npy). At the extrapolation's level, the S where the law reaches the target.
/// </summary>
public static class PowerLawAnalysis
{
    public static IReadOnlyList<LawResult> Laws(PowerLawPlan plan, IReadOnlyList<StudyRow<PowerLawSetting, PowerLawMeasures>> rows, string folder)
    {
        var replicates = rows.ToDictionary(r => r.Run, r => SettingMeasurement.ReadBootstrap(Path.Combine(folder, r.Run), r.Measures));
        var keys = rows.SelectMany(r => r.Measures.Series).Select(s => new LawKey(s.Attack, s.Subset, s.Alpha)).Distinct().ToList();
        var laws = new List<LawResult>();
        foreach (var key in keys)
        {
            var measured = rows.Select(r => (Row: r, Series: r.Measures.Find(key.Attack, key.Subset, key.Alpha)))
                .Where(x => x.Series is not null).ToList();
            var points = measured.Select(x => new LawPoint(x.Row.Setting.Shots, x.Row.Setting.SeedIndex, x.Series!.Value, x.Series.Estimable,
                replicates[x.Row.Run][x.Series.Replicate])).ToList();
            var summary = measured.GroupBy(x => x.Row.Setting.Shots).OrderBy(g => g.Key).Select(g => new LawSummaryPoint(g.Key,
                PowerLawFit.Median(g.Select(x => x.Series!.Value).ToList()), g.Min(x => x.Series!.Low), g.Max(x => x.Series!.High),
                g.All(x => x.Series!.Estimable), g.Count(), g.Max(x => x.Series!.Chosen))).ToList();
            double? target = Math.Abs(key.Alpha - plan.TargetLevel) <= 1e-12 ? plan.TargetAdvantage : null;
            var estimate = PowerLawFit.Estimate(points, plan.Resamples, Core.Randomness.Seeds.Derive(plan.Base.Seed, "power-law-fit", laws.Count), target);
            laws.Add(new LawResult(key, summary, estimate));
        }
        return laws;
    }
}
