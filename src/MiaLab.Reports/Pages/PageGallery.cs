namespace MiaLab.Reports.Pages;

/// <summary>A grid of small images with captions, e.g. the records an attack exposes.</summary>
public sealed record PageGallery(IReadOnlyList<GalleryItem> Items) : PageBlock
{
    public override string Kind => "gallery";

    /// <summary>Shown in place of an item's image when it has none.</summary>
    public string MissingImageText { get; init; } = "no image";
}

/// <summary>One gallery image: a PNG shown at <paramref name="Width"/> × <paramref name="Height"/> CSS
/// pixels (null = no image), a bold title and caption lines under it.</summary>
public sealed record GalleryItem(byte[]? Png, int Width, int Height, string Alt, string Title)
{
    public IReadOnlyList<string> Lines { get; init; } = [];

    /// <summary>A last, muted caption line.</summary>
    public string? Detail { get; init; }

    public string? DataUri => Png is null ? null : PageImages.DataUri(Png);
}
