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
}
