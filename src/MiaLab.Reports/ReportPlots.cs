using MiaLab.Core.Evaluation;
using ScottPlot;

namespace MiaLab.Reports;

/// <summary>The report's figures, drawn with ScottPlot. Each builder returns a configured plot (or the
/// encoded image) and leaves writing files to the caller.</summary>
internal static class ReportPlots
{
    /// <summary>Lowest rate shown on the log-log ROC axes (10⁻⁴).</summary>
    public const int LogMinExponent = -4;

    // Where zero rates are drawn: below the visible range, so the curve leaves the frame downwards.
    private const double LogFloor = -5.0;

    private static readonly Color MemberColor = Color.FromHex("#d95f02");
    private static readonly Color NonMemberColor = Color.FromHex("#1b6ca8");
    private static readonly Color ChanceColor = Color.FromHex("#777777");

    /// <summary>The main ROC panel: <paramref name="attacks"/> (the strongest few) on log-log axes, FPR and
    /// TPR from 10⁻⁴ to 1, chance dashed, the legend outside the data area on the right.</summary>
    public static Plot Roc(IReadOnlyList<AttackReport> attacks, IReadOnlyDictionary<AttackReport, Color> colors)
    {
        var plot = LogLogRoc(attacks, colors, lineWidth: 2.2f, chanceInLegend: true);
        plot.XLabel("False positive rate (log scale)");
        plot.YLabel("True positive rate (log scale)");
        plot.Title(attacks.Count == 1 ? "ROC, log-log: the strongest attack" : $"ROC, log-log: the {attacks.Count} strongest attacks");
        plot.ShowLegend(Edge.Right);
        plot.Legend.FontSize = 13;
        return plot;
    }

    /// <summary>Family panels per row.</summary>
    public const int RocPanelColumns = 3;

    // A family panel: a fixed frame around the data area, so every panel's axes have the same size
    // whatever its legend, and the legend's rows below it.
    private const int PanelLeft = 70, PanelRight = 16, PanelTop = 40, PanelAxis = 56, PanelLegendRow = 21, PanelLegendFrame = 22;

    /// <summary>The logical height of a family panel whose legend has <paramref name="legendRows"/> rows.</summary>
    public static int RocPanelHeight(int panelWidth, int legendRows) =>
        (panelWidth - PanelLeft - PanelRight) * 3 / 4 + PanelTop + PanelAxis + PanelLegendFrame + PanelLegendRow * Math.Max(1, legendRows);

    /// <summary>One small ROC panel of a family's attacks: log-log with the chance diagonal (dashed, not
    /// in the legend), the legend under the axes with room for <paramref name="legendRows"/> rows.</summary>
    public static Plot RocPanel(string family, IReadOnlyList<AttackReport> attacks, IReadOnlyDictionary<AttackReport, Color> colors, int legendRows)
    {
        var plot = LogLogRoc(attacks, colors, lineWidth: 1.8f, chanceInLegend: false);
        plot.XLabel("FPR", size: 13);
        plot.YLabel("TPR", size: 13);
        plot.Axes.Bottom.TickLabelStyle.FontSize = 11;
        plot.Axes.Left.TickLabelStyle.FontSize = 11;
        plot.Title(AttackFamilies.Title(family), size: 15);
        plot.ShowLegend(Edge.Bottom);
        plot.Legend.FontSize = 11;
        plot.Legend.Orientation = Orientation.Vertical;
        int bottom = PanelAxis + PanelLegendFrame + PanelLegendRow * Math.Max(1, legendRows);
        plot.Layout.Fixed(new PixelPadding(PanelLeft, PanelRight, bottom, PanelTop)); // logical pixels, scaled with the plot
        return plot;
    }

    /// <summary>The family panels as one PNG, one panel per family in <see cref="AttackFamilies.Group"/>'s
    /// order, <paramref name="panelWidth"/> logical pixels wide, tall enough for the longest legend.</summary>
    public static byte[] RocFamiliesPng(IReadOnlyList<(string Family, IReadOnlyList<AttackReport> Attacks)> families,
        IReadOnlyDictionary<AttackReport, Color> colors, int panelWidth)
    {
        int rows = families.Count == 0 ? 1 : families.Max(f => f.Attacks.Count);
        int height = RocPanelHeight(panelWidth, rows);
        return families.Count == 0
            ? PanelGrid.Png(1, _ => Empty("No attacks"), RocPanelColumns, panelWidth, height)
            : PanelGrid.Png(families.Count, i => RocPanel(families[i].Family, families[i].Attacks, colors, rows), RocPanelColumns, panelWidth, height);
    }

    private static Plot LogLogRoc(IReadOnlyList<AttackReport> attacks, IReadOnlyDictionary<AttackReport, Color> colors, float lineWidth,
        bool chanceInLegend)
    {
        var plot = NewPlot();
        var chance = plot.Add.Line(LogMinExponent, LogMinExponent, 0, 0);
        chance.LinePattern = LinePattern.Dashed;
        chance.LineWidth = 1.5f;
        chance.LineColor = ChanceColor;
        if (chanceInLegend)
        {
            chance.LegendText = "chance";
        }

        foreach (AttackReport attack in attacks)
        {
            (double[] xs, double[] ys) = LogRocPoints(attack.Roc);
            if (xs.Length == 0)
            {
                continue;
            }
            var line = plot.Add.ScatterLine(xs, ys, colors[attack]);
            line.LineWidth = lineWidth;
            line.MarkerSize = 0;
            line.LegendText = $"{Shorten(attack.Name, 28)} (AUC {ReportFormat.Ratio(attack.Metrics.Auc)})";
        }

        plot.Axes.Bottom.TickGenerator = FigureStyle.LogTicks(LogMinExponent, 0);
        plot.Axes.Left.TickGenerator = FigureStyle.LogTicks(LogMinExponent, 0);
        plot.Axes.SetLimits(LogMinExponent, 0, LogMinExponent, 0);
        return plot;
    }

    private static Plot Empty(string title)
    {
        var plot = NewPlot();
        plot.Title(title);
        return plot;
    }

    /// <summary>The ROC points in log10 coordinates, thinned to what the eye can resolve; zero rates go
    /// to <see cref="LogFloor"/>.</summary>
    internal static (double[] Xs, double[] Ys) LogRocPoints(RocCurve roc, double resolution = 0.002)
    {
        int n = Math.Min(roc.Fpr.Length, roc.Tpr.Length);
        var xs = new List<double>(Math.Min(n, 4096));
        var ys = new List<double>(Math.Min(n, 4096));
        for (int i = 0; i < n; i++)
        {
            double x = ToLog(roc.Fpr[i]);
            double y = ToLog(roc.Tpr[i]);
            bool last = i == n - 1;
            if (xs.Count == 0 || last
                || Math.Abs(x - xs[^1]) >= resolution || Math.Abs(y - ys[^1]) >= resolution)
            {
                xs.Add(x);
                ys.Add(y);
            }
        }
        return (xs.ToArray(), ys.ToArray());
    }

    private static double ToLog(double rate) =>
        rate > 0 && double.IsFinite(rate) ? Math.Max(LogFloor, Math.Log10(rate)) : LogFloor;

    /// <summary>Histogram panels per row.</summary>
    public const int HistogramColumns = 3;

    /// <summary>Member and non-member score histograms, one small panel per attack, as PNG bytes.</summary>
    public static byte[] HistogramsPng(IReadOnlyList<AttackReport> ranked, int panelWidth = 420, int panelHeight = 280) =>
        ranked.Count == 0
            ? PanelGrid.Png(1, _ => Empty("No attacks"), HistogramColumns, panelWidth, panelHeight)
            : PanelGrid.Png(ranked.Count, i => Histogram(ranked[i], showLegend: i == 0), HistogramColumns, panelWidth, panelHeight);

    /// <summary>One attack's score distributions: the fraction of members and of non-members per bin, on
    /// common bins spanning the 0.5th to 99.5th percentile (outliers counted in the edge bins).</summary>
    public static Plot Histogram(AttackReport attack, bool showLegend, int bins = 40)
    {
        var plot = NewPlot();
        double[] members = attack.MemberScores.Where(double.IsFinite).ToArray();
        double[] nonMembers = attack.NonMemberScores.Where(double.IsFinite).ToArray();
        double[] all = [.. members, .. nonMembers];
        plot.Title(Shorten(attack.Name, 40), size: 16);
        plot.XLabel("score (higher = member)", size: 14);
        plot.YLabel("fraction", size: 14);
        if (all.Length == 0)
        {
            return plot;
        }
        Array.Sort(all);
        double lo = Quantile(all, 0.005);
        double hi = Quantile(all, 0.995);
        if (!(hi > lo))
        {
            lo -= 0.5;
            hi += 0.5;
        }
        double width = (hi - lo) / bins;
        AddHistogramBars(plot, nonMembers, lo, width, bins, NonMemberColor, $"non-members ({ReportFormat.Count(nonMembers.Length)})");
        AddHistogramBars(plot, members, lo, width, bins, MemberColor, $"members ({ReportFormat.Count(members.Length)})");
        // Headroom above the bars keeps the legend clear of the data.
        plot.Axes.Margins(left: 0.03, right: 0.03, bottom: 0, top: showLegend ? 0.4 : 0.1);
        if (showLegend)
        {
            var legend = plot.ShowLegend(Alignment.UpperLeft);
            legend.FontSize = 12;
        }
        else
        {
            plot.HideLegend();
        }
        return plot;
    }

    private static void AddHistogramBars(Plot plot, double[] values, double lo, double width, int bins, Color color, string label)
    {
        double[] counts = new double[bins];
        foreach (double v in values)
        {
            int b = (int)Math.Floor((v - lo) / width);
            counts[Math.Clamp(b, 0, bins - 1)]++;
        }
        var bars = new List<Bar>(bins);
        for (int b = 0; b < bins; b++)
        {
            bars.Add(new Bar
            {
                Position = lo + (b + 0.5) * width,
                Value = values.Length > 0 ? counts[b] / values.Length : 0,
                Size = width,
                FillColor = color.WithAlpha(0.55),
                LineWidth = 0,
            });
        }
        var plottable = plot.Add.Bars(bars);
        plottable.LegendText = label;
        plottable.Color = color.WithAlpha(0.55);
    }

    /// <summary>Linear-interpolated quantile of sorted values.</summary>
    internal static double Quantile(double[] sorted, double q)
    {
        if (sorted.Length == 1)
        {
            return sorted[0];
        }
        double pos = q * (sorted.Length - 1);
        int i = (int)Math.Floor(pos);
        int j = Math.Min(i + 1, sorted.Length - 1);
        return sorted[i] + (pos - i) * (sorted[j] - sorted[i]);
    }

    /// <summary>AUC per class for one attack, chance (0.5) dashed.</summary>
    public static Plot PerClass(AttackReport attack, IReadOnlyList<string>? classNames)
    {
        var plot = NewPlot();
        IReadOnlyList<ClassMetrics> classes = attack.Metrics.PerClass.OrderBy(c => c.Label).ToList();
        var bars = new List<Bar>(classes.Count);
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        double min = 0.5;
        for (int i = 0; i < classes.Count; i++)
        {
            ClassMetrics c = classes[i];
            double auc = double.IsFinite(c.Auc) ? c.Auc : 0.5;
            min = Math.Min(min, auc);
            bars.Add(new Bar
            {
                Position = i,
                Value = auc,
                Size = 0.7,
                FillColor = auc >= 0.5 ? MemberColor.WithAlpha(0.8) : NonMemberColor.WithAlpha(0.8),
                LineWidth = 0,
                Label = classes.Count <= 20 && double.IsFinite(c.Auc) ? ReportFormat.Number(c.Auc, "0.00") : string.Empty,
            });
            ticks.AddMajor(i, Shorten(ClassName(c.Label, classNames), 14));
        }
        var barPlot = plot.Add.Bars(bars);
        barPlot.ValueLabelStyle.FontSize = 11;
        plot.Add.HorizontalLine(0.5, 1.5f, ChanceColor, LinePattern.Dashed);
        plot.HideLegend();
        plot.Axes.Bottom.TickGenerator = ticks;
        if (classes.Count > PerClassUprightLabels)
        {
            plot.Axes.Bottom.TickLabelStyle.Rotation = -45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        }
        double bottom = Math.Max(0, Math.Floor((min - 0.05) * 10) / 10);
        plot.Axes.SetLimits(-0.6, Math.Max(0.6, classes.Count - 0.4), bottom, 1.02);
        plot.YLabel("AUC");
        plot.Title($"AUC per class — {Shorten(attack.Name, 40)}");
        return plot;
    }

    /// <summary>Up to this many classes the per-class labels stay upright; beyond, they are slanted.</summary>
    public const int PerClassUprightLabels = 12;

    /// <summary>Logical width of the per-class figure: room for each class label.</summary>
    public static int PerClassWidth(int classes) => classes <= PerClassUprightLabels
        ? Math.Clamp(100 + 84 * classes, 560, 1160)
        : Math.Clamp(100 + 28 * classes, 560, 1600);

    public static string ClassName(long label, IReadOnlyList<string>? classNames) =>
        classNames is not null && label >= 0 && label < classNames.Count && !string.IsNullOrWhiteSpace(classNames[(int)label])
            ? classNames[(int)label]
            : label.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static byte[] Png(Plot plot, int width, int height) => FigureStyle.Png(plot, width, height);

    public static string Svg(Plot plot, int width, int height) => FigureStyle.Svg(plot, width, height);

    private static Plot NewPlot() => FigureStyle.NewPlot();

    private static string Shorten(string text, int max) =>
        text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), "…");
}
