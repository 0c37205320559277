using MiaLab.Core.Evaluation;

namespace MiaLab.Core.Tests.Evaluation;

public class AttackRankingTests
{
    /// <summary>Metrics with the given TPRs at 0.1%, 1% and 10% FPR (null = not estimable) and AUC.</summary>
    private static (string Name, AttackMetrics Metrics) A(string name, double? at01, double? at1, double? at10, double auc)
    {
        TprAtFpr T(double alpha, double? tpr) => new(alpha, tpr ?? 0, 0, new Interval(0, 1), null, tpr is not null);
        var tprs = new Dictionary<string, TprAtFpr>
        {
            ["0.001"] = T(0.001, at01),
            ["0.01"] = T(0.01, at1),
            ["0.1"] = T(0.1, at10),
        };
        return (name, new AttackMetrics(auc, null, 0.5, 0, tprs, [], 100, 100, 0));
    }

    private static string[] Order(params (string Name, AttackMetrics Metrics)[] attacks) =>
        AttackRanking.Rank(attacks, a => a.Metrics, a => a.Name).Select(a => a.Name).ToArray();

    [Fact]
    public void TprAtTheLowestFprDecidesAndNotEstimableRanksLast()
    {
        // b finds more at 0.1% than a, although a's AUC is higher; c is not estimable at 0.1%.
        Assert.Equal(["b", "a", "c"], Order(A("a", 0.01, 0.1, 0.3, 0.9), A("b", 0.02, 0.05, 0.2, 0.6), A("c", null, 0.5, 0.9, 0.99)));
    }

    [Fact]
    public void WhenNoAttackIsEstimableAtTheLowestLevelTheNextLevelDecides()
    {
        // With fewer than 1,000 non-members nobody is estimable at 0.1%: 1% FPR decides, then 10%, then AUC.
        Assert.Equal(["y", "x", "z"], Order(A("x", null, 0.00, 0.30, 0.70), A("y", null, 0.04, 0.20, 0.55), A("z", null, 0.00, 0.10, 0.90)));
        Assert.Equal(["q", "p"], Order(A("p", null, null, null, 0.60), A("q", null, null, null, 0.61)));
        // Full ties: by name.
        Assert.Equal(["m", "n"], Order(A("n", 0.1, 0.1, 0.1, 0.6), A("m", 0.1, 0.1, 0.1, 0.6)));
    }
}
