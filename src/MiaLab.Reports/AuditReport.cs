using MiaLab.Core.IO;
using MiaLab.Core.Evaluation;

namespace MiaLab.Reports;

/// <summary>Writes the audit report: one self-contained <c>index.html</c> (plots and thumbnails inline
/// as data URIs, no external resource, no script) and the plot files beside it
/// (<c>roc.png</c>, <c>roc.svg</c>, <c>histograms.png</c>, <c>per-class.png</c> when per-class metrics exist).</summary>
public static class AuditReport
{
    /// <summary>File names written into the report directory.</summary>
    public const string IndexFile = "index.html";
    public const string RocPngFile = "roc.png";
    public const string RocSvgFile = "roc.svg";
    public const string HistogramsFile = "histograms.png";
    public const string PerClassFile = "per-class.png";

    /// <summary>At most this many exposed samples are shown.</summary>
    public const int MaxExposedShown = 32;

    private const int RocWidth = 760;
    private const int RocHeight = 600;
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

        // Figures: each written beside the page and embedded in it.
        byte[] rocPng;
        string rocSvg;
        using (ScottPlot.Plot roc = ReportPlots.Roc(ranked))
        {
            rocPng = ReportPlots.Png(roc, RocWidth, RocHeight);
            rocSvg = ReportPlots.Svg(roc, RocWidth, RocHeight);
        }
        AtomicFile.WriteAllBytes(Path.Combine(directory, RocPngFile), rocPng);
        AtomicFile.WriteAllText(Path.Combine(directory, RocSvgFile), rocSvg);

        byte[] histogramsPng = ReportPlots.HistogramsPng(ranked, HistogramPanelWidth, HistogramPanelHeight);
        int histogramsWidth = HistogramPanelWidth * Math.Clamp(ranked.Count, 1, ReportPlots.HistogramColumns);
        AtomicFile.WriteAllBytes(Path.Combine(directory, HistogramsFile), histogramsPng);

        AttackReport? perClassAttack = ranked.FirstOrDefault(a => a.Metrics.PerClass.Count > 0);
        byte[]? perClassPng = null;
        int perClassWidth = 0;
        string perClassPath = Path.Combine(directory, PerClassFile);
        if (perClassAttack is not null)
        {
            int classes = perClassAttack.Metrics.PerClass.Count;
            using ScottPlot.Plot perClass = ReportPlots.PerClass(perClassAttack, input.ClassNames);
            perClassWidth = ReportPlots.PerClassWidth(classes);
            perClassPng = ReportPlots.Png(perClass, perClassWidth, PerClassHeight);
            AtomicFile.WriteAllBytes(perClassPath, perClassPng);
        }
        else if (File.Exists(perClassPath))
        {
            File.Delete(perClassPath); // stale figure from an earlier report in the same directory
        }

        var figures = new HtmlReportWriter.Figures(
            new HtmlReportWriter.Figure(rocPng, RocWidth, RocHeight),
            new HtmlReportWriter.Figure(histogramsPng, histogramsWidth, 0),
            perClassPng is null ? null : new HtmlReportWriter.Figure(perClassPng, perClassWidth, PerClassHeight),
            perClassAttack);
        string html = HtmlReportWriter.Render(input, ranked, figures);
        string indexPath = Path.Combine(directory, IndexFile);
        AtomicFile.WriteAllText(indexPath, html);
        return indexPath;
    }
}
