using MiaLab.Core.Evaluation;
using SkiaSharp;

namespace MiaLab.Reports.Tests;

public sealed class PlotAndThumbnailTests
{
    [Fact]
    public void Thumbnail_KeepsOrientationAndScales()
    {
        // 1×2×3 image (H = 2, W = 3): only the top-right pixel is white.
        float[] pixels = [0, 0, 1, 0, 0, 0];
        byte[] png = Thumbnails.Png(pixels, channels: 1, height: 2, width: 3, scale: 4);
        using SKBitmap bitmap = SKBitmap.Decode(png);
        Assert.Equal(12, bitmap.Width);
        Assert.Equal(8, bitmap.Height);
        Assert.Equal(255, bitmap.GetPixel(11, 0).Red);
        Assert.Equal(255, bitmap.GetPixel(8, 3).Green);
        Assert.Equal(0, bitmap.GetPixel(0, 0).Red);
        Assert.Equal(0, bitmap.GetPixel(11, 7).Red);
    }

    [Fact]
    public void Thumbnail_ReadsChannelsAsPlanes()
    {
        // 3×1×2: left pixel pure red, right pixel pure blue.
        float[] pixels = [1, 0, /* G */ 0, 0, /* B */ 0, 1];
        using SKBitmap bitmap = SKBitmap.Decode(Thumbnails.Png(pixels, 3, 1, 2));
        SKColor left = bitmap.GetPixel(0, 0);
        SKColor right = bitmap.GetPixel(1, 0);
        Assert.Equal((255, 0, 0), (left.Red, left.Green, left.Blue));
        Assert.Equal((0, 0, 255), (right.Red, right.Green, right.Blue));
    }

    [Fact]
    public void Thumbnail_RejectsMismatchedShape() =>
        Assert.Throws<ArgumentException>(() => Thumbnails.Png(new float[5], 1, 2, 3));

    [Fact]
    public void ParseShape_AcceptsChwAndHw()
    {
        Assert.Equal((3, 32, 32), Thumbnails.ParseShape([3, 32, 32]));
        Assert.Equal((1, 28, 28), Thumbnails.ParseShape([28, 28]));
        Assert.Null(Thumbnails.ParseShape([784]));
        Assert.Null(Thumbnails.ParseShape(null));
    }

    [Fact]
    public void LogRocPoints_ThinsButKeepsEndpoints_ZeroGoesBelowTheAxis()
    {
        int n = 5000;
        double[] fpr = Enumerable.Range(0, n + 1).Select(i => (double)i / n).ToArray();
        double[] tpr = fpr.Select(Math.Sqrt).ToArray();
        var roc = new RocCurve(fpr, tpr, new double[n + 1], n, n);
        (double[] xs, double[] ys) = ReportPlots.LogRocPoints(roc);
        Assert.True(xs.Length < n / 2, $"{xs.Length} points kept");
        Assert.Equal(-5.0, xs[0]);
        Assert.Equal(-5.0, ys[0]);
        Assert.Equal(0.0, xs[^1], 12);
        Assert.Equal(0.0, ys[^1], 12);
        for (int i = 1; i < xs.Length; i++)
        {
            Assert.True(xs[i] >= xs[i - 1] && ys[i] >= ys[i - 1], "ROC must stay monotone after thinning");
        }
    }

    [Fact]
    public void Ranking_PutsNotEstimableBelowEstimable_ThenAuc()
    {
        static AttackReport A(string name, double auc, double tpr, bool estimable)
        {
            var tprs = new Dictionary<string, TprAtFpr> { ["0.001"] = new(0.001, tpr, 0, new Interval(0, 1), null, estimable) };
            return new AttackReport(name, "", new AttackMetrics(auc, null, 0, 0, tprs, [], 1, 1, 0),
                new RocCurve([0, 1], [0, 1], [double.PositiveInfinity, 0], 1, 1), [], []);
        }
        var ranked = new[] { A("a", 0.9, 0.5, false), A("b", 0.6, 0.1, true), A("c", 0.7, 0.1, true), A("d", 0.95, 0.05, true) }.Ranked();
        Assert.Equal(["c", "b", "d", "a"], ranked.Select(r => r.Name));
    }
}
