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

    [Fact]
    public void TheReportShowsTheBaselineAndTheLossAttackBesideMint()
    {
        // A summary as mint train writes it now: MINT's interval and both baselines, read back from the file.
        string dir = Directory.CreateTempSubdirectory("mialab-mint-report").FullName;
        var old = MintSummary.Read(WriteMetrics(dir, "old.json", "vanilla", 0.51, ["hidden1"]));
        Assert.Empty(old.Baselines); // files written before the baselines still read
        var rng = new StableRandom(4);
        var used = Enumerable.Range(0, 300).Select(i => i < 100).ToArray();
        var scores = used.Select(u => rng.NextDouble() + (u ? 0.2 : 0)).ToArray();
        var b = MintBaselines.Measure(MintBaselines.MaxConfidence, scores, [.. Enumerable.Range(0, 50), .. Enumerable.Range(100, 100)],
            [.. Enumerable.Repeat(true, 50), .. Enumerable.Repeat(false, 100)], [.. Enumerable.Range(50, 50), .. Enumerable.Range(200, 100)],
            [.. Enumerable.Repeat(true, 50), .. Enumerable.Repeat(false, 100)], new EvaluationOptions(BootstrapResamples: 20));
        var loss = b with { Name = MintBaselines.Loss, Threshold = b.Threshold + 1 };
        var summary = old with { BalancedAccuracyCi95 = new Interval(0.48, 0.54), Baselines = [b, loss] };
        string path = Path.Combine(dir, "model-0000-vanilla.metrics.json");
        summary.Write(path);
        var read = MintSummary.Read(path);
        Assert.Equal(new Interval(0.48, 0.54), read.BalancedAccuracyCi95);
        Assert.Equal([MintBaselines.MaxConfidence, MintBaselines.Loss], read.Baselines.Select(x => x.Name));
        Assert.Equal(b.Eval.BalancedAccuracy, read.Baselines[0].Eval.BalancedAccuracy, 12);
        Assert.Equal(b.Eval.Ci95, read.Baselines[0].Eval.Ci95);
        Assert.Equal(b.Threshold, read.Baselines[0].Threshold, 12);

        var attacks = new[] { ReportTestData.Attack("loss", 1.0, seed: 7, members: 300, nonMembers: 300, bootstrap: 20) };
        string html = File.ReadAllText(AuditReport.Write(ReportTestData.Input(attacks) with { Mint = [read] }, Path.Combine(dir, "report")));
        Assert.Contains("data-key=\"baseline-max-confidence\"", html);
        Assert.Contains("data-key=\"baseline-loss\"", html);
        Assert.Contains("[0.480, 0.540]", html); // MINT's interval
        Assert.Contains($"[{ReportFormat.Ratio(b.Eval.Ci95.Low)}, {ReportFormat.Ratio(b.Eval.Ci95.High)}]", html);
        Assert.Contains("threshold from MINT-train", html);
    }
}
