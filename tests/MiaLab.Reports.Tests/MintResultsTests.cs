using MiaLab.Core.Randomness;
using MiaLab.Core.Mint;
using System.Text.Json.Nodes;
using MiaLab.Core;
using MiaLab.Core.Evaluation;

namespace MiaLab.Reports.Tests;

public class MintResultsTests
{
    /// <summary>A metrics file as <c>mialab mint train</c> writes it, with metrics from the real evaluator.</summary>
    private static string WriteMetrics(string directory, string name, string detector, double balancedAccuracy, string[] points)
    {
        var rng = new StableRandom(3);
        var scores = Enumerable.Range(0, 400).Select(i => rng.NextDouble() + (i < 150 ? 0.3 : 0.0)).ToArray();
        var used = Enumerable.Range(0, 400).Select(i => i < 150).ToArray();
        var metrics = Evaluator.Evaluate(scores, used, null, new EvaluationOptions(BootstrapResamples: 50, Seed: 1));
        var o = new JsonObject
        {
            ["kind"] = "mint",
            ["schema_version"] = 1,
            ["detector"] = detector,
            ["model"] = 0,
            ["points"] = new JsonArray(points.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray()),
            ["reduction"] = "max",
            ["unused_source"] = "holdout",
            ["balanced_accuracy_at_0_5"] = balancedAccuracy,
            ["metrics"] = MetricsJson.ToJson(metrics),
        };
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, name);
        File.WriteAllText(path, o.ToJsonString());
        return path;
    }

    [Fact]
    public void ReadsTheMetricsFileOfEachDetectorOfTheTarget()
    {
        string dir = Directory.CreateTempSubdirectory("mialab-mint-report").FullName;
        WriteMetrics(dir, "model-0000-vanilla.metrics.json", "vanilla", 0.734, ["conv1", "conv2", "logits"]);
        WriteMetrics(dir, "model-0000-cnn.metrics.json", "cnn", 0.701, ["conv2"]);
        WriteMetrics(dir, "model-0001-vanilla.metrics.json", "vanilla", 0.5, ["logits"]);
        var read = MintResults.ReadAll(dir, 0);
        Assert.Equal(["cnn", "vanilla"], read.Select(r => r.Detector));
        var v = read[1];
        Assert.Equal(["conv1", "conv2", "logits"], v.Points);
        Assert.Equal(0.734, v.BalancedAccuracy);
        Assert.Equal("holdout", v.UnusedSource);
        Assert.Equal(150, v.Metrics.Members);
        Assert.NotNull(v.Metrics.AucCi);
        Assert.Empty(MintResults.ReadAll(Path.Combine(dir, "missing"), 0));
    }

    [Fact]
    public void AFileThatIsNotMintMetricsIsAnInputError()
    {
        string dir = Directory.CreateTempSubdirectory("mialab-mint-report").FullName;
        string path = Path.Combine(dir, "model-0000-vanilla.metrics.json");
        File.WriteAllText(path, "{\"kind\": \"attack\"}");
        var e = Assert.Throws<InputException>(() => MintSummary.Read(path));
        Assert.StartsWith(path, e.Message);
        File.WriteAllText(path, "{ not json");
        Assert.Throws<InputException>(() => MintSummary.Read(path));
    }

    [Fact]
    public void TheReportShowsAMintSectionOnlyWhenThereAreResults()
    {
        string dir = Directory.CreateTempSubdirectory("mialab-mint-report").FullName;
        WriteMetrics(dir, "model-0000-vanilla.metrics.json", "vanilla", 0.734, ["hidden1", "<logits>"]);
        var mint = MintResults.ReadAll(dir, 0);
        var attacks = new[] { ReportTestData.Attack("lira-online", 1.5, seed: 7, members: 300, nonMembers: 300, bootstrap: 20) };
        string with = File.ReadAllText(AuditReport.Write(ReportTestData.Input(attacks) with { Mint = mint }, Path.Combine(dir, "with")));
        Assert.Contains("<h2>Membership Inference Test (MINT)</h2>", with);
        Assert.Contains("data-key=\"vanilla\"", with);
        Assert.Contains("hidden1, &lt;logits&gt;", with); // escaped
        Assert.Contains(">0.734<", with);
        Assert.Contains(ReportFormat.Ratio(mint[0].Metrics.Auc), with);
        Assert.Contains("150 / 250", with);
        string without = File.ReadAllText(AuditReport.Write(ReportTestData.Input(attacks), Path.Combine(dir, "without")));
        Assert.DoesNotContain("id=\"mint\"", without);
    }
}
