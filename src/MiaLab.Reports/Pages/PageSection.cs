namespace MiaLab.Reports.Pages;

/// <summary>A section of a page: a heading and its blocks, in order.</summary>
/// <param name="Heading">The section heading.</param>
/// <param name="Blocks">Paragraphs, tables, figures, galleries and term lists.</param>
/// <param name="Id">The section's anchor (the HTML id), e.g. "attacks".</param>
public sealed record PageSection(string Heading, IReadOnlyList<PageBlock> Blocks, string? Id = null)
{
    /// <summary>Set the section off in a tinted box: the one thing a reader must not miss.</summary>
    public bool Highlight { get; init; }
}
