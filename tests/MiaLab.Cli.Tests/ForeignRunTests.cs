using System.Text.Json;
using MiaLab.Core.IO;

namespace MiaLab.Cli.Tests;

/// <summary>A run directory written by another tool (labels.npy, keep.npy, logits/, no manifest)
/// is enough for the attack stage.</summary>
public sealed class ForeignRunTests : CliTest
{
    [Theory]
    [InlineData(true)]  // logits [N, 1, C]
    [InlineData(false)] // logits [N, C]
    public void Attack_runs_on_arrays_another_tool_wrote(bool threeDimensional)
    {
        string work = NewWorkDir();
        string run = Path.Combine(work, "R");
        var (labels, keep) = TestFiles.WriteForeignRun(run, models: 8, samples: 400, classes: 3, seed: 11, threeDimensional: threeDimensional);
        string[] attacks = ["loss", "lira-offline", "rmia-offline"];

        var r = Cli.AssertSuccess(Cli.Run(work, "attack", "--run", "R", "--attacks", string.Join(",", attacks), "--bootstrap", "100"));

        Assert.False(File.Exists(Path.Combine(run, "manifest.json")), "attack wrote a manifest into a foreign run directory");
        foreach (var attack in attacks)
        {
            var scores = Npy.Read(Path.Combine(run, "attacks", attack, "target-0000.npy"));
            Assert.Equal(DType.Float64, scores.DType);
            Assert.Equal(new[] { labels.Length }, scores.Shape);
        }

        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json")));
        var target = metrics.RootElement.GetProperty("targets")[0];
        Assert.Equal(keep.Take(labels.Length).Count(k => k), target.GetProperty("members").GetInt32());
        var byAttack = target.GetProperty("attacks");
        Assert.Equal(attacks.Order(StringComparer.Ordinal), byAttack.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        double lossAuc = byAttack.GetProperty("loss").GetProperty("auc").GetDouble();
        Assert.True(lossAuc > 0.6, $"loss attack AUC {lossAuc} on logits where members have a higher true-class logit");
        foreach (var attack in attacks)
            Assert.InRange(byAttack.GetProperty(attack).GetProperty("auc").GetDouble(), 0.0, 1.0);

        string html = File.ReadAllText(Path.Combine(run, "report", "index.html"));
        Assert.Contains("<table", html);
        Assert.Contains("data:image/png;base64,", html);
        Assert.Contains("Report:", r.Stdout);
    }

    [Fact]
    public void All_targets_with_one_reference_list_attacks_every_target_with_the_settings_given()
    {
        string work = NewWorkDir();
        TestFiles.WriteForeignRun(Path.Combine(work, "R"), models: 6, samples: 120, classes: 3, seed: 5);
        Cli.AssertSuccess(Cli.Run(work, "attack", "--run", "R", "--all-targets", "--refs", "2,3", "--attacks", "rmia-online,loss",
            "--rmia-gamma", "1", "--bootstrap", "50", "--confidence", "0.9"));

        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(work, "R", "metrics.json")));
        var root = metrics.RootElement;
        Assert.Equal(0.9, root.GetProperty("evaluation").GetProperty("confidence_level").GetDouble());
        var pooled = root.GetProperty("pooled").GetProperty("rmia-online");
        Assert.Equal([0, 1, 2, 3, 4, 5], pooled.GetProperty("targets").EnumerateArray().Select(t => t.GetInt32()));
        foreach (var target in root.GetProperty("targets").EnumerateArray())
        {
            var rmia = target.GetProperty("attacks").GetProperty("rmia-online");
            Assert.Equal("1", rmia.GetProperty("parameters").GetProperty("gamma").GetString());
            Assert.Equal("explicit", rmia.GetProperty("parameters").GetProperty("reference_policy").GetString());
            int t = target.GetProperty("target").GetInt32();
            Assert.Equal(new[] { 2, 3 }.Where(m => m != t), rmia.GetProperty("references").EnumerateArray().Select(r => r.GetInt32()));
        }
    }

    [Fact]
    public void Attack_help_lists_every_parameter_with_its_values_and_default()
    {
        var r = Cli.AssertSuccess(Cli.Run(NewWorkDir(), "attack", "--help"));
        foreach (var option in new[] { "--rmia-gamma", "--rmia-offline-a", "--rmia-temperature", "--rmia-trimmed-mean", "--lira-variance",
            "--lira-offline-test", "--lira-signal", "--shadow-classifier", "--metric-eval-split", "--bootstrap", "--confidence",
            "--ref-policy", "--out-refs", "--refs" })
            Assert.Contains(option, r.Stdout);
        Assert.Contains("per-sample | global | auto", r.Stdout);
        Assert.Contains("attacks.parameters.rmia.gamma", r.Stdout);
    }
}
