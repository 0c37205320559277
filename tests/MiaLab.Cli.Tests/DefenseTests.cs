using System.Text.Json.Nodes;

namespace MiaLab.Cli.Tests;

/// <summary>The defenses end to end: bad defense configs and DP arguments are one line and exit 2 before
/// anything is written; a DP-SGD audit records its accounting in the manifest and metrics.json; the
/// defense study's quick version runs and a rerun retrains nothing.</summary>
public sealed class DefenseTests : CliTest
{
    private static string WithDefense(string defense, string model = "  kind: mlp\n  hidden: [16]\n") =>
        TestFiles.TinyYaml(models: 3, epochs: 2).Replace("model:\n  kind: mlp\n  hidden: [16]\n", "model:\n" + model, StringComparison.Ordinal)
        + "defense:\n" + defense;

    public static TheoryData<string, string, string> BadDefenses() => new()
    {
        { "unknown kind", WithDefense("  kind: dropout\n"), "defense.kind" },
        { "σ < 0", WithDefense("  kind: dp-sgd\n  noise_multiplier: -1\n  sample_rate: 0.1\n"), "σ must be a finite number ≥ 0" },
        { "C ≤ 0", WithDefense("  kind: dp-sgd\n  noise_multiplier: 1\n  sample_rate: 0.1\n  max_grad_norm: 0\n"), "max_grad_norm" },
        { "q > 1", WithDefense("  kind: dp-sgd\n  noise_multiplier: 1\n  sample_rate: 1.5\n"), "sample rate q must be in (0, 1]" },
        { "q = 0", WithDefense("  kind: dp-sgd\n  noise_multiplier: 1\n  sample_rate: 0\n"), "sample rate q must be in (0, 1]" },
        { "δ = 1", WithDefense("  kind: dp-sgd\n  noise_multiplier: 1\n  sample_rate: 0.1\n  delta: 1\n"), "δ must be in (0, 1)" },
        { "δ = 0", WithDefense("  kind: dp-sgd\n  noise_multiplier: 1\n  sample_rate: 0.1\n  delta: 0\n"), "δ must be in (0, 1)" },
        { "unreachable ε", WithDefense("  kind: dp-sgd\n  target_epsilon: 0.05\n  sample_rate: 0.1\n"), "no noise multiplier" },
        { "BatchNorm", WithDefense("  kind: dp-sgd\n  noise_multiplier: 1\n  sample_rate: 0.1\n", "  kind: resnet\n  channels: [4]\n"), "BatchNorm" },
        { "WS σ < 0", WithDefense("  kind: weighted-smoothing\n  smoothing_sigma: -0.1\n"), "smoothing_sigma" },
    };

    [Theory]
    [MemberData(nameof(BadDefenses))]
    public void A_bad_defense_is_one_line_and_exit_2_before_anything_is_written(string what, string yaml, string named)
    {
        string work = NewWorkDir();
        TestFiles.Write(work, "bad.yaml", yaml);
        string line = Cli.AssertUserError(Cli.Run(work, "audit", "--config", "bad.yaml", "--run", "R"));
        Assert.True(line.Contains(named, StringComparison.Ordinal), $"{what}: the message does not name '{named}': {line}");
        Assert.False(Directory.Exists(Path.Combine(work, "R")), $"{what}: a run directory was created");
    }

    [Fact]
    public void Weighted_smoothing_on_one_class_is_a_user_error()
    {
        string work = NewWorkDir();
        var labels = new long[40];
        var features = new float[40 * 3];
        for (int i = 0; i < features.Length; i++) features[i] = i % 7;
        MiaLab.Core.IO.Npz.Write(Path.Combine(work, "one.npz"), new Dictionary<string, MiaLab.Core.IO.NpyArray>
        {
            ["x"] = new(features, 40, 3),
            ["y"] = new(labels, 40),
        });
        string yaml = TestFiles.TinyYaml(models: 2, epochs: 2, datasetSection: "  source: npz\n  path: one.npz")
            + "defense:\n  kind: weighted-smoothing\n  smoothing_sigma: 0.1\n";
        TestFiles.Write(work, "ws.yaml", yaml);
        string line = Cli.AssertUserError(Cli.Run(work, "train", "--config", "ws.yaml", "--run", "R"));
        Assert.Contains("needs a classifier of at least 2 classes", line); // refused at the plan, before any training
    }

    [Theory]
    [InlineData("--noise-multiplier", "-0.5", "--noise-multiplier must be between 0 and")]
    [InlineData("--sample-rate", "0", "--sample-rate must be between")]
    [InlineData("--sample-rate", "1.01", "--sample-rate must be between")]
    [InlineData("--delta", "1", "--delta must be between")]
    public void Dp_epsilon_refuses_bad_arguments(string option, string value, string named)
    {
        var args = new Dictionary<string, string> { ["--noise-multiplier"] = "1", ["--sample-rate"] = "0.01", ["--steps"] = "100", ["--delta"] = "1e-5" };
        args[option] = value;
        string line = Cli.AssertUserError(Cli.Run(NewWorkDir(), ["dp", "epsilon", .. args.SelectMany(a => new[] { a.Key, a.Value })]));
        Assert.Contains(named, line);
    }

    [Fact]
    public void Dp_commands_print_opacus_values()
    {
        string work = NewWorkDir();
        var eps = Cli.AssertSuccess(Cli.Run(work, "dp", "epsilon", "--noise-multiplier", "1.5", "--sample-rate", "0.04", "--steps", "2250", "--delta", "1e-5", "--json"));
        Assert.Equal(7.32911117143, JsonNode.Parse(eps.Stdout)!["epsilon"]!.GetValue<double>(), 6);
        var noise = Cli.AssertSuccess(Cli.Run(work, "dp", "noise", "--epsilon", "8", "--delta", "1e-5", "--sample-rate", "0.04", "--steps", "2000", "--json"));
        Assert.Equal(1.3562, JsonNode.Parse(noise.Stdout)!["noise_multiplier"]!.GetValue<double>(), 4);
        string line = Cli.AssertUserError(Cli.Run(work, "dp", "noise", "--epsilon", "0.05", "--delta", "1e-5", "--sample-rate", "0.1", "--steps", "100"));
        Assert.Contains("no noise multiplier", line);
    }

    [Fact]
    public void A_dp_sgd_audit_records_its_accounting_beside_the_attacks_empirical_epsilon()
    {
        string work = NewWorkDir();
        TestFiles.Write(work, "dp.yaml", WithDefense("  kind: dp-sgd\n  target_epsilon: 4\n  sample_rate: 0.2\n"));
        Cli.AssertSuccess(Cli.Run(work, "audit", "--config", "dp.yaml", "--run", "R", "--bootstrap", "0"));
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(work, "R", "manifest.json")))!;
        var privacy = manifest["privacy"]!;
        Assert.Equal(10, privacy["steps"]!.GetValue<long>()); // 2 epochs × round(1/0.2)
        Assert.InRange(privacy["epsilon"]!.GetValue<double>(), 3.99 - 0.01, 4.0);
        Assert.Equal("rdp", privacy["accountant"]!.GetValue<string>());
        var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(work, "R", "metrics.json")))!;
        Assert.Equal(privacy["noise_multiplier"]!.GetValue<double>(), metrics["privacy"]!["noise_multiplier"]!.GetValue<double>());
        Assert.Contains("DP-SGD guarantees ε ≤ 4.00", metrics["privacy"]!["reading"]!.GetValue<string>());
        var loss = metrics["targets"]![0]!["attacks"]!["loss"]!;
        Assert.NotNull(loss["empirical_epsilon"]);
        Assert.True(loss["empirical_epsilon"]!["epsilon"]!.GetValue<double>() >= 0);
    }

    [Fact]
    public void Dp_audit_reports_the_epsilon_lower_bound_beside_the_accountants()
    {
        string work = NewWorkDir();
        TestFiles.Write(work, "dp.yaml", WithDefense("  kind: dp-sgd\n  noise_multiplier: 1\n  sample_rate: 0.2\n"));
        var r = Cli.AssertSuccess(Cli.Run(work, "dp", "audit", "--config", "dp.yaml", "--run", "A", "--canaries", "100", "--json"));
        var json = JsonNode.Parse(r.Stdout)!;
        Assert.Equal(100, json["canaries"]!.GetValue<int>());
        Assert.True(json["epsilon_lower_bound"]!.GetValue<double>() >= 0);
        Assert.True(json["accountant_epsilon"]!.GetValue<double>() > 0);
        Assert.True(File.Exists(Path.Combine(work, "A", "dp-audit.json")));
    }

    [Fact]
    public void The_quick_defense_study_writes_its_tables_and_plot_and_a_rerun_retrains_nothing()
    {
        string work = NewWorkDir();
        Cli.AssertSuccess(Cli.Run(work, TimeSpan.FromMinutes(10), "experiment", "defenses", "--quick", "--run", "D"));
        string dir = Path.Combine(work, "D");
        foreach (var file in new[] { "defenses.md", "defenses.csv", "defenses.json", "defenses-attacks.csv", "report.html" })
            Assert.True(File.Exists(Path.Combine(dir, file)), $"{file} missing");
        string md = File.ReadAllText(Path.Combine(dir, "defenses.md"));
        foreach (var family in new[] { "none", "weighted smoothing", "DP-SGD", "regularisation", "clipping only", "early stopping" })
            Assert.Contains(family, md);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "defenses.json")))!;
        var dp = json["rows"]!.AsArray().First(r => r!["setting"]!.GetValue<string>() == "dp-eps-8")!["measures"]!;
        Assert.InRange(dp["accountant_epsilon"]!.GetValue<double>(), 7.99, 8.0);
        Assert.Contains("data:image/png;base64,", File.ReadAllText(Path.Combine(dir, "report.html")));
        var stamps = Directory.GetFiles(dir, "model-*.json", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc);
        Assert.NotEmpty(stamps);
        Cli.AssertSuccess(Cli.Run(work, TimeSpan.FromMinutes(5), "experiment", "defenses", "--quick", "--run", "D"));
        foreach (var (file, stamp) in stamps) Assert.Equal(stamp, File.GetLastWriteTimeUtc(file));
    }
}
