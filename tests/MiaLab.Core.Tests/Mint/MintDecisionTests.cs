using MiaLab.Core.Mint;
using Xunit;

namespace MiaLab.Core.Tests.Mint;

public class MintDecisionTests
{
    private static readonly double[] P = [0.9, 0.8, 0.7, 0.2, 0.5, 0.6];
    private static readonly bool[] Used = [true, true, true, true, false, false];

    [Fact]
    public void WithoutAThresholdUsedMeansAboveOneHalfAndEachSideCountsEqually()
    {
        // Used: 3 of 4 above 0.5; unused: 0.5 is not above it (right), 0.6 is (wrong) → ½(3/4 + 1/2).
        var a = MintDecision.Accuracy(null, P, Used);
        Assert.Equal(0.625, a.BalancedAccuracy, 12);
        Assert.False(MintDecision.IsUsed(null, 0.5));
    }

    [Fact]
    public void AChosenThresholdCountsProbabilitiesAtItAsUsed()
    {
        // τ = 0.5 (not strict): both unused rows are judged used → ½(3/4 + 0) — unlike the paper's strict ½ above.
        Assert.Equal(0.375, MintDecision.Accuracy(0.5, P, Used).BalancedAccuracy, 12);
        // τ = 0.65: the used side keeps 3 of 4 and both unused rows fall below → ½(3/4 + 1).
        Assert.Equal(0.875, MintDecision.Accuracy(0.65, P, Used).BalancedAccuracy, 12);
        Assert.True(MintDecision.IsUsed(0.65, 0.65));
        Assert.Equal("0.650 (validation)", MintDecision.Describe(0.65));
        Assert.Equal("0.5", MintDecision.Describe(null));
    }
}
