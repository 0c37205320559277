using MiaLab.Core.Attacks;
using MiaLab.Experiments.Studies;
using MiaLab.Reports;
using ScottPlot;

namespace MiaLab.Experiments;

/// <summary>The translation study's figures: each attack's AUC against the output dimension (log axis),
/// and model 0's L_rec against L_pred with members and non-members in two colours.</summary>
internal static class TranslationPlots
{
    public const int Width = 760, Height = 360;
    private static readonly IPalette Palette = new ScottPlot.Palettes.Category10();

    public static byte[] AucPng(IReadOnlyList<StudyRow<TranslationSetting, TranslationMeasures>> rows)
    {
        using var plot = FigureStyle.NewPlot();
        var ordered = rows.OrderBy(r => r.Setting.Side).ToList();
        var attacks = AttackRegistry.NamesFor(AttackInput.Reconstruction);
        for (int j = 0; j < attacks.Count; j++)
        {
            var points = ordered.Select(r => (X: Math.Log10(r.Setting.Side * r.Setting.Side), Y: r.Measures.Attacks.FirstOrDefault(a => a.Attack == attacks[j])?.Auc))
                .Where(p => p.Y is not null).ToList();
            if (points.Count == 0) continue;
            var line = plot.Add.ScatterLine(points.Select(p => p.X).ToArray(), points.Select(p => p.Y!.Value).ToArray(), Palette.GetColor(j));
            line.LegendText = attacks[j];
            line.LineWidth = attacks[j] == ReconstructionAttacks.PredictabilityName ? 3f : 1.5f;
            line.MarkerSize = 7;
        }
        var ticks = ordered.Select(r => r.Setting.Side).Distinct().Select(s => new Tick(Math.Log10(s * s), $"{s * s} ({s}×{s})")).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plot.XLabel("output dimension (pixels, log scale)");
        plot.YLabel("AUC");
        var chance = plot.Add.HorizontalLine(0.5, 1, Colors.Gray, LinePattern.Dotted);
        chance.LegendText = "chance";
        plot.ShowLegend(Alignment.UpperLeft);
        return FigureStyle.Png(plot, Width, Height);
    }

    public static byte[] ScatterPng(IReadOnlyList<ScatterPoint> points)
    {
        using var plot = FigureStyle.NewPlot();
        foreach (var (member, color, label) in new[] { (false, Palette.GetColor(1), "non-members"), (true, Palette.GetColor(0), "members") })
        {
            var group = points.Where(p => p.Member == member).ToList();
            if (group.Count == 0) continue;
            var s = plot.Add.ScatterPoints(group.Select(p => p.Predictability).ToArray(), group.Select(p => p.Recon).ToArray(), color);
            s.MarkerSize = 4;
            s.LegendText = label;
        }
        plot.XLabel("L_pred (predictability error)");
        plot.YLabel("L_rec (model 0's reconstruction error)");
        plot.ShowLegend(Alignment.UpperLeft);
        return FigureStyle.Png(plot, Width, Height);
    }
}
