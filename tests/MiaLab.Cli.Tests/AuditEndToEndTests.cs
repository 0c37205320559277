using MiaLab.Core.Randomness;
using System.Text.Json;
using MiaLab.Core.Attacks;
using MiaLab.Core.IO;
using MiaLab.Core.Pipeline;

namespace MiaLab.Cli.Tests;

/// <summary>The whole pipeline from one command, and the commands' front doors (--help, --json).</summary>
public sealed class AuditEndToEndTests : CliTest
{
    private static readonly string[] Alphas = ["0.1", "0.01", "0.001", "0.0001"];

    [Fact]
    public void Audit_of_a_tiny_synthetic_config_writes_every_artifact_and_a_self_contained_report()
    {
        string work = NewWorkDir();
        TestFiles.Write(work, "tiny.yaml", TestFiles.TinyYaml(models: 8, epochs: 10, samples: 600, holdout: 100, modelsPerPass: 8));

        var r = Cli.AssertSuccess(Cli.Run(work, "audit", "--config", "tiny.yaml", "--run", "R"));

        string run = Path.Combine(work, "R");
        foreach (var f in new[] { "manifest.json", "labels.npy", "keep.npy", "holdout.npy", "metrics.json" })
            Assert.True(File.Exists(Path.Combine(run, f)), $"{f} missing from the run directory");
        for (int m = 0; m < 8; m++)
        {
            string name = TestFiles.ModelName(m);
            Assert.True(File.Exists(Path.Combine(run, "models", name + ".npz")), $"models/{name}.npz missing");
            Assert.True(File.Exists(Path.Combine(run, "models", name + ".json")), $"models/{name}.json missing");
            Assert.True(File.Exists(Path.Combine(run, "logits", name + ".npy")), $"logits/{name}.npy missing");
        }
        Assert.All(TestFiles.ManifestStatuses(run), s => Assert.Equal("queried", s));

        // Array shapes: 500 population + 100 holdout samples, 8 models, 3 classes, identity queries only.
        Assert.Equal(new[] { 600 }, Npy.ReadHeader(Path.Combine(run, "labels.npy")).Shape);
        Assert.Equal(new[] { 8, 600 }, Npy.ReadHeader(Path.Combine(run, "keep.npy")).Shape);
        Assert.Equal(100, Npy.Read(Path.Combine(run, "holdout.npy")).Get<bool>().Count(h => h));
        Assert.Equal(new[] { 600, 1, 3 }, Npy.ReadHeader(Path.Combine(run, "logits", "model-0000.npy")).Shape);

        // Every default attack on logits ran against target 0 (augmentation robustness needs more than one
        // query; the reconstruction attacks are for image-to-image runs).
        var expected = AttackRegistry.All.Where(a => a.RunsByDefault && a.Needs.Input == AttackInput.Logits)
            .Select(a => a.Name).Where(a => a != LabelOnly.AugmentationName).ToArray();
        foreach (var attack in expected)
        {
            string scores = Path.Combine(run, "attacks", attack, "target-0000.npy");
            Assert.True(File.Exists(scores), $"attacks/{attack}/target-0000.npy missing");
            var (dtype, shape) = Npy.ReadHeader(scores);
            Assert.Equal(DType.Float64, dtype);
            Assert.Equal(new[] { 600 }, shape);
        }

        using (var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json"))))
        {
            var target = metrics.RootElement.GetProperty("targets")[0];
            Assert.Equal(0, target.GetProperty("target").GetInt32());
            double trainAccuracy = target.GetProperty("train_accuracy").GetDouble();
            double testAccuracy = target.GetProperty("test_accuracy").GetDouble();
            Assert.InRange(trainAccuracy, 0.0, 1.0);
            Assert.InRange(testAccuracy, 0.0, 1.0);
            var attacks = target.GetProperty("attacks");
            Assert.Equal(expected.Order(StringComparer.Ordinal), attacks.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
            foreach (var attack in attacks.EnumerateObject())
            {
                Assert.InRange(attack.Value.GetProperty("auc").GetDouble(), 0.0, 1.0);
                var tpr = attack.Value.GetProperty("tpr_at_fpr");
                Assert.Equal(Alphas, tpr.EnumerateObject().Select(p => p.Name));
                foreach (var level in tpr.EnumerateObject())
                {
                    foreach (var key in new[] { "tpr", "achieved_fpr", "ci", "estimable" })
                        Assert.True(level.Value.TryGetProperty(key, out _), $"{attack.Name}.tpr_at_fpr.{level.Name} has no '{key}'");
                    Assert.Equal(JsonValueKind.Array, level.Value.GetProperty("ci").ValueKind);
                    Assert.Equal(2, level.Value.GetProperty("ci").GetArrayLength());
                    Assert.True(level.Value.GetProperty("estimable").ValueKind is JsonValueKind.True or JsonValueKind.False);
                }
            }
        }

        string report = Path.Combine(run, "report", "index.html");
        Assert.True(File.Exists(report), "report/index.html missing");
        string html = File.ReadAllText(report);
        Assert.Contains("<table", html);
        Assert.Contains("data:image/png;base64,", html);
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
        Assert.True(new FileInfo(Path.Combine(run, "report", "roc.png")).Length > 0, "report/roc.png missing or empty");
        Assert.Contains("<svg", File.ReadAllText(Path.Combine(run, "report", "roc.svg")));

        // The summary: a table naming every attack, then where the report is.
        var lines = r.Stdout.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("Report:", lines[^1]);
        Assert.EndsWith(Path.Combine("R", "report", "index.html"), lines[^1].TrimEnd());
        foreach (var attack in expected)
            Assert.Contains(lines, l => l.Contains('│') && l.Split('│').Any(cell => cell.Trim() == attack));
        Assert.Equal("", r.Stderr.Trim());
    }

    [Fact]
    public void Help_exits_zero_and_names_every_command()
    {
        var r = Cli.AssertSuccess(Cli.Run(NewWorkDir(), "--help"));
        foreach (var command in new[] { "audit", "train", "query", "attack", "evaluate", "signal", "bench" })
            Assert.Matches($@"(?m)^\s+{command}\s", r.Stdout);
    }

    [Fact]
    public void Evaluate_json_prints_the_metrics_keys()
    {
        string work = NewWorkDir();
        // 200 samples: members (even indices) score higher on average.
        var rng = new StableRandom(3);
        var scores = new double[200];
        var member = new bool[200];
        for (int i = 0; i < scores.Length; i++)
        {
            member[i] = i % 2 == 0;
            scores[i] = rng.NextDouble() + (member[i] ? 0.3 : 0.0);
        }
        Npy.Write(Path.Combine(work, "scores.npy"), new NpyArray(scores, scores.Length));
        Npy.Write(Path.Combine(work, "member.npy"), new NpyArray(member, member.Length));

        var r = Cli.AssertSuccess(Cli.Run(work, "evaluate", "--scores", "scores.npy", "--membership", "member.npy", "--json", "--bootstrap", "200"));

        using var json = JsonDocument.Parse(r.Stdout);
        var root = json.RootElement;
        foreach (var key in new[] { "auc", "auc_ci", "balanced_accuracy", "advantage", "tpr_at_fpr" })
            Assert.True(root.TryGetProperty(key, out _), $"evaluate --json has no '{key}':\n{r.Stdout}");
        Assert.InRange(root.GetProperty("auc").GetDouble(), 0.6, 1.0);
        Assert.Equal(Alphas, root.GetProperty("tpr_at_fpr").EnumerateObject().Select(p => p.Name));
        Assert.Equal(100, root.GetProperty("members").GetInt32());
        Assert.Equal(100, root.GetProperty("non_members").GetInt32());
    }
}
