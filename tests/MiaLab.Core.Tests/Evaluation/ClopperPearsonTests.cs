using MiaLab.Core.Evaluation;

namespace MiaLab.Core.Tests.Evaluation;

public class ClopperPearsonTests
{
    [Fact]
    public void KnownIntervals()
    {
        // 0/10: low 0, high = 1 − 0.025^(1/10) = 0.30850.
        var zero = ClopperPearson.Compute(0, 10);
        Assert.Equal(0.0, zero.Low);
        Assert.Equal(0.30850, zero.High, 4);
        // 5/10: the Beta(5, 6) 2.5% and Beta(6, 5) 97.5% quantiles, symmetric about ½.
        var half = ClopperPearson.Compute(5, 10);
        Assert.Equal(0.18709, half.Low, 4);
        Assert.Equal(0.81291, half.High, 4);
        // 10/10: low = 0.025^(1/10) = 0.69150, high 1.
        var all = ClopperPearson.Compute(10, 10);
        Assert.Equal(0.69150, all.Low, 4);
        Assert.Equal(1.0, all.High);
    }

    [Fact]
    public void OtherConfidenceAndEdgeCases()
    {
        // 0/n at confidence 1 − 2a has high = 1 − a^(1/n): a = 0.05, n = 20 → 1 − 0.05^(0.05) = 0.13911.
        Assert.Equal(0.13911, ClopperPearson.Compute(0, 20, 0.90).High, 4);
        Assert.Equal(new Interval(0, 1), ClopperPearson.Compute(0, 0));
        Assert.Throws<InputException>(() => ClopperPearson.Compute(3, 2));
        Assert.Throws<InputException>(() => ClopperPearson.Compute(-1, 2));
    }
}
