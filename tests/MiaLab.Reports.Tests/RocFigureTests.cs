using System.Text.RegularExpressions;
using MiaLab.Core.Evaluation;
using ScottPlot;
using ScottPlot.Plottables;

namespace MiaLab.Reports.Tests;

public sealed class RocFigureTests
{
    private static AttackReport Named(string name, string family = "", double auc = 0.6, double tpr = 0.01)
    {
        var tprs = new Dictionary<string, TprAtFpr> { ["0.001"] = new(0.001, tpr, 0.001, new Interval(0, 1), null, true) };
        return new AttackReport(name, "", new AttackMetrics(auc, null, 0.5, 0, tprs, [], 100, 100, 0),
            new RocCurve([0, 0.001, 0.5, 1], [0, tpr, 0.7, 1], [double.PositiveInfinity, 2, 1, 0], 100, 100), [], [], family);
    }

    /// <summary>The built-in audit's 14 attacks, strongest first as in the Fashion-MNIST run: the two RMIA,
    /// then the others from the last to the first of the audit's list.</summary>
    private static IReadOnlyList<AttackReport> AuditAttacks() => ReportTestData.AuditAttacks
        .Select((name, i) => Named(name, tpr: name.StartsWith("rmia", StringComparison.Ordinal) ? 0.5 + 0.01 * i : 0.001 * (i + 1)))
        .OrderByDescending(a => a.Metrics.TprAtFpr["0.001"].Tpr)
        .ToList();

    private static IEnumerable<Scatter> Curves(Plot plot) => plot.GetPlottables().OfType<Scatter>();

    [Theory]
    [InlineData("loss", AttackFamilies.Metric)]
    [InlineData("confidence", AttackFamilies.Metric)]
    [InlineData("entropy", AttackFamilies.Metric)]
    [InlineData("modified-entropy", AttackFamilies.Metric)]
    [InlineData("correctness", AttackFamilies.Metric)]
    [InlineData("label-only-gap", AttackFamilies.LabelOnly)]
    [InlineData("label-only-augmentation", AttackFamilies.LabelOnly)]
    [InlineData("shadow-mlp-per-class", AttackFamilies.Shadow)]
    [InlineData("lira-offline-two-sided-fixed-var", AttackFamilies.Lira)]
    [InlineData("rmia-online", AttackFamilies.Rmia)]
    [InlineData("my-attack", "other")]
    public void AnAttackWithoutAFamilyGetsTheRegistrys(string name, string family)
    {
        Assert.Equal(family, AttackFamilies.Of(Named(name)));
        Assert.Equal("Population", AttackFamilies.Of(Named(name, family: "Population")));
        Assert.Equal("Population", AttackFamilies.Title("Population"));
    }

    [Theory]
    [InlineData("metric", "metric thresholds")]
    [InlineData("LiRA", "LiRA")]
    [InlineData("lira", "LiRA")]
    [InlineData("rmia", "RMIA")]
    [InlineData("shadow", "shadow models")]
    public void FamiliesHaveTitles(string family, string title) => Assert.Equal(title, AttackFamilies.Title(family));

    [Fact]
    public void EveryAttackIsInExactlyOneFamily_FamiliesInTheirOrder()
    {
        var ranked = AuditAttacks().Append(Named("my-attack", family: "membership encoding")).Append(Named("other-rmia", family: "rmia")).ToList();
        var groups = AttackFamilies.Group(ranked);
        Assert.Equal([AttackFamilies.Metric, AttackFamilies.LabelOnly, AttackFamilies.Shadow, AttackFamilies.Lira, AttackFamilies.Rmia, "membership encoding"],
            groups.Select(g => g.Family));
        var members = groups.SelectMany(g => g.Attacks).ToList();
        Assert.Equal(ranked.Count, members.Count);
        Assert.Equal(ranked.ToHashSet(ReferenceEqualityComparer.Instance), members.ToHashSet(ReferenceEqualityComparer.Instance));
        // Within a family the ranking order stays: the strongest first.
        Assert.Equal(["rmia-online", "rmia-offline", "other-rmia"], groups.Single(g => g.Family == AttackFamilies.Rmia).Attacks.Select(a => a.Name));
    }

    [Fact]
    public void TheMainPanelDrawsTheStrongestAttacksInDistinctColours()
    {
        var ranked = AuditAttacks();
        var colors = RocColors.Assign(ranked, AuditReport.MainRocAttacks);
        using Plot plot = ReportPlots.Roc(ranked.Take(AuditReport.MainRocAttacks).ToList(), colors);
        var curves = Curves(plot).ToList();
        Assert.Equal(AuditReport.MainRocAttacks, curves.Count);
        Assert.Equal(curves.Count, curves.Select(c => c.LineColor).Distinct().Count());
        Assert.Equal(ranked.Take(AuditReport.MainRocAttacks).Select(a => $"{a.Name} (AUC {ReportFormat.Ratio(a.Metrics.Auc)})"), curves.Select(c => c.LegendText));
        Assert.DoesNotContain(curves, c => c.LineColor == Color.FromHex("#777777")); // the chance line's grey
        // The legend sits outside the data area, so it covers no curve.
        Assert.Contains(plot.Axes.GetPanels(), p => p is ScottPlot.Panels.LegendPanel);
    }

    [Fact]
    public void EachFamilyPanelHasItsAttacksInDistinctColoursAndTheChanceDiagonal()
    {
        var ranked = AuditAttacks();
        var colors = RocColors.Assign(ranked, AuditReport.MainRocAttacks);
        var drawn = new List<string>();
        foreach (var (family, attacks) in AttackFamilies.Group(ranked))
        {
            using Plot panel = ReportPlots.RocPanel(family, attacks, colors, legendRows: 5);
            var curves = Curves(panel).ToList();
            Assert.Equal(attacks.Count, curves.Count);
            Assert.Equal(curves.Count, curves.Select(c => c.LineColor).Distinct().Count());
            Assert.Single(panel.GetPlottables().OfType<LinePlot>(), l => l.Start == new Coordinates(-4, -4) && l.End == new Coordinates(0, 0));
            drawn.AddRange(curves.Select(c => c.LegendText));
            Assert.Contains(panel.Axes.GetPanels(), p => p is ScottPlot.Panels.LegendPanel);
        }
        // Every attack is drawn once, in the colour the table shows.
        Assert.Equal(ranked.Select(a => $"{a.Name} (AUC {ReportFormat.Ratio(a.Metrics.Auc)})").Order(), drawn.Order());
    }

    [Fact]
    public void TheHighlightedColoursAreNotReusedWhileOthersRemain()
    {
        var ranked = AuditAttacks();
        var colors = RocColors.Assign(ranked, AuditReport.MainRocAttacks);
        var top = ranked.Take(AuditReport.MainRocAttacks).Select(a => colors[a]).ToHashSet();
        // Families with at most 4 non-highlighted attacks (palette 9 − 5) never borrow a highlighted colour.
        foreach (var (_, attacks) in AttackFamilies.Group(ranked))
        {
            var rest = attacks.Where(a => ranked.Take(AuditReport.MainRocAttacks).All(t => !ReferenceEquals(t, a))).ToList();
            if (rest.Count <= RocColors.Palette.Count - AuditReport.MainRocAttacks)
            {
                Assert.DoesNotContain(rest, a => top.Contains(colors[a]));
            }
        }
    }

    [Fact]
    public void TheReportWritesBothRocFiguresAndTheTableKeysMatchThem()
    {
        string dir = ReportTestData.TempDirectory();
        var input = ReportTestData.Input(ReportTestData.AuditAttacks.Select((n, i) => ReportTestData.Attack(n, 0.1 * i, seed: 40 + i, members: 300, nonMembers: 300, bootstrap: 0)).ToList());
        string html = File.ReadAllText(AuditReport.Write(input, dir));
        using var families = SkiaSharp.SKBitmap.Decode(Path.Combine(dir, AuditReport.RocFamiliesFile));
        Assert.Equal(3 * 360 * 2, families.Width); // three panels a row, at 2×
        Assert.True(families.Height > families.Width / 2, "five families give two rows of panels");
        Assert.Contains("<svg", File.ReadAllText(Path.Combine(dir, AuditReport.RocSvgFile)));

        // The table's rows are the ranking.
        var ranked = Regex.Matches(html, "<tr data-key=\"([^\"]+)\"").Select(m => input.Attacks.Single(a => a.Name == m.Groups[1].Value)).ToList();
        Assert.Equal(input.Attacks.Count, ranked.Count);
        var colors = RocColors.Assign(ranked, AuditReport.MainRocAttacks);
        foreach (AttackReport a in ranked)
        {
            Assert.Matches(new Regex($"<tr data-key=\"{Regex.Escape(a.Name)}\"><td><span class=\"v\"><span class=\"swatch\" style=\"background:{colors[a].ToHex()}\"></span>"
                + $"{Regex.Escape(a.Name)}</span><span class=\"d\">{Regex.Escape(AttackFamilies.Title(AttackFamilies.Of(a)))}</span>"), html);
        }
    }
}
