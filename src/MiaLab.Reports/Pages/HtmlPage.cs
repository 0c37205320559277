namespace MiaLab.Reports.Pages;

/// <summary>One self-contained HTML page of MiaLab: the audit report and every study page are built as
/// one of these and rendered by the same templates with the same stylesheet. Every string is text, never
/// markup: the renderer HTML-escapes all of it. Images travel inline as data URIs; the page has no
/// script and loads nothing from outside.</summary>
/// <param name="Title">The page title and main heading.</param>
public sealed record HtmlPage(string Title)
{
    /// <summary>The small line above the title naming the kind of page, e.g. "Membership inference audit".</summary>
    public string? Kicker { get; init; }

    /// <summary>A paragraph under the title.</summary>
    public string? Intro { get; init; }

    /// <summary>Key facts shown as a grid under the title.</summary>
    public IReadOnlyList<PageFact> Facts { get; init; } = [];

    /// <summary>Where the numbers come from (a run directory, an output folder).</summary>
    public PageLocation? Location { get; init; }

    public IReadOnlyList<PageSection> Sections { get; init; } = [];

    /// <summary>When the page was generated; shown in the footer.</summary>
    public DateTime GeneratedUtc { get; init; } = DateTime.UtcNow;

    /// <summary>The complete HTML document.</summary>
    public string Render() => PageRenderer.Render(this);
}

/// <summary>A named fact in the page header, e.g. ("Test accuracy", "86.1%").</summary>
public sealed record PageFact(string Name, string Value);

/// <summary>A path the page's numbers come from, with its label and an optional remark after it.</summary>
public sealed record PageLocation(string Label, string Path, string? Note = null);
