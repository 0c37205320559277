using System.Globalization;
using MiaLab.Experiments.Studies;
using MiaLab.Reports.Pages;

namespace MiaLab.Experiments.PowerLaw;

/// <summary>The study's tables: TPR − FPR per S (all samples), the most vulnerable points per S, and the fits.</summary>
internal static class PowerLawTables
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>One row per S: pool size, the heads' accuracies, and each attack's TPR − FPR at every level on all samples.</summary>
    public static PageTable PerShot(PowerLawPlan plan, IReadOnlyList<StudyRow<PowerLawSetting, PowerLawMeasures>> rows, IReadOnlyList<LawResult> laws)
    {
        var columns = new List<TableColumn> { new("S"), new("Pool") { Numeric = true }, new("Test acc.") { Numeric = true } };
        var keys = new List<LawKey>();
        foreach (var a in plan.Attacks)
            foreach (double alpha in plan.Levels)
            {
                keys.Add(new LawKey(a.Attack, PowerLawMeasures.All, alpha));
                columns.Add(new TableColumn($"{a.Attack} at {Percent(alpha)} FPR") { Numeric = true, Strong = a == plan.Attacks[0] && alpha == plan.TargetLevel });
            }
        var byShot = rows.GroupBy(r => r.Setting.Shots).OrderBy(g => g.Key).ToList();
        var table = byShot.Select(g => new TableRow(
        [
            g.Key.ToString(Inv),
            g.First().Measures.Samples.ToString(Inv),
            StudyTables.Number(Median(g.Select(r => r.Measures.TestAccuracy))),
            .. keys.Select(k => Cell(laws, k, g.Key)),
        ], $"s{g.Key}")).ToList();
        return new PageTable(columns, table)
        {
            Id = "power-law-table",
            Title = "TPR − FPR by examples per class, all samples",
            EmptyText = "No settings were measured.",
            Notes = [$"Each value is the median over {plan.Base.PowerLaw.Seeds} seed(s) of TPR − FPR at the ROC point of FPR ≤ α, pooled over the attacked targets; " +
                "under it, the lowest and highest 95% Clopper–Pearson bound over the seeds. Test acc.: median over heads and seeds of each head's " +
                "accuracy on the pool samples it did not train on. “n.e.”: not estimable (fewer than 1/α non-members)."],
        };
    }

    /// <summary>One row per S: the attack's TPR − FPR on the most vulnerable samples at every level.</summary>
    public static PageTable Vulnerable(PowerLawPlan plan, IReadOnlyList<StudyRow<PowerLawSetting, PowerLawMeasures>> rows, IReadOnlyList<LawResult> laws)
    {
        string attack = plan.Attacks[0].Attack;
        var columns = new List<TableColumn> { new("S"), new("Pool") { Numeric = true } };
        var keys = new List<LawKey>();
        foreach (double q in plan.TopFractions)
            foreach (double alpha in plan.Levels)
            {
                keys.Add(new LawKey(attack, PowerLawMeasures.Top(q), alpha));
                columns.Add(new TableColumn($"{PowerLawMeasures.Top(q)} at {Percent(alpha)} FPR") { Numeric = true });
            }
        var table = rows.GroupBy(r => r.Setting.Shots).OrderBy(g => g.Key).Select(g => new TableRow(
        [
            g.Key.ToString(Inv),
            g.First().Measures.Samples.ToString(Inv),
            .. keys.Select(k => Cell(laws, k, g.Key)),
        ], $"s{g.Key}")).ToList();
        return new PageTable(columns, table)
        {
            Id = "vulnerable",
            Title = $"The most vulnerable samples ({attack})",
            EmptyText = "No settings were measured.",
            Notes = ["Top q: the max(1, round(q·N)) samples with the highest per-sample TPR − FPR on one half of the targets, measured on the other half " +
                "(both ways, pooled); see Definitions. Values as in the first table."],
        };
    }

    /// <summary>One row per law: β_S and β_0 with their 95% bootstrap intervals, R², the S values fitted and, at the
    /// extrapolation's level, the S where the law reaches the target advantage.</summary>
    public static PageTable Fits(PowerLawPlan plan, IReadOnlyList<LawResult> laws)
    {
        var columns = new List<TableColumn>
        {
            new("Attack"), new("Samples"), new("FPR") { Numeric = true }, new("β_S") { Numeric = true, Strong = true }, new("β_0") { Numeric = true },
            new("R²") { Numeric = true }, new("S fitted"), new($"S for TPR − FPR = {N(plan.TargetAdvantage, "0.####")}") { Numeric = true },
        };
        var table = laws.Select(l =>
        {
            var e = l.Estimate;
            if (e.Line is null)
                return new TableRow([l.Key.Attack, l.Key.Subset, Percent(l.Key.Alpha), new TableCell("not fitted") { Details = [e.Reason ?? ""] }, "–", "–", "–", "–"]);
            // The intervals go in the values' text, so the markdown and CSV keep them.
            var beta = new TableCell($"{N(e.Line.BetaS)} {Ci(e.BetaS)}") { Details = [Against(e.BetaS)] };
            var target = e.TargetShots is double t ? new TableCell($"{Shots(t)} {Ci(e.TargetShotsCi, Shots)}") : new TableCell("");
            return new TableRow([l.Key.Attack, l.Key.Subset, Percent(l.Key.Alpha), beta, $"{N(e.Line.Beta0)} {Ci(e.Beta0)}",
                $"{N(e.Line.RSquared)} {Ci(e.RSquared)}", $"{e.Line.Shots[0]}–{e.Line.Shots[^1]} ({e.Line.Shots.Count})", target]);
        }).ToList();
        return new PageTable(columns, table)
        {
            Id = "fits",
            Title = "The fitted laws: log(TPR − FPR) = −β_S·log S − β_0",
            EmptyText = "No law was fitted.",
            Notes = [$"Least squares over the S whose seeds are all estimable with a median above 0; [95% bootstrap interval over seeds and samples, " +
                $"{plan.Resamples} resamples]. The theory of the paper's simplified model gives β_S = ½."],
        };
    }

    public static IReadOnlyList<string> Definitions(PowerLawPlan plan) =>
    [
        "TPR − FPR at FPR α: the attack's scores against every attacked target are pooled (each target with all other models as references; " +
        "a pair is a member when that target trained on the sample); on the pooled ROC, the point with the highest TPR among those with FPR ≤ α " +
        "is read, and its TPR minus its FPR is the vulnerability. Its interval is the 95% Clopper–Pearson interval of the TPR minus that FPR.",
        "Most vulnerable points (top q): the targets are split into halves by parity. On one half, the pooled ROC's point at FPR ≤ α gives a " +
        "threshold τ; a sample's vulnerability there is the share of the half's targets that trained on it whose score reaches τ minus the " +
        "share of those that did not. The max(1, round(q·N)) most vulnerable samples (ties broken by the larger gap between their mean IN and " +
        "mean OUT score) are then measured on the other half's pairs, and the same is done the other way round; both sets of pairs are pooled " +
        "and TPR − FPR is read as above. Choosing and measuring on different targets keeps lucky scores from inflating the result.",
        $"The law: log(TPR − FPR) = −β_S·log S − β_0, least squares on the medians over seeds, over the S values where every seed's value is " +
        $"estimable and the median is above 0 (at least three). Intervals: {plan.Resamples} bootstrap resamples that draw the seeds with " +
        "replacement and, for each drawn seed, one resample of its samples (every pair of a drawn sample counts once per draw); each resample " +
        "is fitted like the data, and the 2.5% and 97.5% quantiles are reported. The S for a target advantage t solves the law: " +
        "S = exp(−(log t + β_0)/β_S).",
    ];

    private static TableCell Cell(IReadOnlyList<LawResult> laws, LawKey key, int shots)
    {
        var law = laws.FirstOrDefault(l => l.Key == key);
        var p = law?.Points.FirstOrDefault(x => x.Shots == shots);
        if (p is null) return new TableCell(StudyTables.Missing);
        var cell = new TableCell(Small(p.Median)) { Details = [$"[{Small(p.Low)}, {Small(p.High)}]"] };
        return p.Estimable ? cell : cell with { Warning = "n.e." };
    }

    private static double? Median(IEnumerable<double?> values)
    {
        var v = values.OfType<double>().ToList();
        return v.Count == 0 ? null : PowerLawFit.Median(v);
    }

    /// <summary>A small rate with three significant digits (0.0123, 4.56e-4).</summary>
    public static string Small(double v) =>
        !double.IsFinite(v) ? StudyTables.Missing : Math.Abs(v) >= 1e-3 || v == 0 ? v.ToString("0.0000", Inv) : v.ToString("0.00e0", Inv);

    public static string Percent(double alpha) => (alpha * 100).ToString("0.###", Inv) + "%";

    private static string N(double v, string format = "0.000") => StudyTables.Number(v, format);

    private static string Ci(Core.Evaluation.Interval? i) => Ci(i, v => N(v));

    private static string Ci(Core.Evaluation.Interval? i, Func<double, string> format) =>
        i is { } v ? $"[{format(v.Low)}, {format(v.High)}]" : "";

    /// <summary>Whether the interval holds the theory's ½.</summary>
    private static string Against(Core.Evaluation.Interval? i) =>
        i is not { } v ? "" : v.Low <= 0.5 && 0.5 <= v.High ? "holds ½" : v.High < 0.5 ? "below ½" : "above ½";

    private static string Shots(double s) =>
        double.IsPositiveInfinity(s) ? "∞" : s >= 1e6 ? s.ToString("0.00e0", Inv) : s.ToString("N0", Inv);
}
