namespace MiaLab.Reports.Tests;

public sealed class ReportFormatTests
{
    [Theory]
    [InlineData(0.123, "12.3%")]
    [InlineData(1.0, "100.0%")]
    [InlineData(0.0456, "4.56%")]
    [InlineData(0.00123, "0.123%")]
    [InlineData(0.000123, "0.0123%")]
    [InlineData(0.0, "0%")]
    [InlineData(double.NaN, "—")]
    public void Percent_PrecisionFollowsMagnitude(double fraction, string expected) =>
        Assert.Equal(expected, ReportFormat.Percent(fraction));

    [Theory]
    [InlineData(0.1, "10%")]
    [InlineData(0.01, "1%")]
    [InlineData(0.001, "0.1%")]
    [InlineData(0.0001, "0.01%")]
    public void Level_WritesFprLevels(double alpha, string expected) => Assert.Equal(expected, ReportFormat.Level(alpha));

    [Fact]
    public void Ratio_Multiple_Score_Count()
    {
        Assert.Equal("0.873", ReportFormat.Ratio(0.87349));
        Assert.Equal("—", ReportFormat.Ratio(double.NaN));
        Assert.Equal("123×", ReportFormat.Multiple(123.4));
        Assert.Equal("1,230×", ReportFormat.Multiple(1230));
        Assert.Equal("4.5×", ReportFormat.Multiple(4.5));
        Assert.Equal("8.75", ReportFormat.Score(8.75));
        Assert.Equal("−∞", ReportFormat.Score(double.NegativeInfinity));
        Assert.Equal("12,345", ReportFormat.Count(12345));
    }
}
