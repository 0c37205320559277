using MiaLab.Core.Evaluation;

namespace MiaLab.Core.Tests.Evaluation;

public class ScoreDistributionTests
{
    [Fact]
    public void Quantiles_interpolate_between_order_statistics_and_skip_unscored_samples()
    {
        // Scores 1..5 (and a NaN, unscored): mean 3, sample std √2.5; type-7 quantile at p is
        // x[(n−1)p] interpolated: p = 0.25 → x[1] = 2, p = 0.05 → x[0.2] = 1.2, p = 0.99 → x[3.96] = 4.96.
        var d = ScoreDistribution.Of([5, double.NaN, 1, 4, 2, 3]);
        Assert.Equal(5, d.Count);
        Assert.Equal(3, d.Mean, 12);
        Assert.Equal(Math.Sqrt(2.5), d.StandardDeviation, 12);
        Assert.Equal((1.0, 5.0), (d.Min, d.Max));
        var q = d.Quantiles.ToDictionary(x => x.Level, x => x.Value);
        Assert.Equal(1.2, q[0.05], 12);
        Assert.Equal(2, q[0.25], 12);
        Assert.Equal(3, q[0.5], 12);
        Assert.Equal(4.96, q[0.99], 12);
    }
}
