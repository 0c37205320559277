namespace MiaLab.Reports.Pages;

/// <summary>A figure: a PNG drawn at twice its logical size, shown at <paramref name="Width"/> CSS pixels
/// (shrinking to fit a narrower page), with its alternative text and an optional caption.</summary>
public sealed record PageFigure(byte[] Png, string Alt, int Width) : PageBlock
{
    public override string Kind => "figure";

    /// <summary>A heading drawn above the figure.</summary>
    public string? Title { get; init; }

    public string? Caption { get; init; }

    /// <summary>The PNG as a data URI, for the page to stay one file.</summary>
    public string DataUri => PageImages.DataUri(Png);
}
