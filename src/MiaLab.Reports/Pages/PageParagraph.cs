namespace MiaLab.Reports.Pages;

/// <summary>A paragraph of text.</summary>
/// <param name="Text">The text (escaped, never markup).</param>
/// <param name="Note">Drawn smaller and muted: an explanation beside the main content.</param>
public sealed record PageParagraph(string Text, bool Note = false) : PageBlock
{
    public override string Kind => "paragraph";
}
