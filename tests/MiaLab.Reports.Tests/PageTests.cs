using System.Text.RegularExpressions;
using MiaLab.Reports.Pages;

namespace MiaLab.Reports.Tests;

public sealed class PageTests
{
    private const string Hostile = "<x-inj a='1' b=\"2\">&+";
    private const string HostileEscaped = "&lt;x-inj a=&#x27;1&#x27; b=&quot;2&quot;&gt;&amp;&#x2B;";

    private static readonly byte[] Png = Thumbnails.Png([0, 1, 0, 1], 1, 2, 2);

    /// <summary>A page that puts <see cref="Hostile"/> into every string field of every block kind.</summary>
    private static (HtmlPage Page, int Fields) HostilePage()
    {
        var table = new PageTable(
            [new TableColumn(Hostile, Hostile) { Numeric = true }, new TableColumn(Hostile) { Mono = true }],
            [
                new TableRow([new TableCell(Hostile) { Details = [Hostile, Hostile], Warning = Hostile, Tooltip = Hostile, Swatch = Hostile }, Hostile], Hostile),
            ])
        {
            Id = Hostile,
            Title = Hostile,
            Notes = [Hostile],
            Folded = Hostile,
        };
        var empty = new PageTable([new TableColumn("a")], []) { EmptyText = Hostile, RowHeaders = true };
        var figure = new PageFigure(Png, Hostile, 100) { Title = Hostile, Caption = Hostile };
        var gallery = new PageGallery([new GalleryItem(Png, 8, 8, Hostile, Hostile) { Lines = [Hostile], Detail = Hostile }, new GalleryItem(null, 8, 8, Hostile, Hostile)])
        {
            MissingImageText = Hostile,
        };
        var terms = new PageTerms([new PageTerm(Hostile, Hostile)]);
        var page = new HtmlPage(Hostile)
        {
            Kicker = Hostile,
            Intro = Hostile,
            Facts = [new PageFact(Hostile, Hostile)],
            Location = new PageLocation(Hostile, Hostile, Hostile),
            Sections =
            [
                new PageSection(Hostile, [new PageParagraph(Hostile), new PageParagraph(Hostile, Note: true), table, empty], Hostile) { Highlight = true },
                new PageSection(Hostile, [figure, gallery, terms], Hostile),
            ],
        };
        // title ×2 (head and h1), kicker, intro, fact ×2, location ×3, sections 2 × (heading + id),
        // paragraphs 2, table 15 (id, title, 2 headers, 1 unit, key, swatch, tooltip, cell text, 2 details,
        // warning, second cell, note, folded), empty text, figure 3 (alt, title, caption), gallery 6 (alt,
        // title, line, detail, second title, missing text), terms 2.
        int fields = 2 + 1 + 1 + 2 + 3 + 4 + 2 + 15 + 1 + 3 + 6 + 2;
        return (page, fields);
    }

    [Fact]
    public void EveryStringOfEveryBlockIsEscaped()
    {
        var (page, fields) = HostilePage();
        string html = page.Render();
        Assert.DoesNotContain("<x-inj", html);
        Assert.DoesNotContain("'1'", html);
        Assert.Equal(fields, Regex.Matches(html, Regex.Escape(HostileEscaped)).Count);
    }

    [Fact]
    public void EveryBlockKindHasATemplate()
    {
        var kinds = typeof(PageBlock).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(PageBlock)) && !t.IsAbstract)
            .ToList();
        Assert.Equal(5, kinds.Count);
        var (page, _) = HostilePage();
        string html = page.Render();
        Assert.Contains("<p>&lt;x-inj", html);
        Assert.Contains("<p class=\"note\">", html);
        Assert.Contains("<table id=", html);
        Assert.Contains("<figure class=\"plot\">", html);
        Assert.Contains("<div class=\"gallery\">", html);
        Assert.Contains("<dl class=\"terms\">", html);
        // A kind the page template does not know would vanish from the page: each is listed there.
        string template = ReadTemplate("page.liquid");
        foreach (Type kind in kinds)
        {
            var block = (PageBlock)System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(kind);
            Assert.Contains($"{{%- when \"{block.Kind}\" %}}{{% render \"{block.Kind}\", block: block %}}", template);
        }
    }

    [Fact]
    public void OnlyTheStylesheetAndDataUrisAreWrittenUnescaped()
    {
        foreach (string name in new[] { "page.liquid", "paragraph.liquid", "table.liquid", "figure.liquid", "gallery.liquid", "terms.liquid" })
        {
            foreach (Match m in Regex.Matches(ReadTemplate(name), @"\{\{([^}]*)\|\s*raw\s*\}\}"))
            {
                Assert.True(m.Groups[1].Value.Trim() is "stylesheet" or "block.data_uri" or "item.data_uri", $"{name}: {m.Value} is not escaped");
            }
        }
    }

    [Fact]
    public void APageIsOneFileWithoutScriptOrOutsideResource()
    {
        string html = HostilePage().Page.Render();
        Assert.StartsWith("<!DOCTYPE html>\n<html lang=\"en\">", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", html);
        Assert.DoesNotContain("http", html);
        Assert.Contains($"src=\"data:image/png;base64,{Convert.ToBase64String(Png)}\"", html);
        Assert.Single(Regex.Matches(html, "<style>"));
    }

    [Fact]
    public void ATableDrawsValuesDetailsAndTheEmptyText()
    {
        var table = new PageTable([new TableColumn("Attack", "family"), new TableColumn("AUC") { Numeric = true }],
            [new TableRow([new TableCell("lira") { Swatch = "#1f77b4", Details = ["LiRA"] }, new TableCell("0.700") { Warning = "3 unscored" }], "lira")]);
        string html = new HtmlPage("t") { Sections = [new PageSection("s", [table, new PageTable([new("x"), new("y")], []) { EmptyText = "none" }])] }.Render();
        Assert.Contains("<th>Attack<br><span class=\"unit\">family</span></th><th class=\"num\">AUC</th>", html);
        Assert.Contains("<tr data-key=\"lira\"><td><span class=\"v\"><span class=\"swatch\" style=\"background:#1f77b4\"></span>lira</span>" +
            "<span class=\"d\">LiRA</span></td><td class=\"num\">0.700<span class=\"d warn\">3 unscored</span></td></tr>", html);
        Assert.Contains("<tr><td colspan=\"2\">none</td></tr>", html);
    }

    [Fact]
    public void AStudyPageHasItsTitleIntroTablesFiguresAndDefinitions()
    {
        var study = new StudyPage("Defense study", "Membership inference defenses", "What was trained.")
        {
            Location = new PageLocation("Output folder", "/out", "3 rows in 4 s."),
            Tables = [new PageTable([new("Defense"), new("AUC") { Numeric = true }], [new TableRow(["DP-SGD", "0.51"])]) { Notes = ["AUC of the strongest attack."] }],
            Figures = [new PageFigure(Png, "AUC against ε", 600) { Title = "Privacy budget" }],
            Definitions = ["ε: the privacy budget."],
            GeneratedUtc = new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc),
        };
        string html = study.Render();
        Assert.Contains("<title>Defense study</title>", html);
        Assert.Contains("<p class=\"kicker\">Membership inference defenses</p>", html);
        Assert.Contains("<p class=\"intro\">What was trained.</p>", html);
        Assert.Contains("Output folder: <code>/out</code>; 3 rows in 4 s.", html);
        Assert.Contains("<section id=\"results\">\n<h2>Results</h2>", html);
        Assert.Contains("<tr><td>DP-SGD</td><td class=\"num\">0.51</td></tr>", html);
        Assert.Contains("<p class=\"note\">AUC of the strongest attack.</p>", html);
        Assert.Contains("<h3>Privacy budget</h3><img src=\"data:image/png;base64,", html);
        Assert.Contains("style=\"width:600px\" alt=\"AUC against ε\"", html);
        Assert.Contains("<section id=\"definitions\">\n<h2>Definitions</h2>\n<p>ε: the privacy budget.</p>", html);
        Assert.Contains("on 2025-01-02 03:04:05 UTC.</footer>", html);
    }

    private static string ReadTemplate(string name)
    {
        using Stream stream = typeof(PageBlock).Assembly.GetManifestResourceStream("MiaLab.Reports.Pages.Templates." + name)
            ?? throw new InvalidOperationException(name + " is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
