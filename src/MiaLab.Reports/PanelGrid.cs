using ScottPlot;
using SkiaSharp;

namespace MiaLab.Reports;

/// <summary>Small multiples: panels drawn one by one and placed on a grid, row by row, in one PNG
/// (ScottPlot's Multiplot does not honour ScaleFactor, so the panels would lose their 2× density).</summary>
internal static class PanelGrid
{
    /// <summary>The columns a grid of <paramref name="panels"/> uses.</summary>
    public static int Columns(int panels, int maxColumns) => Math.Clamp(panels, 1, maxColumns);

    /// <summary>The PNG of <paramref name="count"/> panels of <paramref name="panelWidth"/> ×
    /// <paramref name="panelHeight"/> logical pixels, at most <paramref name="maxColumns"/> per row.
    /// Each plot from <paramref name="panel"/> is disposed once drawn; unused cells stay white.</summary>
    public static byte[] Png(int count, Func<int, Plot> panel, int maxColumns, int panelWidth, int panelHeight)
    {
        ArgumentNullException.ThrowIfNull(panel);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        int cols = Columns(count, maxColumns);
        int rows = (count + cols - 1) / cols;
        int w = (int)(panelWidth * FigureStyle.Density);
        int h = (int)(panelHeight * FigureStyle.Density);
        var info = new SKImageInfo(cols * w, rows * h, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info) ?? throw new InvalidOperationException("Could not create a drawing surface.");
        SKCanvas canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        for (int i = 0; i < count; i++)
        {
            byte[] png;
            using (Plot plot = panel(i))
            {
                png = FigureStyle.Png(plot, panelWidth, panelHeight);
            }
            using SKBitmap bitmap = SKBitmap.Decode(png) ?? throw new InvalidOperationException("Could not decode a panel.");
            canvas.DrawBitmap(bitmap, (i % cols) * w, (i / cols) * h);
        }
        canvas.Flush();
        using SKImage snapshot = surface.Snapshot();
        using SKData data = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
