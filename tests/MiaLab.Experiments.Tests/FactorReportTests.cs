using MiaLab.Experiments.Studies;
using System.Text.RegularExpressions;

namespace MiaLab.Experiments.Tests;

/// <summary>report.html of the factor study, from made-up rows: no model is trained.</summary>
public sealed class FactorReportTests
{
    private static readonly string[] Points = ["conv1", "conv2", "dense", "logits", "confidence"];

    private static (IReadOnlyList<FactorRow> Rows, string Html, FactorStudyPlan Plan) Study(string output = "/runs/factors")
    {
        var plan = FactorStudyPlan.Quick();
        var rows = plan.Settings().Select((s, i) => new StudyRow<FactorSetting, FactorMeasures>(s, s.Name, new FactorMeasures(0.99, 0.8 + 0.01 * i,
            [.. Points.Append(FactorRow.AllPoints).Select((p, j) => new MintScore(p, 0.5 + 0.01 * (i + j), 0.6))],
            s.Factor == Factors.TimesSeen ? 0.7 : null, "lira-online", 0.65, i == 0 ? null : 0.05, 12.4, 3)
        {
            Baselines = [new BaselineScore("max-confidence", 0.523, 0.5, 0.546, 0.53), new BaselineScore("loss", 0.561, 0.54, 0.58, 0.57)],
        })).ToList();
        string html = StudyRunner.Compose(new FactorStudy(plan), rows, output, 754).Render();
        return (FactorStudy.Rows(rows), html, plan);
    }

    [Fact]
    public void ThePageHasTheTableAFigurePerFactorAndTheDefinitions()
    {
        var (rows, html, plan) = Study();
        Assert.Contains("<title>MINT training-factor study</title>", html);
        Assert.Contains("<p class=\"kicker\">Membership inference test</p>", html);
        Assert.Contains($"<p class=\"intro\">{FactorStudy.Describe(plan).Replace("'", "&#x27;")}</p>", html);
        Assert.Contains($"Study folder: <code>/runs/factors</code>; {rows.Count} rows in 12.6 min.", html);

        Match table = Regex.Match(html, "<table id=\"results-table\">.*?</table>", RegexOptions.Singleline);
        Assert.True(table.Success, "results table not found");
        Assert.Contains("<th class=\"num\">MINT<br><span class=\"unit\">conv1</span></th>", table.Value);
        Assert.Equal(rows.Count, Regex.Matches(table.Value, "<tr data-key=").Count);
        FactorRow first = rows[0];
        Assert.Contains($"<tr data-key=\"{first.Setting}\"><td>{Factors.Title(first.Factor)}</td><td>{first.Value}</td><td class=\"num\">0.800</td>", table.Value);
        Assert.Contains("<td class=\"num strong\">0.540</td>", table.Value); // MINT confidence (the default detector) of the first row
        Assert.Contains("<td class=\"num\">0.550</td>", table.Value); // MINT all of the first row, not the headline
        Assert.Contains("<td class=\"num\">–</td>", table.Value); // a metric that was not measured
        // The baselines beside MINT: max confidence, then the loss attack.
        Assert.Contains("<td class=\"num\">0.523</td><td class=\"num\">0.561</td>", table.Value);

        Assert.Equal(Factors.All.Count, Regex.Matches(html, "<img src=\"data:image/png;base64,").Count);
        foreach (string factor in Factors.All)
        {
            Assert.Contains($"<h3>{Factors.Title(factor)}</h3><img src=\"data:image/png;base64,", html);
        }
        Assert.Contains("<section id=\"definitions\">", html);
        Assert.Contains("Vanilla MINT detector", html);
        Assert.DoesNotContain("<script", html);
    }

    [Fact]
    public void ThePageEscapesWhatItShows()
    {
        var (_, html, _) = Study("/runs/<b>x</b> & 'y'");
        Assert.Contains("<code>/runs/&lt;b&gt;x&lt;/b&gt; &amp; &#x27;y&#x27;</code>", html);
        Assert.DoesNotContain("<b>x</b>", html);
    }
}
