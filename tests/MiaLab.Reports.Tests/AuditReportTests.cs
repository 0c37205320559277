using System.Text.RegularExpressions;
using MiaLab.Core.Evaluation;

namespace MiaLab.Reports.Tests;

public sealed class AuditReportTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    // One report shared by the read-only tests: writing it draws every figure.
    private static readonly Lazy<(ReportInput Input, string Directory, string Html)> Shared = new(() =>
    {
        ReportInput input = ReportTestData.Standard();
        string dir = ReportTestData.TempDirectory();
        string index = AuditReport.Write(input, dir);
        return (input, dir, File.ReadAllText(index));
    });

    private static string AttacksTableBody(string html)
    {
        Match m = Regex.Match(html, "<table id=\"attacks-table\".*?<tbody>(.*?)</tbody>", RegexOptions.Singleline);
        Assert.True(m.Success, "attacks table not found");
        return m.Groups[1].Value;
    }

    private static string Escaped(string text) => MiaLab.Reports.Pages.PageRenderer.Encoder.Encode(text);

    private static string[] Rows(string tbody) =>
        Regex.Matches(tbody, "<tr data-key=.*?</tr>", RegexOptions.Singleline).Select(m => m.Value).ToArray();

    [Fact]
    public void Write_CreatesIndexAndPlotFilesBesideIt()
    {
        var (_, dir, _) = Shared.Value;
        Assert.True(File.Exists(Path.Combine(dir, "index.html")));
        foreach (string png in new[] { "roc.png", "roc-families.png", "histograms.png", "per-class.png" })
        {
            byte[] bytes = File.ReadAllBytes(Path.Combine(dir, png));
            Assert.True(bytes.AsSpan().StartsWith(PngSignature), $"{png} is not a PNG");
            Assert.True(bytes.Length > 5_000, $"{png} is suspiciously small ({bytes.Length} bytes)");
        }
        string svg = File.ReadAllText(Path.Combine(dir, "roc.svg"));
        Assert.Contains("<svg", svg);
        Assert.Contains("</svg>", svg);
        Assert.Empty(Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void Write_ReturnsFullPathOfIndex()
    {
        string dir = ReportTestData.TempDirectory();
        string again = AuditReport.Write(ReportTestData.Input([ReportTestData.Attack("only", 1.0, seed: 3, members: 300, nonMembers: 300)]), dir);
        Assert.Equal(Path.Combine(Path.GetFullPath(dir), "index.html"), again);
        Assert.True(Path.IsPathFullyQualified(again));
    }

    [Fact]
    public void AttacksTable_HasOneRowPerAttack_StrongestFirst()
    {
        var (_, _, html) = Shared.Value;
        string[] rows = Rows(AttacksTableBody(html));
        Assert.Equal(3, rows.Length);
        Assert.StartsWith("<tr data-key=\"lira-online\"", rows[0]);
        Assert.StartsWith("<tr data-key=\"rmia\"", rows[1]);
        Assert.StartsWith("<tr data-key=\"&lt;script&gt;", rows[2]);
    }

    [Fact]
    public void AttacksTable_HasEightColumns_TheFamilyUnderEachName()
    {
        var (input, _, html) = Shared.Value;
        Match head = Regex.Match(html, "<table id=\"attacks-table\">\n<thead><tr>(.*?)</tr></thead>", RegexOptions.Singleline);
        Assert.True(head.Success, "attacks table head not found");
        Assert.Equal(8, Regex.Matches(head.Groups[1].Value, "<th[ >]").Count);
        Assert.StartsWith("<th>Attack<br><span class=\"unit\">family</span></th>", head.Groups[1].Value);
        Assert.EndsWith("<th class=\"num\">Scored<br><span class=\"unit\">in / out</span></th>", head.Groups[1].Value);
        foreach (string row in Rows(AttacksTableBody(html)))
        {
            Assert.Equal(8, Regex.Matches(row, "<td[ >]").Count);
        }
        string lira = Assert.Single(Rows(AttacksTableBody(html)), r => r.StartsWith("<tr data-key=\"lira-online\"", StringComparison.Ordinal));
        Assert.Contains("lira-online</span><span class=\"d\">LiRA</span>", lira);
        Assert.Equal(input.Attacks.Count, Regex.Matches(html, "<span class=\"swatch\"").Count);
    }

    [Fact]
    public void AttacksTable_ShowsTheMetricsFormatted()
    {
        var (input, _, html) = Shared.Value;
        string[] rows = Rows(AttacksTableBody(html));
        foreach (AttackReport attack in input.Attacks)
        {
            string row = Assert.Single(rows, r => r.StartsWith($"<tr data-key=\"{Escaped(attack.Name)}\"", StringComparison.Ordinal));
            AttackMetrics m = attack.Metrics;
            Assert.Contains($"<span class=\"v\">{ReportFormat.Ratio(m.Auc)}</span>", row);
            Interval ci = m.AucCi!.Value;
            Assert.Contains($"[{ReportFormat.Ratio(ci.Low)}, {ReportFormat.Ratio(ci.High)}]", row);
            // Balanced accuracy and advantage share a cell: advantage = 2 × balanced accuracy − 1.
            Assert.Contains($"<td class=\"num\"><span class=\"v\">{ReportFormat.Ratio(m.BalancedAccuracy)}</span><span class=\"d\">adv. {ReportFormat.Ratio(m.Advantage)}</span></td>", row);

            // 2,000 non-members: 10%, 1%, 0.1% are estimable; 0.01% (needs 10,000) is not.
            foreach (double level in new[] { 0.1, 0.01, 0.001 })
            {
                TprAtFpr t = AttackRanking.Find(m, level)!;
                Assert.True(t.Estimable);
                Assert.Contains(
                    $"<span class=\"v\">{ReportFormat.Percent(t.Tpr)}</span><span class=\"d\">at FPR {ReportFormat.Percent(t.AchievedFpr)}</span>" +
                    $"<span class=\"d\">CI {ReportFormat.Percent(t.Ci.Low)}–{ReportFormat.Percent(t.Ci.High)}</span>", row);
            }
            Assert.Contains("<abbr title=\"Not estimable: 2,000 non-members, but 0.01% FPR needs at least 10,000 (1/α).", row);
            Assert.Single(Regex.Matches(row, ">n/e</abbr>"));
            Assert.Contains("2,000 / 2,000", row);
        }
    }

    [Fact]
    public void AttacksTable_KnownNumbersAppearAsExpected()
    {
        // A hand-built metric with round numbers pins the exact formatting.
        var tprs = new Dictionary<string, TprAtFpr>
        {
            ["0.1"] = new(0.1, 0.5, 0.0995, new Interval(0.45, 0.55), null, true),
            ["0.01"] = new(0.01, 0.25, 0.0098, new Interval(0.2, 0.3), null, true),
            ["0.001"] = new(0.001, 0.123, 0.00095, new Interval(0.1015, 0.1472), new Interval(0.11, 0.135), true),
            ["0.0001"] = new(0.0001, 0.02, 0, new Interval(0.01, 0.03), null, false),
        };
        var metrics = new AttackMetrics(0.8734, new Interval(0.8612, 0.8851), 0.7712, 0.5424, tprs, [], 4000, 4000, 7);
        var roc = new RocCurve([0, 0.5, 1], [0, 0.9, 1], [double.PositiveInfinity, 0, -1], 4000, 4000);
        var attack = new AttackReport("lira-online", "LiRA, online", metrics, roc, [1, 2, 3], [0, 1, 2]);
        string dir = ReportTestData.TempDirectory();
        string html = File.ReadAllText(AuditReport.Write(ReportTestData.Input([attack]), dir));
        string row = Assert.Single(Rows(AttacksTableBody(html)));
        Assert.Contains("<span class=\"v\">0.873</span><span class=\"d\">[0.861, 0.885]</span>", row);
        Assert.Contains("<td class=\"num\"><span class=\"v\">0.771</span><span class=\"d\">adv. 0.542</span></td>", row);
        Assert.Contains("<span class=\"v\">50.0%</span><span class=\"d\">at FPR 9.95%</span><span class=\"d\">CI 45.0%–55.0%</span>", row);
        Assert.Contains("<span class=\"v\">12.3%</span><span class=\"d\">at FPR 0.0950%</span><span class=\"d\">CI 10.2%–14.7%</span><span class=\"d\">boot 11.0%–13.5%</span>", row);
        Assert.Contains("n/e</abbr>", row);
        Assert.Contains("7 unscored", row);
        Assert.False(File.Exists(Path.Combine(dir, "per-class.png")), "no per-class metrics, so no per-class figure");
        Assert.Contains("No per-class metrics were computed.", html);
        Assert.Contains("identifies 12.3% of members at 0.1% false positives (about 123× chance)", html);
    }

    [Fact]
    public void Html_EmbedsAtLeastThreeValidPngs()
    {
        var (_, _, html) = Shared.Value;
        MatchCollection images = Regex.Matches(html, "src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"");
        Assert.True(images.Count >= 3, $"only {images.Count} inline PNGs");
        foreach (Match m in images)
        {
            byte[] bytes = Convert.FromBase64String(m.Groups[1].Value);
            Assert.True(bytes.AsSpan().StartsWith(PngSignature), "inline image is not a PNG");
        }
        // 4 figures (ROC, ROC by family, histograms, per class) + 12 thumbnails.
        Assert.Equal(16, images.Count);
    }

    [Fact]
    public void Html_IsSelfContained()
    {
        var (_, _, html) = Shared.Value;
        Assert.DoesNotMatch(new Regex(@"(src|href)\s*=\s*[""']?\s*(https?:)?//", RegexOptions.IgnoreCase), html);
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
        Assert.DoesNotContain("url(", html);
        Assert.DoesNotContain("@import", html);
        Assert.DoesNotContain("<link", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<iframe", html, StringComparison.OrdinalIgnoreCase);
        // Every image is inline.
        foreach (Match m in Regex.Matches(html, "<img [^>]*src=\"([^\"]{0,40})"))
        {
            Assert.StartsWith("data:image/png;base64,", m.Groups[1].Value);
        }
    }

    [Fact]
    public void Html_EscapesStringsFromInputs()
    {
        var (_, _, html) = Shared.Value;
        Assert.Contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;", html);
        Assert.DoesNotContain(ReportTestData.ScriptName, html);
        Assert.Contains("&lt;b&gt;bold &amp; &quot;quoted&quot;&lt;/b&gt;", html);
        Assert.DoesNotContain("<b>bold", html);
    }

    [Fact]
    public void Html_HasEverySection()
    {
        var (_, _, html) = Shared.Value;
        foreach (string id in new[] { "reading", "attacks", "roc", "histograms", "exposed", "per-class", "settings", "definitions" })
        {
            Assert.Contains($"<section id=\"{id}\"", html);
        }
        Assert.Contains("<h1>CIFAR-10 ResNet audit</h1>", html);
        Assert.Contains("<dd>CIFAR-10</dd>", html);
        Assert.Contains("<dd>ResNet-18, 100 epochs, SGD</dd>", html);
        Assert.Contains("<dd>#0</dd>", html);
        Assert.Contains("<dd>99.8%</dd>", html); // train accuracy
        Assert.Contains("<dd>86.1%</dd>", html); // test accuracy
        Assert.Contains("2025-03-14 09:26 UTC", html);
        Assert.Contains("not interpolated", html);
        Assert.Contains("Clopper–Pearson", html);
        Assert.Contains("stratified bootstrap", html);
        Assert.Contains("fewer than 1/α non-members", html);
        Assert.Contains("higher score means", html);
        // Exposed samples: label with class name and score.
        Assert.Contains("<b>#1003</b><br>cat (3)<br>score 8.75", html);
        // Per-class table uses class names.
        Assert.Contains("<tr><td>truck (9)</td>", html);
    }

    [Fact]
    public void Html_ReadingFollowsTheStrongestAttack()
    {
        var (input, _, html) = Shared.Value;
        AttackReport strongest = input.Attacks.Single(a => a.Name == "lira-online");
        TprAtFpr t = AttackRanking.Find(strongest.Metrics, 0.001)!;
        Match reading = Regex.Match(html, "<section id=\"reading\".*?</section>", RegexOptions.Singleline);
        Assert.Contains($"The strongest attack, lira-online, identifies {ReportFormat.Percent(t.Tpr)} of members at 0.1% false positives", reading.Value);
        Assert.Contains("Many individual records can be singled out", reading.Value);
    }

    [Fact]
    public void Html_VectorSamplesAreShownAsATable()
    {
        ReportInput input = ReportTestData.Input([ReportTestData.Attack("loss", 1.0, seed: 5, members: 400, nonMembers: 400)], images: false, exposed: 3);
        string html = File.ReadAllText(AuditReport.Write(input, ReportTestData.TempDirectory()));
        Match section = Regex.Match(html, "<section id=\"exposed\".*?</section>", RegexOptions.Singleline);
        Assert.DoesNotContain("<img", section.Value);
        Assert.Contains("<td class=\"num\">#1000</td><td>airplane (0)</td><td class=\"num\">9.5</td><td>loss</td>", section.Value);
        Assert.Contains("0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, …", section.Value);
    }

    [Fact]
    public void Write_OverwritesAnEarlierReport()
    {
        string dir = ReportTestData.TempDirectory();
        AuditReport.Write(ReportTestData.Input([ReportTestData.Attack("first", 1.0, seed: 1, members: 300, nonMembers: 300)]), dir);
        string html = File.ReadAllText(AuditReport.Write(ReportTestData.Input([ReportTestData.Attack("second", 1.0, seed: 2, members: 300, nonMembers: 300)]), dir));
        Assert.Contains("data-key=\"second\"", html);
        Assert.DoesNotContain("data-key=\"first\"", html);
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }

    [Fact]
    public void Write_HandlesNoAttacks()
    {
        string html = File.ReadAllText(AuditReport.Write(ReportTestData.Input([], exposed: 0), ReportTestData.TempDirectory()));
        Assert.Contains("No attack results.", html);
        Assert.Contains("No attack results were supplied", html);
    }
}

public sealed class AuditReportShapesTests
{
    [Fact]
    public void GrayscaleImages_ManyClasses_ManyAttacks()
    {
        // MNIST-like 1×28×28 thumbnails, 100 classes (slanted labels), five attacks (two histogram rows).
        var attacks = Enumerable.Range(0, 5)
            .Select(i => ReportTestData.Attack($"attack-{i}", 0.4 * i, seed: 100 + i, members: 600, nonMembers: 600, classes: 100, bootstrap: 0))
            .ToList();
        var samples = Enumerable.Range(0, 4)
            .Select(k => new ExposedSample(k, k, 1.0 - k, "attack-4", ReportTestData.Pattern(1, 28, 28, k)))
            .ToList();
        ReportInput input = ReportTestData.Input(attacks) with
        {
            MostExposed = samples,
            ImageShape = [1, 28, 28],
            ClassNames = null,
        };
        string dir = ReportTestData.TempDirectory();
        string html = File.ReadAllText(AuditReport.Write(input, dir));
        Assert.Equal(4 + 4, System.Text.RegularExpressions.Regex.Matches(html, "data:image/png;base64,").Count);
        Assert.Contains("<b>#2</b><br>class 2<br>score -1", html);
        Assert.True(new FileInfo(Path.Combine(dir, "per-class.png")).Length > 5_000);
        using var histograms = SkiaSharp.SKBitmap.Decode(Path.Combine(dir, "histograms.png"));
        Assert.True(histograms.Height > histograms.Width / 3, "five attacks should give two rows of panels");
        // Without bootstrap there is no AUC interval and no "boot" line.
        Assert.DoesNotContain("boot ", html);
    }
}
