namespace MiaLab.Reports.Pages;

/// <summary>The page of a study (training factors, defenses, image-to-image, power law): what it is,
/// its tables, its figures and what its terms mean. A study fills this in; the layout, the stylesheet and
/// the escaping are the audit report's.</summary>
/// <param name="Title">The study's title.</param>
/// <param name="Kicker">The kind of study, shown above the title, e.g. "Membership inference test".</param>
/// <param name="Intro">One paragraph: what was trained and what was varied.</param>
public sealed record StudyPage(string Title, string Kicker, string Intro)
{
    /// <summary>The study's output folder and a remark such as how long it took.</summary>
    public PageLocation? Location { get; init; }

    /// <summary>The result tables, in order, under "Results".</summary>
    public IReadOnlyList<PageTable> Tables { get; init; } = [];

    /// <summary>The figures, in order, under "Figures"; give each a <see cref="PageFigure.Title"/>.</summary>
    public IReadOnlyList<PageFigure> Figures { get; init; } = [];

    /// <summary>What the columns and figures measure, under "Definitions"; one paragraph per entry.</summary>
    public IReadOnlyList<string> Definitions { get; init; } = [];

    public DateTime GeneratedUtc { get; init; } = DateTime.UtcNow;

    /// <summary>The page as a generic <see cref="HtmlPage"/>.</summary>
    public HtmlPage ToPage()
    {
        var sections = new List<PageSection>();
        if (Tables.Count > 0)
        {
            sections.Add(new PageSection("Results", Tables, "results"));
        }
        if (Figures.Count > 0)
        {
            sections.Add(new PageSection("Figures", Figures, "figures"));
        }
        if (Definitions.Count > 0)
        {
            sections.Add(new PageSection("Definitions", Definitions.Select(d => (PageBlock)new PageParagraph(d)).ToList(), "definitions"));
        }
        return new HtmlPage(Title)
        {
            Kicker = Kicker,
            Intro = Intro,
            Location = Location,
            Sections = sections,
            GeneratedUtc = GeneratedUtc,
        };
    }

    /// <summary>The complete HTML document.</summary>
    public string Render() => ToPage().Render();
}
