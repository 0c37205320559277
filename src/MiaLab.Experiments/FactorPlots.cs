using MiaLab.Reports;
using ScottPlot;

namespace MiaLab.Experiments;

/// <summary>The study's figures: per factor, MINT balanced accuracy of each capture point and of all
/// points together against the factor's values — lines for ordered factors (times seen, batch
/// size), grouped bars for the others — with the strongest attack's AUC dashed for comparison.</summary>
internal static class FactorPlots
{
    public const int Width = 820, Height = 380;
    private static readonly IPalette Palette = new ScottPlot.Palettes.Category10();

    /// <summary>The figure of one factor as PNG bytes (drawn at 2× for sharpness).</summary>
    public static byte[] FactorPng(string factor, IReadOnlyList<FactorRow> rows, IReadOnlyList<string> points)
    {
        using var plot = Factor(factor, rows, points);
        return FigureStyle.Png(plot, Width, Height);
    }

    public static Plot Factor(string factor, IReadOnlyList<FactorRow> rows, IReadOnlyList<string> points)
    {
        var plot = FigureStyle.NewPlot();
        var series = points.Append(FactorRow.AllPoints).ToList();
        double low = 0.5, high = 0.5;
        if (Factors.IsOrdered(factor))
        {
            for (int j = 0; j < series.Count; j++)
            {
                var (xs, ys) = Values(rows, r => r.MintAt(series[j]));
                if (xs.Length == 0) continue;
                var line = plot.Add.ScatterLine(xs, ys, Palette.GetColor(j));
                line.LineWidth = series[j] == FactorRow.DefaultPoint ? 3f : 1.5f;
                line.MarkerSize = 7;
                line.LegendText = $"MINT {series[j]}";
                low = Math.Min(low, ys.Min());
                high = Math.Max(high, ys.Max());
            }
        }
        else
        {
            double width = 0.8 / series.Count;
            var bars = new List<Bar>();
            for (int j = 0; j < series.Count; j++)
            {
                var color = Palette.GetColor(j);
                for (int i = 0; i < rows.Count; i++)
                    if (rows[i].MintAt(series[j]) is double v)
                    {
                        bars.Add(new Bar { Position = i - 0.4 + width * (j + 0.5), Value = v, Size = width * 0.9, FillColor = color, LineWidth = 0, ValueBase = 0 });
                        low = Math.Min(low, v);
                        high = Math.Max(high, v);
                    }
                // One invisible point per series carries its legend entry.
                var key = plot.Add.Scatter(new double[] { 0 }, new double[] { double.NaN }, color);
                key.LegendText = $"MINT {series[j]}";
                key.MarkerShape = MarkerShape.FilledSquare;
                key.MarkerSize = 10;
                key.LineWidth = 0;
            }
            plot.Add.Bars(bars);
        }
        var (rx, ry) = Values(rows, r => r.MintRepeated);
        if (rx.Length > 0)
        {
            var repeated = plot.Add.ScatterLine(rx, ry, Palette.GetColor(series.Count));
            repeated.LinePattern = LinePattern.DenselyDashed;
            repeated.LineWidth = 2f;
            repeated.MarkerSize = 7;
            repeated.LegendText = $"MINT {FactorRow.DefaultPoint}, repeated samples";
            low = Math.Min(low, ry.Min());
            high = Math.Max(high, ry.Max());
        }
        var (ax, ay) = Values(rows, r => r.AttackAuc);
        if (ax.Length > 0)
        {
            var attack = plot.Add.ScatterLine(ax, ay, Color.FromHex("#555555"));
            attack.LinePattern = LinePattern.Dashed;
            attack.LineWidth = 1.5f;
            attack.MarkerSize = 5;
            attack.LegendText = "strongest attack AUC";
            low = Math.Min(low, ay.Min());
            high = Math.Max(high, ay.Max());
        }
        plot.Add.HorizontalLine(0.5, 1f, Color.FromHex("#999999"), LinePattern.Dotted);

        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (int i = 0; i < rows.Count; i++) ticks.AddMajor(i, rows[i].Value);
        plot.Axes.Bottom.TickGenerator = ticks;
        double bottom = Math.Max(0, Math.Floor((low - 0.05) * 10) / 10);
        double top = Math.Min(1.02, Math.Max(0.7, Math.Ceiling((high + 0.05) * 10) / 10));
        plot.Axes.SetLimits(-0.6, Math.Max(0.6, rows.Count - 0.4), Math.Min(bottom, 0.45), top);
        plot.XLabel(Factors.Title(factor));
        plot.YLabel("balanced accuracy / AUC");
        plot.Title($"MINT vs {Factors.Title(factor).ToLowerInvariant()}");
        // Outside the data area, so no value hides behind it.
        plot.ShowLegend(Edge.Right);
        plot.Legend.FontSize = 11;
        return plot;
    }

    private static (double[] Xs, double[] Ys) Values(IReadOnlyList<FactorRow> rows, Func<FactorRow, double?> value)
    {
        var xs = new List<double>();
        var ys = new List<double>();
        for (int i = 0; i < rows.Count; i++)
            if (value(rows[i]) is double v) { xs.Add(i); ys.Add(v); }
        return (xs.ToArray(), ys.ToArray());
    }
}
