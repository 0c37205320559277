using System.Globalization;
using MiaLab.Core.IO;
using MiaLab.Reports.Pages;

namespace MiaLab.Experiments;

/// <summary>report.html of the factor study: a <see cref="StudyPage"/> with the table and, per factor,
/// a figure of MINT balanced accuracy against the factor's values.</summary>
public static class FactorReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void Write(FactorStudyResult result, FactorStudyPlan plan) =>
        AtomicFile.WriteAllText(result.ReportPath, Render(result, plan));

    public static string Render(FactorStudyResult result, FactorStudyPlan plan) => Page(result, plan).Render();

    public static StudyPage Page(FactorStudyResult result, FactorStudyPlan plan)
    {
        var figures = new List<PageFigure>();
        foreach (var factor in Factors.All)
        {
            var rows = result.Rows.Where(r => r.Factor == factor).ToList();
            if (rows.Count == 0) continue;
            figures.Add(new PageFigure(FactorPlots.FactorPng(factor, rows, result.Points),
                "MINT balanced accuracy against " + Factors.Title(factor).ToLowerInvariant(), FactorPlots.Width)
            { Title = Factors.Title(factor) });
        }
        return new StudyPage("MINT training-factor study", "Membership inference test", FactorTables.Describe(plan))
        {
            Location = new PageLocation("Output folder", result.OutputDirectory,
                $"{result.Rows.Count.ToString(Inv)} rows in {Duration(result.Seconds)}."),
            Tables = [Table(result)],
            Figures = figures,
            Definitions =
            [
                $"MINT (DeAlcala et al., 2024): a Vanilla MINT detector (dense 128 with L1 λ = {plan.MintL1.ToString("0.####", Inv)}, batch norm, " +
                "dropout, sigmoid) learns to tell the target's training samples (D) from samples it never saw (E, the holdout split) from its " +
                "activations, reduced per channel by global max. D and E are split 2/3 to train the detector and 1/3 to evaluate it; the table " +
                "shows balanced accuracy at threshold 1/2 on the evaluation part, for one capture point at a time and for all points together.",
                "Times seen: a seeded 25% of each model's training samples appears that many times per epoch; 'MINT repeated' evaluates the " +
                "all-points detector on those samples. The attacks use the other models of the setting as references; TPR at 1% FPR is the " +
                "highest TPR among ROC points with FPR ≤ 1%.",
            ],
        };
    }

    private static PageTable Table(FactorStudyResult result)
    {
        List<TableColumn> columns =
        [
            new("Factor"), new("Value"), new("Test acc.") { Numeric = true },
            .. result.Points.Select(p => new TableColumn("MINT", p) { Numeric = true }),
            new("MINT", "all") { Numeric = true, Strong = true }, new("MINT", "repeated") { Numeric = true },
            new("Strongest attack"), new("AUC") { Numeric = true }, new("TPR at 1% FPR") { Numeric = true }, new("Train", "s") { Numeric = true },
        ];
        var rows = result.Rows.Select(r => new TableRow(
        [
            Factors.Title(r.Factor), r.Value, Fmt(r.TestAccuracy),
            .. result.Points.Select(p => (TableCell)Fmt(r.MintAt(p))),
            Fmt(r.MintAll), Fmt(r.MintRepeated), r.Attack, Fmt(r.AttackAuc), Fmt(r.AttackTprAt1PctFpr), r.TrainSeconds.ToString("0", Inv),
        ], r.Setting)).ToList();
        return new PageTable(columns, rows) { Id = "results-table", EmptyText = "No settings were measured." };
    }

    private static string Fmt(double? v) => v is double d ? d.ToString("0.000", Inv) : "–";

    private static string Duration(double seconds) =>
        seconds < 120 ? $"{seconds.ToString("0", Inv)} s" : $"{(seconds / 60).ToString("0.0", Inv)} min";
}
