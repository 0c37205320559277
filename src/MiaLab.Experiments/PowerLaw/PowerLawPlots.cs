using System.Globalization;
using MiaLab.Core.Evaluation;
using MiaLab.Reports;
using ScottPlot;

namespace MiaLab.Experiments.PowerLaw;

/// <summary>TPR − FPR against S on log-log axes, one colour per FPR level: the medians over seeds with
/// the seeds' Clopper–Pearson bounds as bars, the fitted law as a line over the S it was fitted on,
/// and its 95% bootstrap band.</summary>
internal static class PowerLawPlots
{
    public const int Width = 760, Height = 440;
    private static readonly IPalette Palette = new ScottPlot.Palettes.Category10();

    public static byte[] Png(IReadOnlyList<LawResult> laws, string title)
    {
        using var plot = Plot(laws, title);
        return FigureStyle.Png(plot, Width, Height);
    }

    public static Plot Plot(IReadOnlyList<LawResult> laws, string title)
    {
        var plot = FigureStyle.NewPlot();
        var shots = laws.SelectMany(l => l.Points).Select(p => p.Shots).Distinct().Order().ToArray();
        double xMin = Math.Log10(shots.DefaultIfEmpty(1).Min()), xMax = Math.Log10(shots.DefaultIfEmpty(10).Max());
        var positive = laws.SelectMany(l => l.Points).SelectMany(p => new[] { p.Median, p.High }).Where(v => v > 0 && double.IsFinite(v)).ToList();
        int yTop = positive.Count == 0 ? 0 : Math.Min(0, (int)Math.Ceiling(Math.Log10(positive.Max())));
        int yBottom = positive.Count == 0 ? -4 : Math.Min(yTop - 1, (int)Math.Floor(Math.Log10(positive.Min())));
        double floor = yBottom;

        for (int j = 0; j < laws.Count; j++)
        {
            var law = laws[j];
            var color = Palette.GetColor(j);
            string label = $"FPR {PowerLawTables.Percent(law.Key.Alpha)}";
            var fitted = law.Estimate.Line?.Shots.ToHashSet() ?? [];
            foreach (var p in law.Points)
            {
                if (!(p.High > 0)) continue;
                double x = Math.Log10(p.Shots);
                var bar = plot.Add.Line(x, p.Low > 0 ? Math.Max(floor, Math.Log10(p.Low)) : floor, x, Math.Log10(p.High));
                bar.Color = color.WithAlpha(0.6);
                bar.LineWidth = 1.2f;
                bar.MarkerSize = 0;
            }
            var filled = law.Points.Where(p => fitted.Contains(p.Shots) && p.Median > 0).ToList();
            var hollow = law.Points.Where(p => !fitted.Contains(p.Shots) && p.Median > 0).ToList();
            if (filled.Count > 0)
            {
                var points = plot.Add.ScatterPoints(filled.Select(p => Math.Log10(p.Shots)).ToArray(), filled.Select(p => Math.Log10(p.Median)).ToArray(), color);
                points.MarkerSize = 7;
                points.MarkerShape = MarkerShape.FilledCircle;
            }
            if (hollow.Count > 0)
            {
                var points = plot.Add.ScatterPoints(hollow.Select(p => Math.Log10(p.Shots)).ToArray(), hollow.Select(p => Math.Log10(p.Median)).ToArray(), color);
                points.MarkerSize = 7;
                points.MarkerShape = MarkerShape.OpenCircle;
            }
            if (law.Estimate.Line is { } line)
            {
                double from = Math.Log(line.Shots[0]), to = Math.Log(line.Shots[^1]);
                var xs = Enumerable.Range(0, 41).Select(k => from + (to - from) * k / 40).ToArray();
                if (law.Estimate.Replicates.Count > 0)
                {
                    var low = new double[xs.Length];
                    var high = new double[xs.Length];
                    for (int k = 0; k < xs.Length; k++)
                    {
                        var band = Bootstrap.Percentile(law.Estimate.Replicates.Select(r => -r.BetaS * xs[k] - r.Beta0).ToList());
                        low[k] = Math.Max(floor, band.Low / Math.Log(10));
                        high[k] = Math.Max(floor, band.High / Math.Log(10));
                    }
                    var fill = plot.Add.FillY(xs.Select(x => x / Math.Log(10)).ToArray(), low, high);
                    fill.FillColor = color.WithAlpha(0.15);
                    fill.LineWidth = 0;
                }
                var fit = plot.Add.ScatterLine(xs.Select(x => x / Math.Log(10)).ToArray(), xs.Select(x => (-line.BetaS * x - line.Beta0) / Math.Log(10)).ToArray(), color);
                fit.LineWidth = 2f;
                fit.LegendText = $"{label}: β_S = {line.BetaS.ToString("0.00", CultureInfo.InvariantCulture)}";
            }
            else
            {
                var key = plot.Add.ScatterPoints(new double[] { xMin }, new double[] { double.NaN }, color);
                key.LegendText = $"{label}: not fitted";
            }
        }
        plot.Axes.Bottom.TickGenerator = FigureStyle.LogTicks((int)Math.Floor(xMin), (int)Math.Ceiling(xMax));
        plot.Axes.Left.TickGenerator = FigureStyle.LogTicks(yBottom, yTop);
        plot.Axes.SetLimits(xMin - 0.15, xMax + 0.15, yBottom, yTop + 0.05);
        plot.XLabel("S, examples per class (log scale)");
        plot.YLabel("TPR − FPR (log scale)");
        plot.Title(title);
        plot.ShowLegend(Edge.Right);
        plot.Legend.FontSize = 11;
        return plot;
    }
}
