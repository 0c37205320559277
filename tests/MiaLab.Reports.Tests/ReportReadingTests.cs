using MiaLab.Core.Evaluation;

namespace MiaLab.Reports.Tests;

public sealed class ReportReadingTests
{
    private static AttackReport Handmade(string name, double auc, Interval? aucCi, double tprAt01Pct, int nonMembers = 5000)
    {
        bool estimable(double a) => nonMembers >= 1.0 / a - 1e-9;
        var tprs = new Dictionary<string, TprAtFpr>
        {
            ["0.1"] = new(0.1, Math.Min(1, tprAt01Pct * 4), 0.1, new Interval(0, 1), null, estimable(0.1)),
            ["0.01"] = new(0.01, Math.Min(1, tprAt01Pct * 2), 0.01, new Interval(0, 1), null, estimable(0.01)),
            ["0.001"] = new(0.001, tprAt01Pct, 0.001, new Interval(0, 1), null, estimable(0.001)),
            ["0.0001"] = new(0.0001, tprAt01Pct / 2, 0.0001, new Interval(0, 1), null, estimable(0.0001)),
        };
        var metrics = new AttackMetrics(auc, aucCi, 0.5, 0.0, tprs, [], 5000, nonMembers, 0);
        var roc = new RocCurve([0, 1], [0, 1], [double.PositiveInfinity, 0], 5000, nonMembers);
        return new AttackReport(name, "", metrics, roc, [], []);
    }

    private static ReportInput InputWith(params AttackReport[] attacks) =>
        ReportTestData.Input(attacks, exposed: 0) with
        {
            Target = new TargetSummary(0, 1.0, 0.85, 5000, 5000, "m", "d"),
        };

    [Fact]
    public void StrongAttack_ReportsTprAtLowFprAsMultipleOfChance()
    {
        string text = string.Join(" ", ReportReading.Compose(InputWith(
            Handmade("rmia", 0.70, new Interval(0.69, 0.71), 0.02),
            Handmade("lira-online", 0.91, new Interval(0.90, 0.92), 0.123))));
        Assert.Contains("The strongest attack, lira-online, identifies 12.3% of members at 0.1% false positives (about 123× chance).", text);
        Assert.Contains("Many individual records can be singled out as training data with high confidence", text);
        Assert.Contains("Its AUC is 0.910 (95% CI 0.900–0.920): its scores separate members from non-members very well", text);
        Assert.Contains("An AUC near 0.5 would mean the attack cannot tell members from non-members better than a coin flip; at 0.910, a random member outscores a random non-member 91.0% of the time.", text);
        Assert.DoesNotContain("An AUC this close to 0.5", text);
        Assert.Contains("100.0% accuracy on its training data and 85.0% on held-out data, a large gap", text);
    }

    [Fact]
    public void ChanceLevelAttack_SaysItCannotTellMembersApart()
    {
        string text = string.Join(" ", ReportReading.Compose(InputWith(Handmade("loss", 0.503, new Interval(0.49, 0.516), 0.0011))));
        Assert.Contains("The attack loss identifies 0.110% of members at 0.1% false positives (about 1.1× chance).", text);
        Assert.Contains("At low false-positive rates the attack does no better than guessing", text);
        Assert.Contains("no better than chance", text);
        Assert.Contains("An AUC this close to 0.5 means", text);
        Assert.DoesNotContain("Many individual records", text);
    }

    [Fact]
    public void WeakButSignificantAuc_IsNotCalledChance()
    {
        // 0.56 with an interval excluding 0.5: slight leakage, not chance.
        string text = string.Join(" ", ReportReading.ComposeForAttack(Handmade("loss", 0.56, new Interval(0.55, 0.57), 0.004), isStrongestOfSeveral: false));
        Assert.Contains("only slightly better than chance", text);
        Assert.Contains("This is a small edge over guessing", text);
        Assert.Contains("An AUC near 0.5 would mean", text);
    }

    [Fact]
    public void AucWhoseIntervalContainsHalf_IsCalledChanceLevel()
    {
        string text = string.Join(" ", ReportReading.ComposeForAttack(Handmade("x", 0.54, new Interval(0.49, 0.59), 0.001)));
        Assert.Contains("An AUC this close to 0.5", text);
    }

    [Fact]
    public void FallsBackToAnEstimableLevel_AndSaysWhy()
    {
        // 500 non-members: 0.1% and 0.01% are not estimable; 1% is the lowest that is.
        string text = string.Join(" ", ReportReading.ComposeForAttack(Handmade("lira", 0.8, null, 0.05, nonMembers: 500)));
        Assert.Contains("identifies 10.0% of members at 1% false positives (about 10× chance) (with 500 non-members, 0.1% false positives cannot be estimated).", text);
        Assert.Contains("Some individual records", text);
        Assert.Contains("Its AUC is 0.800: its scores separate members from non-members well.", text);
    }

    [Fact]
    public void NothingEstimable_SaysSo()
    {
        string text = string.Join(" ", ReportReading.ComposeForAttack(Handmade("lira", 0.8, null, 0.05, nonMembers: 5), isStrongestOfSeveral: false));
        Assert.Contains("The attack lira cannot be judged at low false-positive rates: with 5 non-members, no reported level is estimable.", text);
    }

    [Fact]
    public void InvertedScores_SuggestASignError()
    {
        string text = string.Join(" ", ReportReading.ComposeForAttack(Handmade("loss", 0.30, new Interval(0.28, 0.32), 0.0)));
        Assert.Contains("sign error", text);
        Assert.Contains("no better than chance", text);
    }

    [Theory]
    [InlineData(0.95, "very well: almost every member outranks almost every non-member")]
    [InlineData(0.90, "very well: almost every member outranks almost every non-member")]
    [InlineData(0.8999, "well")]
    [InlineData(0.75, "well")]
    [InlineData(0.7499, "moderately")]
    [InlineData(0.60, "moderately")]
    [InlineData(0.55, "only slightly better than chance")]
    [InlineData(0.5299, "no better than chance")]
    [InlineData(0.1, "no better than chance")]
    public void AucBands_FollowTheThresholds(double auc, string expected) =>
        Assert.Equal(expected, ReportReading.Pick(ReportReading.AucBands, auc));

    [Theory]
    [InlineData(123.0, "Many individual records")]
    [InlineData(20.0, "Many individual records")]
    [InlineData(19.9, "Some individual records")]
    [InlineData(5.0, "Some individual records")]
    [InlineData(4.9, "This is a small edge")]
    [InlineData(1.5, "This is a small edge")]
    [InlineData(1.49, "At low false-positive rates the attack does no better than guessing")]
    [InlineData(0.0, "At low false-positive rates the attack does no better than guessing")]
    public void LowFprBands_FollowTheThresholds(double multiple, string expectedStart) =>
        Assert.StartsWith(expectedStart, ReportReading.Pick(ReportReading.LowFprBands, multiple));

    [Fact]
    public void SyntheticScores_StrongAndChanceReadDifferently()
    {
        // Real evaluator on synthetic scores: a strong attack with memorised outliers and a chance-level one.
        string strong = string.Join(" ", ReportReading.ComposeForAttack(ReportTestData.Attack("strong", 2.0, seed: 7, outliers: 0.12)));
        string chance = string.Join(" ", ReportReading.ComposeForAttack(ReportTestData.Attack("chance", 0.0, seed: 13)));
        Assert.Contains("Many individual records can be singled out", strong);
        Assert.Contains("separate members from non-members very well", strong);
        Assert.Contains("An AUC this close to 0.5", chance);
        Assert.Contains("no better than chance", chance);
        Assert.DoesNotContain("Many individual records", chance);
    }
}
