using MiaLab.Experiments.Studies;
using MiaLab.Reports;
using ScottPlot;

namespace MiaLab.Experiments.Defenses;

/// <summary>The trade-off figure: test accuracy (x) against the strongest attack's TPR at 1% FPR (y, log
/// scale), one curve per defense family (points for no defense and the regularisers).</summary>
internal static class DefensePlots
{
    public const int Width = 820, Height = 480;
    private static readonly IPalette Palette = new ScottPlot.Palettes.Category10();
    /// <summary>TPRs of 0 cannot sit on a log axis: they are drawn at this floor (0.01%).</summary>
    private const double Floor = 1e-4;

    public static byte[] TradeOffPng(IReadOnlyList<StudyRow<DefenseSetting, DefenseMeasures>> rows)
    {
        using var plot = FigureStyle.NewPlot();
        string[] families = [DefenseSetting.None, DefenseSetting.WeightedSmoothing, DefenseSetting.DpSgd, DefenseSetting.Regularisation];
        for (int f = 0; f < families.Length; f++)
        {
            var points = rows.Where(r => r.Setting.Family == families[f] && r.Measures.TestAccuracy is not null && r.Measures.StrongestAttack?.Tpr1 is not null)
                .Select(r => (X: r.Measures.TestAccuracy!.Value, Y: Math.Log10(Math.Max(Floor, r.Measures.StrongestAttack!.Tpr1!.Value))))
                .ToList();
            if (points.Count == 0) continue;
            var color = Palette.GetColor(f);
            var xs = points.Select(p => p.X).ToArray();
            var ys = points.Select(p => p.Y).ToArray();
            // Curves for the swept families (in sweep order), markers only for the others.
            var series = families[f] is DefenseSetting.WeightedSmoothing or DefenseSetting.DpSgd ? plot.Add.ScatterLine(xs, ys, color) : plot.Add.ScatterPoints(xs, ys, color);
            series.MarkerSize = 8;
            series.LineWidth = families[f] is DefenseSetting.WeightedSmoothing or DefenseSetting.DpSgd ? 1.5f : 0;
            series.LegendText = families[f];
        }
        var chance = plot.Add.HorizontalLine(Math.Log10(0.01), 1, Colors.Gray, LinePattern.Dashed);
        chance.LegendText = "chance (TPR = FPR = 1%)";
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        foreach (double t in new[] { 1e-4, 1e-3, 1e-2, 0.1, 1 })
            ticks.AddMajor(Math.Log10(t), $"{100 * t:0.##}%");
        plot.Axes.Left.TickGenerator = ticks;
        plot.Axes.Bottom.Label.Text = "Test accuracy of the target";
        plot.Axes.Left.Label.Text = "Strongest attack's TPR at 1% FPR (log)";
        plot.ShowLegend(Alignment.UpperLeft);
        return FigureStyle.Png(plot, Width, Height);
    }
}
