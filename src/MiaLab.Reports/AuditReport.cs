using MiaLab.Core.IO;

namespace MiaLab.Reports;

/// <summary>Writes the audit report: one self-contained <c>index.html</c> (plots and thumbnails inline
/// as data URIs, no external resource, no script) and the plot files beside it: <c>roc.png</c> and
/// <c>roc.svg</c> (the strongest attacks' ROC curves), <c>roc-families.png</c> (every attack, one panel
/// per family), <c>histograms.png</c>, and <c>per-class.png</c> when per-class metrics exist.</summary>
public static class AuditReport
{
    /// <summary>File names written into the report directory.</summary>
    public const string IndexFile = "index.html";
    public const string RocPngFile = "roc.png";
    public const string RocSvgFile = "roc.svg";
    public const string RocFamiliesFile = "roc-families.png";
    public const string HistogramsFile = "histograms.png";
    public const string PerClassFile = "per-class.png";

    /// <summary>At most this many exposed samples are shown.</summary>
    public const int MaxExposedShown = 32;

    /// <summary>The main ROC panel shows this many of the strongest attacks, each in its own colour.</summary>
    public const int MainRocAttacks = 5;

    private const int RocWidth = 860;
    private const int RocHeight = 520;
    private const int RocPanelWidth = 360;
    private const int HistogramPanelWidth = 400;
    private const int HistogramPanelHeight = 270;
    private const int PerClassHeight = 360;

    /// <summary>Writes the report into <paramref name="reportDirectory"/> (created if missing); every
    /// file is written atomically. Returns the full path of index.html.</summary>
    public static string Write(ReportInput input, string reportDirectory)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentException.ThrowIfNullOrWhiteSpace(reportDirectory);
        string directory = Path.GetFullPath(reportDirectory);
        Directory.CreateDirectory(directory);

        IReadOnlyList<AttackReport> ranked = input.Attacks.Ranked();
        var colors = RocColors.Assign(ranked, MainRocAttacks);

        // Figures: each written beside the page and embedded in it.
        var strongest = ranked.Take(MainRocAttacks).ToList();
        byte[] rocPng;
        string rocSvg;
        using (ScottPlot.Plot roc = ReportPlots.Roc(strongest, colors))
        {
            rocPng = ReportPlots.Png(roc, RocWidth, RocHeight);
            rocSvg = ReportPlots.Svg(roc, RocWidth, RocHeight);
        }
        AtomicFile.WriteAllBytes(Path.Combine(directory, RocPngFile), rocPng);
        AtomicFile.WriteAllText(Path.Combine(directory, RocSvgFile), rocSvg);

        var families = AttackFamilies.Group(ranked);
        byte[] familiesPng = ReportPlots.RocFamiliesPng(families, colors, RocPanelWidth);
        int familiesWidth = RocPanelWidth * PanelGrid.Columns(families.Count, ReportPlots.RocPanelColumns);
        AtomicFile.WriteAllBytes(Path.Combine(directory, RocFamiliesFile), familiesPng);

        byte[] histogramsPng = ReportPlots.HistogramsPng(ranked, HistogramPanelWidth, HistogramPanelHeight);
        int histogramsWidth = HistogramPanelWidth * PanelGrid.Columns(ranked.Count, ReportPlots.HistogramColumns);
        AtomicFile.WriteAllBytes(Path.Combine(directory, HistogramsFile), histogramsPng);

        AttackReport? perClassAttack = ranked.FirstOrDefault(a => a.Metrics.PerClass.Count > 0);
        AuditPage.Figure? perClassFigure = null;
        string perClassPath = Path.Combine(directory, PerClassFile);
        if (perClassAttack is not null)
        {
            int classes = perClassAttack.Metrics.PerClass.Count;
            using ScottPlot.Plot perClass = ReportPlots.PerClass(perClassAttack, input.ClassNames);
            int width = ReportPlots.PerClassWidth(classes);
            perClassFigure = new AuditPage.Figure(ReportPlots.Png(perClass, width, PerClassHeight), width);
            AtomicFile.WriteAllBytes(perClassPath, perClassFigure.Png);
        }
        else if (File.Exists(perClassPath))
        {
            File.Delete(perClassPath); // stale figure from an earlier report in the same directory
        }

        var figures = new AuditPage.Figures(
            new AuditPage.Figure(rocPng, RocWidth), strongest.Count,
            new AuditPage.Figure(familiesPng, familiesWidth),
            new AuditPage.Figure(histogramsPng, histogramsWidth),
            perClassFigure, perClassAttack, colors);
        string html = AuditPage.Build(input, ranked, figures).Render();
        string indexPath = Path.Combine(directory, IndexFile);
        AtomicFile.WriteAllText(indexPath, html);
        return indexPath;
    }
}
