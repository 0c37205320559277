using ScottPlot;
using SkiaSharp;

namespace MiaLab.Reports;

/// <summary>The look every MiaLab figure shares (the audit report's and the studies'): the
/// page's sans-serif font, white backgrounds, a light grid, and PNGs drawn at 2× so they stay
/// sharp on screens and in print.</summary>
public static class FigureStyle
{
    /// <summary>Pixel density of the PNGs.</summary>
    public const double Density = 2.0;

    public static Plot NewPlot()
    {
        var plot = new Plot();
        plot.Font.Set(SansFamily.Value);
        plot.ScaleFactor = Density;
        plot.FigureBackground.Color = Colors.White;
        plot.DataBackground.Color = Colors.White;
        plot.Grid.MajorLineColor = Color.FromHex("#e4e4e4");
        return plot;
    }

    /// <summary>PNG bytes of a <paramref name="width"/> × <paramref name="height"/> figure, drawn at <see cref="Density"/>.</summary>
    public static byte[] Png(Plot plot, int width, int height)
    {
        plot.ScaleFactor = Density;
        return plot.GetImageBytes((int)(width * Density), (int)(height * Density), ImageFormat.Png);
    }

    public static string Svg(Plot plot, int width, int height)
    {
        plot.ScaleFactor = 1.0;
        return plot.GetSvgXml(width, height);
    }

    /// <summary>Ticks for an axis that shows log10 of its values: a labelled major tick at each power of
    /// ten from 10^<paramref name="minExponent"/> to 10^<paramref name="maxExponent"/> (written out: 0.001, 1,
    /// 100) and minor ticks at 2…9 times each power below the top.</summary>
    public static ScottPlot.TickGenerators.NumericManual LogTicks(int minExponent, int maxExponent)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (int e = minExponent; e <= maxExponent; e++)
        {
            ticks.AddMajor(e, Math.Pow(10, e).ToString("0.##########", System.Globalization.CultureInfo.InvariantCulture));
            if (e < maxExponent)
            {
                for (int k = 2; k <= 9; k++)
                {
                    ticks.AddMinor(e + Math.Log10(k));
                }
            }
        }
        return ticks;
    }

    /// <summary>A sans-serif family present on this machine, so plots match the page on any host.</summary>
    private static readonly Lazy<string> SansFamily = new(() =>
        new[] { "DejaVu Sans", "Liberation Sans", "Arial", "Helvetica", "Noto Sans" }.FirstOrDefault(FontExists) ?? Fonts.Sans);

    private static bool FontExists(string family)
    {
        using SKTypeface? typeface = SKFontManager.Default.MatchFamily(family);
        return typeface is not null;
    }
}
