namespace MiaLab.Cli.Tests;

/// <summary>The factor study's reduced version, as CI runs it (on Fashion-MNIST, which CI installs).</summary>
public class ExperimentTests : CliTest
{
    [Fact]
    public void QuickFactorStudyWritesItsTablesAndAReportAndARerunRetrainsNothing()
    {
        string work = NewWorkDir();
        Cli.AssertSuccess(Cli.Run(work, TimeSpan.FromMinutes(10), "experiment", "factors", "--quick", "--run", "F"));
        string outDir = Path.Combine(work, "F");
        foreach (var file in new[] { "factors.md", "factors.csv", "factors.json", "report.html" })
            Assert.True(File.Exists(Path.Combine(outDir, file)), $"{file} missing");
        string md = File.ReadAllText(Path.Combine(outDir, "factors.md"));
        foreach (var factor in new[] { "Times a sample is seen", "Batch size", "Dropout", "Training loss" })
            Assert.Contains(factor, md);
        Assert.Contains("data:image/png;base64,", File.ReadAllText(Path.Combine(outDir, "report.html")));

        var records = Directory.GetFiles(outDir, "model-*.json", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(Path.GetDirectoryName(f)) == "models").ToList();
        Assert.NotEmpty(records);
        var stamps = records.ToDictionary(f => f, File.GetLastWriteTimeUtc);
        Cli.AssertSuccess(Cli.Run(work, TimeSpan.FromMinutes(10), "experiment", "factors", "--quick", "--run", "F"));
        foreach (var (file, stamp) in stamps)
            Assert.Equal(stamp, File.GetLastWriteTimeUtc(file)); // reused, not retrained
    }
}
