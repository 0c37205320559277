namespace MiaLab.Reports.Pages;

/// <summary>Images inlined into a page.</summary>
internal static class PageImages
{
    /// <summary>A PNG as a data URI. Base64 has no markup character, so the templates output it as is.</summary>
    public static string DataUri(byte[] png) => "data:image/png;base64," + Convert.ToBase64String(png);
}
